"""Two user pools from one program: the customer-facing pool and the staff pool.

The first uses the default credentials (genauth:accessKeyId / genauth:accessKeySecret);
the second names an entry of the stack config object genauth:pools.
"""

import pulumi

import pulumi_genauth as genauth

config = pulumi.Config()

customers = genauth.EmailProvider(
    "customers-mail",
    type=genauth.EmailProviderType.SENDGRID,
    send_grid_config=genauth.SendGridConfigArgs(
        sender="no-reply@example.com",
        apikey=config.require_secret("sendgridApiKey"),
    ),
)

staff = genauth.EmailProvider(
    "staff-mail",
    pool="staff",
    type=genauth.EmailProviderType.CUSTOM,
    smtp_config=genauth.SmtpConfigArgs(
        smtp_host="smtp.corp.example.com",
        smtp_port=587,
        sender="it@corp.example.com",
        sender_pass=config.require_secret("staffSmtpPassword"),
        secure=False,
    ),
)

pulumi.export("customersPool", customers.userpool_id)
pulumi.export("staffPool", staff.userpool_id)
