"""A user pool that sends through SendGrid."""

import pulumi

import pulumi_genauth as genauth

config = pulumi.Config()

mail = genauth.EmailProvider(
    "mail",
    type=genauth.EmailProviderType.SENDGRID,
    send_grid_config=genauth.SendGridConfigArgs(
        sender=config.get("sender") or "no-reply@example.com",
        apikey=config.require_secret("sendgridApiKey"),
    ),
)

pulumi.export("userpoolId", mail.userpool_id)
pulumi.export("sendGridConfig", mail.send_grid_config)
