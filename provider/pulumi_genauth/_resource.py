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

from ._exceptions import GenAuthError
from ._fields import APPLIED_KEY, CONFIG_FIELDS, SECRET_FIELD_BY_CONFIG, EmailProviderType
from ._provider import EmailProviderProvider


class DeclarationError(GenAuthError, pulumi.RunError):
    """The program declares an EmailProvider that cannot work; raised where it is declared.

    A ``pulumi.RunError``, so that the CLI prints its message as one line, with no traceback.
    (Here, not in ``_exceptions``: only a program raises it, and the core imports no pulumi.)
    """


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
    """:class:`SmtpConfigArgs` as a dict (``type=EmailProviderType.CUSTOM``)."""

    smtp_host: pulumi.Input[str]
    """Host name of the SMTP server, without scheme or port, e.g. ``smtp.example.com``."""
    smtp_port: pulumi.Input[int]
    """Port, 1-65535 (465 for SSL, 587 for STARTTLS)."""
    sender_pass: pulumi.Input[str]
    """Password of the sending account; always stored as a secret."""
    sender: pulumi.Input[str]
    """User name of the sending account."""
    secure: pulumi.Input[bool]
    """Whether to connect with SSL."""


class SendGridConfigArgsDict(TypedDict, total=False):
    """:class:`SendGridConfigArgs` as a dict (``type=EmailProviderType.SENDGRID``)."""

    sender: pulumi.Input[str]
    """Sender address."""
    apikey: pulumi.Input[str]
    """SendGrid API key; always stored as a secret."""


class AliExmailConfigArgsDict(TypedDict, total=False):
    """:class:`AliExmailConfigArgs` as a dict (``type=EmailProviderType.ALI``)."""

    sender: pulumi.Input[str]
    """Sending account."""
    sender_pass: pulumi.Input[str]
    """Password of the sending account; always stored as a secret."""


class TencentExmailConfigArgsDict(TypedDict, total=False):
    """:class:`TencentExmailConfigArgs` as a dict (``type=EmailProviderType.QQ``)."""

    sender: pulumi.Input[str]
    """Sending account."""
    sender_pass: pulumi.Input[str]
    """Password of the sending account; always stored as a secret."""


class SmtpConfigOutput(TypedDict):
    """The ``smtp_config`` output of :class:`EmailProvider`: a custom SMTP server."""

    smtp_host: str
    """Host name of the SMTP server."""
    smtp_port: int
    """Port, e.g. ``465``."""
    sender: str
    """User name of the sending account (``""`` when none was declared)."""
    sender_pass: str | None
    """Password of the sending account, a secret; ``None`` after a refresh found another one."""
    secure: bool
    """Whether to connect with SSL (``False`` when not declared)."""


class SendGridConfigOutput(TypedDict):
    """The ``send_grid_config`` output of :class:`EmailProvider`: SendGrid."""

    sender: str
    """Sender address."""
    apikey: str | None
    """SendGrid API key, a secret; ``None`` after a refresh found another one."""


class AliExmailConfigOutput(TypedDict):
    """The ``ali_exmail_config`` output of :class:`EmailProvider`: Ali enterprise mail."""

    sender: str
    """Sending account."""
    sender_pass: str | None
    """Password of the sending account, a secret; ``None`` after a refresh found another one."""


class TencentExmailConfigOutput(TypedDict):
    """The ``tencent_exmail_config`` output of :class:`EmailProvider`: Tencent enterprise mail."""

    sender: str
    """Sending account."""
    sender_pass: str | None
    """Password of the sending account, a secret; ``None`` after a refresh found another one."""


# One instance serves every resource: it pickles to a class reference only.
_PROVIDER: Final = EmailProviderProvider()


class _ConfigOutputs:
    """The config outputs of :class:`EmailProvider`, typed for IDEs and type checkers.

    Declared on a base class, not on the resource: the Pulumi SDK converts a resource's outputs
    by the annotations of the resource class itself (``inspect.get_annotations``, bases not
    included) and fails every program on a TypedDict annotation ("Unexpected type; expected a
    value of type SmtpConfigOutput but got a value of type dict"). From here they reach
    ``typing.get_type_hints`` and mypy, and the SDK passes the dicts through untouched.
    """

    smtp_config: pulumi.Output[SmtpConfigOutput | None]
    """The custom SMTP server, when ``type`` is ``custom``; a secret output."""
    send_grid_config: pulumi.Output[SendGridConfigOutput | None]
    """The SendGrid setting, when ``type`` is ``sendgrid``; a secret output."""
    ali_exmail_config: pulumi.Output[AliExmailConfigOutput | None]
    """The Ali enterprise mail setting, when ``type`` is ``ali``; a secret output."""
    tencent_exmail_config: pulumi.Output[TencentExmailConfigOutput | None]
    """The Tencent enterprise mail setting, when ``type`` is ``qq``; a secret output."""


