"""The names of the setting: the provider types, their config properties and secret fields.

What the program side, the preview and the wire models all need, with no pydantic and no
HTTP stack, so that importing pulumi_genauth in a program stays cheap.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final, Protocol

from ._constants import SECRET_MASK_CHARS


class EmailProviderType(enum.StrEnum):
    """The four third-party email services a user pool can send through."""

    CUSTOM = "custom"
    """A custom SMTP server."""
    ALI = "ali"
    """Ali enterprise mail."""
    QQ = "qq"
    """Tencent enterprise mail."""
    SENDGRID = "sendgrid"
    """SendGrid."""


# The values ``type`` may take.
TYPE_NAMES: Final = frozenset(kind.value for kind in EmailProviderType)

PORT_MIN: Final = 1
PORT_MAX: Final = 65535

# The output DTO requires these SMTP fields, which the input leaves optional: a setting sent
# without them reads back with these values.
SMTP_OUTPUT_DEFAULTS: Final[dict[str, Any]] = {"sender": "", "secure": False}

# Which config object goes with which type: (property name, wire name).
CONFIG_FIELD_BY_TYPE: Final[dict[EmailProviderType, tuple[str, str]]] = {
    EmailProviderType.CUSTOM: ("smtp_config", "smtpConfig"),
    EmailProviderType.SENDGRID: ("send_grid_config", "sendGridConfig"),
    EmailProviderType.ALI: ("ali_exmail_config", "aliExmailConfig"),
    EmailProviderType.QQ: ("tencent_exmail_config", "tencentExmailConfig"),
}
CONFIG_FIELDS: Final = tuple(name for name, _ in CONFIG_FIELD_BY_TYPE.values())
# The secret field of each config object, by property name.
SECRET_FIELD_BY_CONFIG: Final = {
    "smtp_config": "sender_pass",
    "send_grid_config": "apikey",
    "ali_exmail_config": "sender_pass",
    "tencent_exmail_config": "sender_pass",
}

# The properties that describe the setting (what diff compares); `pool` picks credentials.
SETTING_KEYS: Final = ("type", "enabled", *CONFIG_FIELDS)
POOL_KEY: Final = "pool"
# An output only: the setting (without its secret) that the resource last applied, which a
# refresh does not overwrite; delete disables the live setting only while it is this one.
# Both front ends keep it secret as a whole, always, whatever the program marked: it copies
# the config's fields, so a config the program made secret would otherwise be in plain text
# here. The fields themselves are kept (not a fingerprint of them): delete must name the field
# that differs when it leaves a pool alone, and a hash of a host name or a mailbox could be
# confirmed by guessing; encrypted with the stack's secrets, they reveal nothing.
APPLIED_KEY: Final = "applied_setting"
# The access key id the setting was last applied with. Check puts the configured one in the
# inputs and apply records it in the outputs, so that a new key previews as an update (with
# no API call) and the next `up` proves it works before the state says it is in use. Not the
# secret: nothing derived from it is kept.
KEY_ID_KEY: Final = "access_key_id"
# Asks for the SMTP preflight at apply time (_smtp_preflight): not part of the setting, so
# not in SETTING_KEYS, never compared by diff, never sent to the API.
VERIFY_SMTP_KEY: Final = "verify_smtp"


@dataclass(frozen=True)
class FieldRule:
    """What the API takes for one field of a config.

    The wire models in ``_models`` say the same (tests/test_fields.py holds the two to each
    other); the preview checks against this table, which needs no pydantic, so that a
    preview stays fast.
    """

    kind: type[str] | type[int] | type[bool]
    required: bool = True
    """Required fields that are strings must also not be empty."""


# The fields of each config, in the API's order, by property name.
CONFIG_RULES: Final[dict[str, dict[str, FieldRule]]] = {
    "smtp_config": {
        "smtp_host": FieldRule(str),
        "smtp_port": FieldRule(int),  # PORT_MIN..PORT_MAX
        "sender": FieldRule(str, required=False),
        "sender_pass": FieldRule(str),
        "secure": FieldRule(bool, required=False),
    },
    "send_grid_config": {"sender": FieldRule(str), "apikey": FieldRule(str)},
    "ali_exmail_config": {"sender": FieldRule(str), "sender_pass": FieldRule(str)},
    "tencent_exmail_config": {"sender": FieldRule(str), "sender_pass": FieldRule(str)},
}


class Revealable(Protocol):
    """A secret wrapper (pydantic's SecretStr) that shows its value only when asked."""

    def get_secret_value(self) -> str: ...


def is_masked(secret: Revealable | str | None) -> bool:
    """Whether a secret read back from the API is a mask (``******``) rather than the value."""
    if secret is None:
        return True
    text = secret if isinstance(secret, str) else secret.get_secret_value()
    # An empty text counts as a mask too: the empty set is a subset of the mask characters.
    return set(text) <= SECRET_MASK_CHARS
