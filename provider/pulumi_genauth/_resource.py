"""Program side of ``EmailProvider``: the resource users declare and its typed arguments.

Secret fields (``sender_pass``, ``apikey``) are wrapped in ``Output.secret`` here, whatever
the user passed: the dynamic-provider protocol cannot return secrets, so the engine keeps an
output secret only because the input of the same name was one.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Final, TypedDict

import pulumi
import pulumi.dynamic
from pulumi.runtime.settings import get_root_resource

from ._exceptions import DeclarationError
from ._models import SECRET_FIELD_BY_CONFIG, EmailProviderType
from ._provider import EmailProviderProvider


@dataclass(frozen=True)
class SmtpConfigArgs:
    """A custom SMTP server (``type=EmailProviderType.CUSTOM``)."""

    smtp_host: pulumi.Input[str]
    """Host name of the SMTP server, without scheme or port, e.g. ``smtp.example.com``."""
    smtp_port: pulumi.Input[int]
    """Port, 1-65535 (465 for SSL, 587 for STARTTLS)."""
    sender_pass: pulumi.Input[str]
    """Password of the sending account; always stored as a secret."""
    sender: pulumi.Input[str] | None = None
    """User name of the sending account."""
    secure: pulumi.Input[bool] | None = None
    """Whether to connect with SSL."""


@dataclass(frozen=True)
class SendGridConfigArgs:
    """SendGrid (``type=EmailProviderType.SENDGRID``)."""

    sender: pulumi.Input[str]
    """Sender address."""
    apikey: pulumi.Input[str]
    """SendGrid API key; always stored as a secret."""


@dataclass(frozen=True)
class AliExmailConfigArgs:
    """Ali enterprise mail (``type=EmailProviderType.ALI``)."""

    sender: pulumi.Input[str]
    """Sending account."""
    sender_pass: pulumi.Input[str]
    """Password of the sending account; always stored as a secret."""


@dataclass(frozen=True)
class TencentExmailConfigArgs:
    """Tencent enterprise mail (``type=EmailProviderType.QQ``)."""

    sender: pulumi.Input[str]
    """Sending account."""
    sender_pass: pulumi.Input[str]
    """Password of the sending account; always stored as a secret."""


class SmtpConfigArgsDict(TypedDict, total=False):
    """:class:`SmtpConfigArgs` as a dict."""

    smtp_host: pulumi.Input[str]
    smtp_port: pulumi.Input[int]
    sender_pass: pulumi.Input[str]
    sender: pulumi.Input[str]
    secure: pulumi.Input[bool]


ConfigArgs = (
    SmtpConfigArgs
    | SendGridConfigArgs
    | AliExmailConfigArgs
    | TencentExmailConfigArgs
    | Mapping[str, Any]
)

# One instance serves every resource: it pickles to a class reference only.
_PROVIDER: Final = EmailProviderProvider()


class EmailProvider(pulumi.dynamic.Resource, module="genauth", name="EmailProvider"):
    """A GenAuth user pool's third-party email service.

    The setting is a singleton of the pool: the resource id is the user pool id, `destroy`
    hands the pool back to GenAuth's built-in mail service (``enabled: false``).
    """

    userpool_id: pulumi.Output[str]
    """The user pool this setting belongs to (also the resource id)."""
    type: pulumi.Output[str]
    """``custom``, ``ali``, ``qq`` or ``sendgrid``."""
    enabled: pulumi.Output[bool]
    """Whether the pool sends through this provider (else GenAuth's built-in service)."""
    smtp_config: pulumi.Output[dict[str, Any] | None]
    send_grid_config: pulumi.Output[dict[str, Any] | None]
    ali_exmail_config: pulumi.Output[dict[str, Any] | None]
    tencent_exmail_config: pulumi.Output[dict[str, Any] | None]
    pool: pulumi.Output[str | None]
    """The named entry of ``genauth:pools`` whose credentials are used, if any."""

    def __init__(
        self,
        resource_name: str,
        *,
        type: pulumi.Input[EmailProviderType | str],
        enabled: pulumi.Input[bool] = True,
        smtp_config: pulumi.Input[SmtpConfigArgs | SmtpConfigArgsDict] | None = None,
        send_grid_config: pulumi.Input[SendGridConfigArgs | Mapping[str, Any]] | None = None,
        ali_exmail_config: pulumi.Input[AliExmailConfigArgs | Mapping[str, Any]] | None = None,
        tencent_exmail_config: pulumi.Input[TencentExmailConfigArgs | Mapping[str, Any]]
        | None = None,
        pool: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if opts is not None and opts.import_ is not None:
            raise DeclarationError(
                f"EmailProvider {resource_name!r}: ResourceOptions(import_=...) does not work for "
                "a dynamic provider (pulumi/pulumi#16175); remove import_: `pulumi up` adopts "
                "the pool's current setting, with a warning that says what it replaces"
            )
        _declare_pool(resource_name, pool)
        props: dict[str, Any] = {
            "type": pulumi.Output.from_input(type).apply(_type_value),
            "enabled": enabled,
            **{
                name: _config_input(resource_name, name, value)
                for name, value in (
                    ("smtp_config", smtp_config),
                    ("send_grid_config", send_grid_config),
                    ("ali_exmail_config", ali_exmail_config),
                    ("tencent_exmail_config", tencent_exmail_config),
                )
            },
            "pool": pool,
            "userpool_id": None,
        }
        super().__init__(_PROVIDER, resource_name, props, opts)


# The pools declared so far, per program run (keyed by the run's root Stack resource: an
# Automation API inline program runs many times in one process).
_DECLARED_POOLS: Final[weakref.WeakKeyDictionary[Any, dict[str | None, str]]] = (
    weakref.WeakKeyDictionary()
)


def _declare_pool(resource_name: str, pool: Any) -> None:
    """Refuse a second EmailProvider on the same `pool` of one program, before either applies.

    A `pool` not known yet (an Output) is left to the provider, which refuses a second
    create or update of one user pool in a deployment.
    """
    root = get_root_resource()
    if root is None or not (pool is None or isinstance(pool, str)):
        return
    declared = _DECLARED_POOLS.setdefault(root, {})
    other = declared.setdefault(pool, resource_name)
    if other != resource_name:
        which = f"the genauth:pools entry {pool!r}" if pool else "the stack's default credentials"
        raise DeclarationError(
            f"EmailProviders {other!r} and {resource_name!r} both configure the user pool of "
            f"{which}: a user pool has one email provider setting, so declare one "
            "EmailProvider per pool"
        )


def _type_value(value: EmailProviderType | str) -> str:
    return value.value if isinstance(value, EmailProviderType) else value


# The typed args class of each config argument, named in the error for a wrong value.
_ARGS_CLASS: Final = {
    "smtp_config": "SmtpConfigArgs",
    "send_grid_config": "SendGridConfigArgs",
    "ali_exmail_config": "AliExmailConfigArgs",
    "tencent_exmail_config": "TencentExmailConfigArgs",
}


def _config_input(resource_name: str, name: str, config: Any) -> Any:
    """A config as a property dict, its secret field wrapped as a secret."""
    if config is None:
        return None
    if isinstance(config, pulumi.Output):
        # Only the whole object can be marked when the object itself is not known yet.
        return pulumi.Output.secret(
            config.apply(lambda value: _as_dict(resource_name, name, value))
        )
    props = _as_dict(resource_name, name, config)
    secret_field = SECRET_FIELD_BY_CONFIG[name]
    if props.get(secret_field) is not None:
        props[secret_field] = pulumi.Output.secret(props[secret_field])
    return props


def _as_dict(resource_name: str, name: str, config: Any) -> dict[str, Any]:
    if config is None:
        return {}
    if is_dataclass(config) and not isinstance(config, type):
        # Not dataclasses.asdict: it deep-copies values, and an Output cannot be copied.
        items = {field.name: getattr(config, field.name) for field in fields(config)}
    elif isinstance(config, Mapping):
        items = dict(config)
    else:
        # Never the value itself: a config may hold a secret.
        raise DeclarationError(
            f"EmailProvider {resource_name!r}: {name} must be a {_ARGS_CLASS[name]} or a dict "
            f"of its fields, not a {type(config).__name__}"
        )
    return {key: value for key, value in items.items() if value is not None}
