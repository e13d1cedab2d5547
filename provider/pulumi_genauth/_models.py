"""Wire models of the email-provider API, spelled exactly as the API spells them.

One model family serves both directions of the contract:

* validated **by alias** (the wire spelling: ``smtp_host``, ``smtp_port``, ``senderPass``,
  ``apikey``, ``smtpConfig`` ...) it is the request body the API accepts, and the emulator
  holds callers to it strictly (no unknown keys, no wrong types);
* validated **by name** (``sender_pass``, ``smtp_config`` ...) it is the Pulumi resource's
  property bag, so that a validation error names the property the user wrote.

Secrets are ``SecretStr`` until :meth:`ConfigEmailProviderInput.to_wire` builds the body, and
pydantic is told never to echo inputs in its errors. What the API answers is read with the
tolerant :class:`EmailProviderInfo`: extra fields ignored, every field optional.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from ._fields import (
    CONFIG_FIELD_BY_TYPE,
    CONFIG_FIELDS,
    PORT_MAX,
    PORT_MIN,
    SECRET_FIELD_BY_CONFIG,
    SMTP_OUTPUT_DEFAULTS,
    EmailProviderType,
    is_masked,
)

__all__ = [
    "CONFIG_FIELDS",
    "CONFIG_FIELD_BY_TYPE",
    "PORT_MAX",
    "PORT_MIN",
    "SECRET_FIELD_BY_CONFIG",
    "SMTP_OUTPUT_DEFAULTS",
    "AliExmailConfigInfo",
    "AliExmailConfigInput",
    "ConfigEmailProviderInput",
    "EmailProviderInfo",
    "EmailProviderType",
    "SendGridConfigInfo",
    "SendGridConfigInput",
    "SmtpConfigInfo",
    "SmtpConfigInput",
    "TencentExmailConfigInfo",
    "TencentExmailConfigInput",
    "is_masked",
]


NonEmptyStr = Annotated[str, Field(min_length=1)]
NonEmptySecret = Annotated[SecretStr, Field(min_length=1)]
Port = Annotated[int, Field(ge=PORT_MIN, le=PORT_MAX)]


class _Input(BaseModel):
    """Strict on what is sent: unknown keys refused, secrets never echoed in errors."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_alias=True,
        validate_by_name=True,
        hide_input_in_errors=True,
        # Built at first use: a preview validates one config model, so it builds one.
        defer_build=True,
    )


class SmtpConfigInput(_Input):
    """``SMTPEmailProviderConfigInput``: a custom SMTP server."""

    smtp_host: NonEmptyStr
    smtp_port: Port
    sender: str | None = None
    sender_pass: NonEmptySecret = Field(alias="senderPass")
    secure: bool | None = None


class SendGridConfigInput(_Input):
    """``SendGridEmailProviderConfigInput``."""

    sender: NonEmptyStr
    apikey: NonEmptySecret


class AliExmailConfigInput(_Input):
    """``AliExmailEmailProviderConfigInput``."""

    sender: NonEmptyStr
    sender_pass: NonEmptySecret = Field(alias="senderPass")


class TencentExmailConfigInput(_Input):
    """``TencentExmailEmailProviderConfigInput``."""

    sender: NonEmptyStr
    sender_pass: NonEmptySecret = Field(alias="senderPass")


class ConfigEmailProviderInput(_Input):
    """``ConfigEmailProviderDto``: the body of ``POST /api/v3/config-email-provider``."""

    type: EmailProviderType
    enabled: bool
    smtp_config: SmtpConfigInput | None = Field(default=None, alias="smtpConfig")
    send_grid_config: SendGridConfigInput | None = Field(default=None, alias="sendGridConfig")
    ali_exmail_config: AliExmailConfigInput | None = Field(default=None, alias="aliExmailConfig")
    tencent_exmail_config: TencentExmailConfigInput | None = Field(
        default=None, alias="tencentExmailConfig"
    )

    @model_validator(mode="after")
    def _config_for_type_is_present(self) -> Self:
        name, wire_name = CONFIG_FIELD_BY_TYPE[self.type]
        if getattr(self, name) is None:
            # The error names the wire field: this rule is the API's, and the emulator's.
            raise ValueError(f"{wire_name} is required when type is {self.type.value!r}")
        return self

    def to_wire(self) -> dict[str, Any]:
        """The JSON body, spelled as the API spells it, secrets revealed, no null values."""
        body: dict[str, Any] = _reveal(self.model_dump(by_alias=True, exclude_none=True))
        return body


def _reveal(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {key: _reveal(item) for key, item in value.items()}
    return value


class _Output(BaseModel):
    """Tolerant of what is received: extra fields ignored, missing fields allowed."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        validate_by_alias=True,
        validate_by_name=False,
        hide_input_in_errors=True,
        defer_build=True,  # read models are needed at apply time only
    )


class SmtpConfigInfo(_Output):
    """``SMTPEmailProviderConfig`` as read back."""

    smtp_host: str | None = None
    smtp_port: int | None = None
    sender: str | None = None
    sender_pass: SecretStr | None = Field(default=None, alias="senderPass")
    secure: bool | None = None


class SendGridConfigInfo(_Output):
    """``SendGridEmailProviderConfig`` as read back."""

    sender: str | None = None
    apikey: SecretStr | None = None


class AliExmailConfigInfo(_Output):
    """``AliExmailEmailProviderConfig`` as read back."""

    sender: str | None = None
    sender_pass: SecretStr | None = Field(default=None, alias="senderPass")


class TencentExmailConfigInfo(_Output):
    """``TencentExmailEmailProviderConfig`` as read back."""

    sender: str | None = None
    sender_pass: SecretStr | None = Field(default=None, alias="senderPass")


class EmailProviderInfo(_Output):
    """``EmailProviderDto``: the pool's email provider setting as the API reports it."""

    enabled: bool = False
    # A str, not the enum: a type this package does not know yet must not break a read.
    type: str | None = None
    smtp_config: SmtpConfigInfo | None = Field(default=None, alias="smtpConfig")
    send_grid_config: SendGridConfigInfo | None = Field(default=None, alias="sendGridConfig")
    ali_exmail_config: AliExmailConfigInfo | None = Field(default=None, alias="aliExmailConfig")
    tencent_exmail_config: TencentExmailConfigInfo | None = Field(
        default=None, alias="tencentExmailConfig"
    )