class EmailProvider(
    pulumi.dynamic.Resource, _ConfigOutputs, module="genauth", name="EmailProvider"
):
    """A GenAuth user pool's third-party email service.

    The setting is a singleton of the pool: the resource id is the user pool id, a create
    adopts whatever setting the pool has (with a warning naming what it replaces), `destroy`
    hands the pool back to GenAuth's built-in mail service (``enabled: false``) if the live
    setting is still the one this resource applied. The arguments are described on
    :meth:`__init__`; the outputs are ``userpool_id``, ``type``, ``enabled``, the four config
    objects (the one that goes with ``type`` is set, the others are ``None``) and ``pool``.
    """

    userpool_id: pulumi.Output[str]
    """The user pool this setting belongs to (also the resource id)."""
    type: pulumi.Output[str]
    """``custom``, ``ali``, ``qq`` or ``sendgrid``."""
    enabled: pulumi.Output[bool]
    """Whether the pool sends through this provider (else GenAuth's built-in service)."""
    pool: pulumi.Output[str | None]
    """The named entry of ``genauth:pools`` whose credentials are used, if any."""
    access_key_id: pulumi.Output[str | None]
    """The id of the access key the setting was last applied with (a new key previews as an
    update, which the next ``pulumi up`` proves)."""

    def __init__(
        self,
        resource_name: str,
        *,
        type: pulumi.Input[EmailProviderType | str],
        enabled: pulumi.Input[bool] = True,
        smtp_config: pulumi.Input[SmtpConfigArgs | SmtpConfigArgsDict] | None = None,
        send_grid_config: pulumi.Input[SendGridConfigArgs | SendGridConfigArgsDict] | None = None,
        ali_exmail_config: pulumi.Input[AliExmailConfigArgs | AliExmailConfigArgsDict]
        | None = None,
        tencent_exmail_config: pulumi.Input[TencentExmailConfigArgs | TencentExmailConfigArgsDict]
        | None = None,
        pool: pulumi.Input[str] | None = None,
        verify_smtp: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare the email provider setting of a GenAuth user pool.

        Give exactly one config argument: the one that goes with ``type``. Each config is its
        ``*Args`` dataclass or a plain dict with the same keys (the ``*ArgsDict`` types).
        ``pulumi preview`` checks every value without calling the API. Every change, a new
        ``type`` or a rotated password or API key included, is an update in place; only a
        new ``pool`` replaces the resource.

        The secret of each config (``sender_pass``, ``apikey``) is always wrapped as a secret,
        whatever was passed, and stays one in the state and in every output; a config that is
        itself an Output is wrapped as a secret as a whole. Every argument but
        ``resource_name`` and ``opts`` may be a :class:`pulumi.Output`.

        Args:
            resource_name: The Pulumi name of the resource, unique in the stack.
            type: Which third-party service the pool sends through, an
                :class:`EmailProviderType` or its value: ``custom`` (a custom SMTP server,
                ``smtp_config``), ``sendgrid`` (``send_grid_config``), ``ali`` (Ali enterprise
                mail, ``ali_exmail_config``) or ``qq`` (Tencent enterprise mail,
                ``tencent_exmail_config``).
            enabled: Whether the pool sends its mail through this provider (default ``True``);
                ``False`` keeps the setting but the pool uses GenAuth's built-in service.
            smtp_config: The custom SMTP server, for ``type="custom"``: a
                :class:`SmtpConfigArgs` or :class:`SmtpConfigArgsDict` (``smtp_host``,
                ``smtp_port``, ``sender_pass``, optional ``sender`` and ``secure``).
            send_grid_config: SendGrid, for ``type="sendgrid"``: a :class:`SendGridConfigArgs`
                or :class:`SendGridConfigArgsDict` (``sender``, ``apikey``).
            ali_exmail_config: Ali enterprise mail, for ``type="ali"``: an
                :class:`AliExmailConfigArgs` or :class:`AliExmailConfigArgsDict` (``sender``,
                ``sender_pass``).
            tencent_exmail_config: Tencent enterprise mail, for ``type="qq"``: a
                :class:`TencentExmailConfigArgs` or :class:`TencentExmailConfigArgsDict`
                (``sender``, ``sender_pass``).
            pool: The name of an entry of the stack config object ``genauth:pools`` whose
                ``accessKeyId`` and ``accessKeySecret`` (optional ``host`` and ``brand``) reach
                the user pool to configure; ``None`` (the default) uses the stack's default
                credentials (``genauth:host``, ``genauth:accessKeyId``,
                ``genauth:accessKeySecret``, else the ``GENAUTH_*`` environment variables).
                Changing it replaces the resource. One EmailProvider per pool in a program.
            verify_smtp: Whether ``pulumi up`` first proves the mail credentials work
                (default ``False``): before GenAuth is called, create and update connect to
                the SMTP server (``smtp_config``'s host and port; for ``ali`` and ``qq``
                their public SMTP servers) over TLS (implicit when ``secure`` or port 465,
                else STARTTLS, which the server must offer) and log in with ``sender`` and
                the password; a failure stops the operation with one line saying what failed,
                and nothing is sent to GenAuth. Not checked at preview, not part of the
                setting (changing it alone is no change), and no effect for ``sendgrid``.
                Leave it off where this machine may not reach the mail server.
            opts: The usual :class:`pulumi.ResourceOptions`. ``import_`` is refused: a dynamic
                provider cannot import (pulumi/pulumi#16175), and ``pulumi up`` adopts the
                pool's current setting anyway.

        Raises:
            DeclarationError: ``opts.import_`` is set, a config is neither its ``*Args`` class
                nor a dict, or another EmailProvider of the program has the same ``pool``.
        """
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
                for name, value in zip(
                    CONFIG_FIELDS,
                    (smtp_config, send_grid_config, ali_exmail_config, tencent_exmail_config),
                    strict=True,
                )
            },
            "pool": pool,
            "verify_smtp": verify_smtp,
            "userpool_id": None,
            "access_key_id": None,
        }
        # The bookkeeping copies the config's fields: secret always (see _fields.APPLIED_KEY).
        # The engine marks it at every step, a "same" one too, so an older state's plain
        # bookkeeping is rewritten secret by the next `pulumi up`.
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=[APPLIED_KEY])
        super().__init__(
            _PROVIDER, resource_name, props, pulumi.ResourceOptions.merge(opts, secret_outputs)
        )

    # The SDK puts each output in the instance's __dict__, under its name; this property,
    # found first, hands programs the port as the int it is (the engine's numbers are floats).
    # Made at each read, not at declaration: a program that never reads it holds no second
    # Output of it.
    @property
    def smtp_config(self) -> pulumi.Output[SmtpConfigOutput | None]:
        """The custom SMTP server, when ``type`` is ``custom``; a secret output."""
        raw: pulumi.Output[Any] = self.__dict__["smtp_config"]
        return raw.apply(_with_whole_port)

    @smtp_config.setter
    def smtp_config(self, value: pulumi.Output[SmtpConfigOutput | None]) -> None:
        self.__dict__["smtp_config"] = value


def _with_whole_port(config: Any) -> Any:
    """An smtp_config output with its port as the int it is (465, not 465.0)."""
    if not isinstance(config, dict):
        return config
    port = config.get("smtp_port")
    if isinstance(port, float) and port.is_integer():
        return {**config, "smtp_port": int(port)}
    return config


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


# The typed args class of each config argument (named in the error for a wrong value), in
# the order of _fields.CONFIG_FIELDS, as __init__'s config arguments are.
_ARGS_CLASS: Final[dict[str, type]] = dict(
    zip(
        CONFIG_FIELDS,
        (SmtpConfigArgs, SendGridConfigArgs, AliExmailConfigArgs, TencentExmailConfigArgs),
        strict=True,
    )
)


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
        args = _ARGS_CLASS[name].__name__
        raise DeclarationError(
            f"EmailProvider {resource_name!r}: {name} must be a {args} or a dict of its fields, "
            f"not a {type(config).__name__}"
        )
    return {key: value for key, value in items.items() if value is not None}
