"""The schema's spelling and the engine's property values, to and from the core's bags.

The core (``_validation``, ``_lifecycle``) reads plain Python property bags named as the
dynamic resource names them (``smtp_config.sender_pass``); the schema, and so every native
program, names them in camelCase (``smtpConfig.senderPass``). The engine's values arrive as
``PropertyValue`` trees: secrets are flagged, numbers are floats, and a value not known yet in
a preview is the wire's unknown sentinel (a string the core recognises).

Secrets are marked here, by the schema's rule, whatever the program passed: the secret field
of every config (``senderPass``, ``apikey``), in the inputs Check returns and in every output,
and the bookkeeping ``appliedSetting`` as a whole. What the program itself made secret, at any
depth, is carried from the inputs to the outputs under the same path (:func:`secret_like`):
this plugin accepts secrets, so the engine leaves that to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from .._constants import UNKNOWN
from .._fields import (
    APPLIED_KEY,
    CONFIG_FIELDS,
    CONFIG_RULES,
    SECRET_FIELD_BY_CONFIG,
    VERIFY_SMTP_KEY,
)
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
            # The bookkeeping is secret as a whole, always (see _fields.APPLIED_KEY).
            result[camel(key)] = _value(item, secret=key == APPLIED_KEY)
    return result


def secret_like(
    outputs: Mapping[str, PropertyValue], inputs: Mapping[str, PropertyValue]
) -> dict[str, PropertyValue]:
    """``outputs`` with every value secret whose path is secret in ``inputs``.

    As the engine's own ``annotateSecrets`` does for a provider that does not accept secrets
    (pulumi/pulumi v3.274.1, pkg/resource/plugin/provider_plugin.go): objects found on both
    sides are walked, any other value under a secret input is secret as a whole (a list too).
    So a config the program made secret as a whole, or one field of it, is as secret in the
    outputs (and, from the old inputs, in what a refresh reads) as it was in the program.
    """
    return {
        key: _secret_like(value, inputs[key]) if key in inputs else value
        for key, value in outputs.items()
    }


def _secret_like(output: PropertyValue, given: PropertyValue) -> PropertyValue:
    both_objects = isinstance(given.value, Mapping) and isinstance(output.value, Mapping)
    if both_objects and not given.is_secret:
        return output.with_value(secret_like(output.value, given.value))
    if _holds_secret(given):
        return output.with_secret(True)
    return output


def _holds_secret(value: PropertyValue) -> bool:
    inner = value.value
    if value.is_secret:
        return True
    if isinstance(inner, Mapping):
        return any(_holds_secret(item) for item in inner.values())
    if isinstance(inner, tuple):
        return any(_holds_secret(item) for item in inner)
    return False


def not_secret_in(properties: Mapping[str, PropertyValue]) -> Callable[[tuple[str, ...]], bool]:
    """Whether the value at a core path (``("smtp_config", "smtp_host")``) is in
    ``properties`` and not secret there, nor anything it is in: what a message may quote."""

    def shown(path: tuple[str, ...]) -> bool:
        level: Any = properties
        for part in path:
            found = level.get(camel(part)) if isinstance(level, Mapping) else None
            if not isinstance(found, PropertyValue) or found.is_secret:
                return False
            level = found.value
        return True

    return shown


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
