// Two user pools' email services, each through an explicit provider holding its pool's keys.
package main

import (
	"github.com/pulumi-genauth/pulumi-genauth/sdk/go/genauth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		host := pulumi.String(cfg.Require("host"))

		marketing, err := genauth.NewProvider(ctx, "marketing", &genauth.ProviderArgs{
			Host:            host,
			AccessKeyId:     pulumi.String(cfg.Require("marketingKeyId")),
			AccessKeySecret: cfg.RequireSecret("marketingKeySecret"),
		})
		if err != nil {
			return err
		}
		support, err := genauth.NewProvider(ctx, "support", &genauth.ProviderArgs{
			Host:            host,
			AccessKeyId:     pulumi.String(cfg.Require("supportKeyId")),
			AccessKeySecret: cfg.RequireSecret("supportKeySecret"),
		})
		if err != nil {
			return err
		}

		marketingMail, err := genauth.NewEmailProvider(ctx, "marketingMail", &genauth.EmailProviderArgs{
			Type: genauth.EmailProviderTypeCustom,
			SmtpConfig: &genauth.SmtpConfigArgs{
				SmtpHost:   pulumi.String("smtp.example.com"),
				SmtpPort:   pulumi.Int(465),
				Sender:     pulumi.String("marketing@example.com"),
				SenderPass: cfg.RequireSecret("smtpPassword"),
				Secure:     pulumi.Bool(true),
			},
		}, pulumi.Provider(marketing))
		if err != nil {
			return err
		}
		supportMail, err := genauth.NewEmailProvider(ctx, "supportMail", &genauth.EmailProviderArgs{
			Type: genauth.EmailProviderTypeSendgrid,
			SendGridConfig: &genauth.SendGridConfigArgs{
				Sender: pulumi.String("support@example.com"),
				Apikey: cfg.RequireSecret("sendgridKey"),
			},
		}, pulumi.Provider(support))
		if err != nil {
			return err
		}

		ctx.Export("marketingPool", marketingMail.UserpoolId)
		ctx.Export("supportPool", supportMail.UserpoolId)
		return nil
	})
}
