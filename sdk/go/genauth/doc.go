// A GenAuth user pool's third-party email service (custom SMTP, Ali or Tencent enterprise mail, SendGrid), managed as code.
package genauth
