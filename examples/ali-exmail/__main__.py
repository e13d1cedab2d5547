"""A user pool that sends through Ali enterprise mail (smtp.qiye.aliyun.com, SSL 465)."""

import pulumi

import pulumi_genauth as genauth

config = pulumi.Config()

mail = genauth.EmailProvider(
    "mail",
    type=genauth.EmailProviderType.ALI,
    ali_exmail_config=genauth.AliExmailConfigArgs(
        sender=config.require("sender"),
        sender_pass=config.require_secret("senderPassword"),
    ),
)

pulumi.export("userpoolId", mail.userpool_id)
