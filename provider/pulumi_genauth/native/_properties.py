"""The schema's spelling and the engine's property values, to and from the core's bags.

The core (``_validation``, ``_lifecycle``) reads plain Python property bags named as the
dynamic resource names them (``smtp_config.sender_pass``); the schema, and so every native
program, names them in camelCase (``smtpConfig.senderPass``). The engine's values arrive as
``PropertyValue`` trees: secrets are flagged, numbers are floats, and a value not known yet in
a preview is the wire's unknown sentinel (a string the core recognises).

Secrets are marked here, by the schema's rule, whatever the program passed: the secret field
of every config (``senderPass``, ``apikey``), in the inputs Check returns and in every output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .._constants import UNKNOWN
from .._fields import CONFIG_FIELDS, CONFIG_RULES, SECRET_FIELD_BY_CONFIG, VERIFY_SMTP_KEY
from ._values import Computed, PropertyValue

_WORD_BOUNDARY: Final = re.compile(r"_([a-z0-9])")
_CAPITAL: Final = re.compile(r"([A-Z])")

# Every name of the core's spelling that messages may mention, to be respelled for programs.
_CORE_NAMES: Final = frozenset(
    {
        *CONFIG_FIELDS,
        *(field for rules in CONFIG_RULES.values() for field in rules),
        VERIFY_SMTP_KEY,
        "userpool_id",
        "applied_setting",
    }
)


def camel(name: str) -> str:
    """``smtp_config`` -> ``smtpConfig``: the schema's spelling of a core name."""
    return _WORD_BOUNDARY.sub(lambda match: match.group(1).upper(), name)


def snake(name: str) -> str:
    """``smtpConfig`` -> ``smtp_config``: the core's spelling of a schema name."""
    return _CAPITAL.sub(lambda match: "_" + match.group(1).lower(), name)


def respell(text: str, names: frozenset[str] = frozenset()) -> str:
    """A core message as a program reads it: every property name (and ``names``) in camelCase.

    Only names are touched, so a value quoted in the message (a host name with ``_``) is not.
    """
    known = _CORE_NAMES | names
    return re.sub(
        r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+",
        lambda match: camel(match.group(0)) if match.group(0) in known else match.group(0),
        text,
    )


def to_core(properties: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """A resource's properties as the core's plain bag: every name in snake_case."""
    return {snake(key): _plain(value) for key, value in properties.items()}


def user_names(properties: Mapping[str, PropertyValue]) -> frozenset[str]:
    """The core spelling of every name the program wrote, for :func:`respell` (typos too)."""
    names = {snake(key) for key in properties}
    for value in properties.values():
        if isinstance(value.value, Mapping):
            names.update(snake(field) for field in value.value)
    return frozenset(name for name in names if "_" in name)


def to_engine(bag: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """The core's outputs as property values: camelCase names, each config's secret marked."""
    result: dict[str, PropertyValue] = {}
    for key, item in bag.items():
        if key in CONFIG_FIELDS and isinstance(item, Mapping):
            secret = SECRET_FIELD_BY_CONFIG[key]
            result[camel(key)] = PropertyValue(
                {
                    camel(field): _value(value, secret=field == secret)
                    for field, value in item.items()
                }
            )
        else:
            result[camel(key)] = _value(item)
    return result


def with_secrets_marked(properties: Mapping[str, PropertyValue]) -> dict[str, PropertyValue]:
    """The program's inputs, unchanged but for each config's secret field, marked secret."""
    result = dict(properties)
    for key, value in properties.items():
        name = snake(key)
        if name in CONFIG_FIELDS and isinstance(value.value, Mapping):
            secret = camel(SECRET_FIELD_BY_CONFIG[name])
            fields = dict(value.value)
            if secret in fields:
                fields[secret] = fields[secret].with_secret(True)
            result[key] = value.with_value(fields)
    return result


def _plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {snake(key): _plain(item) for key, item in inner.items()}
    if isinstance(inner, tuple):
        return [_plain(item) for item in inner]
    return inner


def _value(item: Any, *, secret: bool = False) -> PropertyValue:
    # The core's outputs are scalars in (nested) mappings: a setting holds no list.
    if isinstance(item, Mapping):
        item = {camel(key): _value(value) for key, value in item.items()}
    elif isinstance(item, int) and not isinstance(item, bool):
        item = float(item)  # the wire has one number type
    return PropertyValue(item, secret)
