// Two user pools' email services, each through an explicit provider holding its pool's keys.
import * as pulumi from "@pulumi/pulumi";
import * as genauth from "@pulumi-genauth/genauth";

const config = new pulumi.Config();
const host = config.require("host");

const marketing = new genauth.Provider("marketing", {
    host,
    accessKeyId: config.require("marketingKeyId"),
    accessKeySecret: config.requireSecret("marketingKeySecret"),
});
const support = new genauth.Provider("support", {
    host,
    accessKeyId: config.require("supportKeyId"),
    accessKeySecret: config.requireSecret("supportKeySecret"),
});

const marketingMail = new genauth.EmailProvider("marketingMail", {
    type: genauth.EmailProviderType.Custom,
    smtpConfig: {
        smtpHost: "smtp.example.com",
        smtpPort: 465,
        sender: "marketing@example.com",
        senderPass: config.requireSecret("smtpPassword"),
        secure: true,
    },
}, { provider: marketing });

const supportMail = new genauth.EmailProvider("supportMail", {
    type: genauth.EmailProviderType.Sendgrid,
    sendGridConfig: {
        sender: "support@example.com",
        apikey: config.requireSecret("sendgridKey"),
    },
}, { provider: support });

export const marketingPool = marketingMail.userpoolId;
export const supportPool = supportMail.userpoolId;
