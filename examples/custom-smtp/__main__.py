"""A user pool that sends through the company's own SMTP server."""

import pulumi

import pulumi_genauth as genauth

config = pulumi.Config()

mail = genauth.EmailProvider(
    "mail",
    type=genauth.EmailProviderType.CUSTOM,
    smtp_config=genauth.SmtpConfigArgs(
        smtp_host=config.get("smtpHost") or "smtp.example.com",
        smtp_port=config.get_int("smtpPort") or 465,
        sender=config.get("sender") or "no-reply@example.com",
        sender_pass=config.require_secret("smtpPassword"),
        secure=True,
    ),
)

pulumi.export("userpoolId", mail.userpool_id)
pulumi.export("smtpConfig", mail.smtp_config)
