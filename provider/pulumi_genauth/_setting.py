"""The setting: its normal form, the request built from it, and the live setting read back.

A user pool's email provider setting is a ``type``, ``enabled`` and the config that goes with
the type. These functions take the resource's property bag in the core's spelling (known and
valid: ``check()`` has run) and give what the rest of the core works with:

* :func:`normalized`, the canonical bag (defaults filled, numbers whole), which is what the
  resource's outputs hold;
* :func:`to_request`, the API request (the wire models are imported here at apply time, and
  by ``_client``, which sends them; never at a preview);
* :func:`from_live`, the bag that describes the live setting, holding no secret read back;
* :func:`public_setting`, the setting without its secret, which delete compares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._fields import (
    CONFIG_FIELD_BY_TYPE,
    CONFIG_FIELDS,
    CONFIG_RULES,
    SECRET_FIELD_BY_CONFIG,
    SMTP_OUTPUT_DEFAULTS,
    TYPE_NAMES,
    EmailProviderType,
    Revealable,
    is_masked,
)

if TYPE_CHECKING:
    from ._models import ConfigEmailProviderInput, EmailProviderInfo


def whole_number(item: Any) -> Any:
    # The engine carries every number as a float: 465.0 is the port 465.
    return int(item) if isinstance(item, float) and item.is_integer() else item


def _whole_numbers(value: Mapping[str, Any]) -> dict[str, Any]:
    return {key: whole_number(item) for key, item in value.items()}


def to_request(props: Mapping[str, Any]) -> ConfigEmailProviderInput:
    """The API request for fully known, valid properties (validate them first)."""
    from ._models import ConfigEmailProviderInput  # noqa: PLC0415 - apply time only

    kind = EmailProviderType(props["type"])
    name = CONFIG_FIELD_BY_TYPE[kind][0]
    config = _whole_numbers(dict(props[name]))
    return ConfigEmailProviderInput.model_validate(
        {"type": kind, "enabled": props.get("enabled", True), name: config},
        by_alias=False,
        by_name=True,
    )


def normalized(props: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical property bag: defaults filled, numbers whole, secrets as plain text.

    Two bags that mean the same setting normalise to equal dicts; that is what diff compares.
    Raises ValueError (or KeyError) for a bag that is no complete setting by the API's rules.
    """
    kind = EmailProviderType(props["type"])
    name = CONFIG_FIELD_BY_TYPE[kind][0]
    config = props[name]
    if not isinstance(config, Mapping) or _missing_required(name, config):
        raise ValueError(f"{name} is not a complete {kind.value!r} config")
    result: dict[str, Any] = {
        "type": kind.value,
        "enabled": props.get("enabled", True),
        **dict.fromkeys(CONFIG_FIELDS),
    }
    fields = {key: item for key, item in _whole_numbers(config).items() if item is not None}
    result[name] = with_output_defaults(name, fields)
    return result


def _missing_required(name: str, config: Mapping[str, Any]) -> bool:
    """Whether a field the API requires is absent (the preview's rules say more, and why)."""
    return any(
        rule.required and config.get(field) is None for field, rule in CONFIG_RULES[name].items()
    )


def from_live(info: EmailProviderInfo, known: Mapping[str, Any]) -> dict[str, Any]:
    """The property bag that describes the live setting, holding no secret read from the API.

    The engine keeps a value secret only where the resource's last inputs held a secret at the
    same path, so a secret read back from the service is never returned: where the service
    answers with the secret ``known`` holds (the last applied properties), or masks it
    (``******``), the known secret is kept; anything else (another secret, another type's
    secret) reads as ``None``, which no declared setting equals, so the drift still shows and
    the next ``up`` puts the declared secret back.
    """
    kind = info.type if info.type is not None else known.get("type")
    result: dict[str, Any] = {"type": kind, "enabled": info.enabled, **dict.fromkeys(CONFIG_FIELDS)}
    if kind not in TYPE_NAMES:
        # No type, or one this package does not know: nothing of it can be described.
        return result
    name = CONFIG_FIELD_BY_TYPE[EmailProviderType(kind)][0]
    live_config = getattr(info, name)
    known_config = known.get(name) if isinstance(known.get(name), Mapping) else None
    if live_config is None:
        result[name] = dict(known_config) if known_config is not None else None
        return result
    secret_field = SECRET_FIELD_BY_CONFIG[name]
    config = {
        key: value
        for key, value in live_config.model_dump(by_alias=False, exclude={secret_field}).items()
        if value is not None
    }
    known_secret = known_config.get(secret_field) if known_config is not None else None
    config[secret_field] = _kept_secret(getattr(live_config, secret_field), known_secret)
    result[name] = with_output_defaults(name, config)
    return result


def _kept_secret(live: Revealable | None, known: Any) -> Any:
    """The known secret if the live one is it (or a mask of it), else None: never ``live``."""
    if not isinstance(known, str):
        return None
    if is_masked(live) or (live is not None and live.get_secret_value() == known):
        return known
    return None


def public_setting(props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The setting without its secret: type and the selected config's other fields.

    What ``delete`` compares to tell whether the live setting is still the one a resource
    applied; ``None`` when the properties describe no complete type and config.
    """
    kind = props.get("type")
    if kind not in TYPE_NAMES:
        return None
    name = CONFIG_FIELD_BY_TYPE[EmailProviderType(kind)][0]
    config = props.get(name)
    if not isinstance(config, Mapping):
        return None
    secret_field = SECRET_FIELD_BY_CONFIG[name]
    fields = _whole_numbers(
        {k: v for k, v in config.items() if k != secret_field and v is not None}
    )
    return {"type": kind, name: with_output_defaults(name, fields)}


def with_output_defaults(name: str, config: dict[str, Any]) -> dict[str, Any]:
    """Fill what the API's output DTO always has, so a declared and a read setting compare."""
    if name != "smtp_config":
        return config
    return {
        **config,
        **{
            key: default for key, default in SMTP_OUTPUT_DEFAULTS.items() if config.get(key) is None
        },
    }
