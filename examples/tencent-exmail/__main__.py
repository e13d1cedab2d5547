"""A user pool that sends through Tencent enterprise mail (smtp.exmail.qq.com, SSL 465)."""

import pulumi

import pulumi_genauth as genauth

config = pulumi.Config()

mail = genauth.EmailProvider(
    "mail",
    type=genauth.EmailProviderType.QQ,
    tencent_exmail_config=genauth.TencentExmailConfigArgs(
        sender=config.require("sender"),
        sender_pass=config.require_secret("senderPassword"),
    ),
)

pulumi.export("userpoolId", mail.userpool_id)
