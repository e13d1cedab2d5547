"""The user pool's outgoing mail: a custom SMTP server, configured per stack.

Stack config (see Pulumi.dev.yaml): smtpHost, smtpPort, sender, and the secret smtpPassword;
the GenAuth credentials come from genauth:host / genauth:accessKeyId / genauth:accessKeySecret.
"""

import pulumi

import pulumi_genauth as genauth

config = pulumi.Config()

mail = genauth.EmailProvider(
    "mail",
    type=genauth.EmailProviderType.CUSTOM,
    enabled=True,
    smtp_config=genauth.SmtpConfigArgs(
        smtp_host=config.get("smtpHost") or "smtp.example.com",
        smtp_port=config.get_int("smtpPort") or 465,
        sender=config.get("sender") or "no-reply@example.com",
        sender_pass=config.require_secret("smtpPassword"),
        secure=True,
    ),
)

pulumi.export("userpoolId", mail.userpool_id)
pulumi.export("type", mail.type)
pulumi.export("enabled", mail.enabled)
pulumi.export("smtpConfig", mail.smtp_config)
