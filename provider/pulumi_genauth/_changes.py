"""Which fields of the setting differ: the per-field diff that both front ends show a reviewer.

``pulumi preview --diff`` prints exactly the paths a provider names in its detailed diff, as
``old => new``, a secret as ``[secret] => [secret]``. A provider that names no path leaves the
engine to compare for itself, and it compares with every secret already masked as
``"[secret]"`` (pulumi/pulumi v3.274.1, pkg/engine/events.go, ``filterPropertyValue``), so a
rotated password or API key would show no change at all. Both front ends therefore name
every path found here: the native plugin in its ``DiffResponse``, the dynamic resource through
its server (``_dynamic_server``).

What is compared is the setting as the API holds it: ``enabled`` defaulting to true, numbers
whole, the SMTP fields the API fills in filled in, ``verify_smtp`` left out (it asks for a
check at apply time and is no part of the setting). The old side need not be complete: after
an import, or a refresh that found another secret, the secret is unknown (``None``), which
differs from every declared secret and is named as that field alone.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final

from ._fields import CONFIG_FIELDS, CONFIG_RULES, KEY_ID_KEY, SECRET_FIELD_BY_CONFIG
from ._setting import whole_number, with_output_defaults
from ._validation import is_unknown

Path = tuple[str, ...]
"""A property path in the core's spelling: ``("smtp_config", "sender_pass")``."""


class Change(enum.Enum):
    """How the value at a path changes, as the engine's detailed diff kinds say it."""

    ADD = "add"
    DELETE = "delete"
    UPDATE = "update"


_MISSING: Final = object()


def setting_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[Path, Change]:
    """Every path of the setting whose value differs between ``olds`` and ``news``.

    ``olds`` is the resource's last state (its outputs), ``news`` the declared inputs, whose
    values may be unknown in a preview: an unknown is the wire's sentinel string, which differs
    from every known value (and a state never holds one), so comparing finds it. The result is
    empty exactly when applying ``news`` would change nothing.
    """
    changes: dict[Path, Change] = {}
    if olds.get("type") != news.get("type"):
        changes[("type",)] = Change.UPDATE
    if _enabled(olds) != _enabled(news):
        changes[("enabled",)] = Change.UPDATE
    for name in CONFIG_FIELDS:
        changes.update(_config_changes(name, olds.get(name), news.get(name)))
    return changes


def resource_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[Path, Change]:
    """:func:`setting_changes`, and the access key when the configured one is another.

    A state written before the key id was recorded, or inputs whose key is not known yet (a
    provider config from another resource's output), say nothing about the key: no change.
    """
    changes = setting_changes(olds, news)
    old_key, new_key = olds.get(KEY_ID_KEY), news.get(KEY_ID_KEY)
    known = isinstance(old_key, str) and isinstance(new_key, str) and not is_unknown(new_key)
    if known and old_key != new_key:
        changes[(KEY_ID_KEY,)] = Change.UPDATE
    return changes


def _config_changes(name: str, old: Any, new: Any) -> dict[Path, Change]:
    if old is None and new is None:
        return {}
    if old is None:
        return {(name,): Change.ADD}
    if new is None:
        return {(name,): Change.DELETE}
    if not (isinstance(old, Mapping) and isinstance(new, Mapping)):
        # An unknown config (a preview), or a state of a shape this package never wrote.
        return {(name,): Change.UPDATE} if old != new else {}
    before, after = _comparable(name, old), _comparable(name, new)
    secret = SECRET_FIELD_BY_CONFIG[name]
    changes: dict[Path, Change] = {}
    for field in field_order(name, before, after):
        old_value, new_value = before.get(field, _MISSING), after.get(field, _MISSING)
        if old_value == new_value:
            continue
        if field == secret or (old_value is not _MISSING and new_value is not _MISSING):
            # A secret the state does not hold (after an import, or a refresh that found
            # another one) is a secret that changes, not one that appears.
            changes[(name, field)] = Change.UPDATE
        elif old_value is _MISSING:
            changes[(name, field)] = Change.ADD
        else:
            changes[(name, field)] = Change.DELETE
    return changes


def _comparable(name: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """A config as the API holds it: no empty fields, numbers whole, output defaults filled."""
    fields = {key: whole_number(value) for key, value in config.items() if value is not None}
    return with_output_defaults(name, fields)


def field_order(name: str, *configs: Mapping[str, Any]) -> list[str]:
    """The config's fields in the API's order, then any others (a typo the preview refuses)."""
    known = list(CONFIG_RULES[name])
    extra = sorted({field for config in configs for field in config} - set(known))
    return known + extra


def _enabled(props: Mapping[str, Any]) -> Any:
    value = props.get("enabled")
    return True if value is None else value
