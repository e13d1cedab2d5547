"""The provider's own config as the engine handles it: what is secret in it, what changes.

A ``genauth`` provider's config (``host``, ``accessKeyId``, ``accessKeySecret``, ``brand``,
``pools``) is the provider resource's inputs. Two of the engine's calls are about it:

* ``CheckConfig`` returns the inputs the engine stores: the secrets are marked there
  (:func:`with_secrets_marked`). The access key secret is secret; so is, in each entry of
  ``pools``, every value but ``host``, ``accessKeyId`` and ``brand`` (the entry's
  ``accessKeySecret``, and a misspelt key that may hold it), which are no more secret than the
  provider's own. The engine then carries over the secrecy the program gave (a ``pools`` made
  secret as a whole, as the generated SDKs make it, stays secret as a whole: the engine sends
  CheckConfig no secret flag, and marks the result as the program's inputs were).
* ``DiffConfig`` says which paths change (:func:`config_changes`), so that ``preview --diff``
  names an entry of ``pools`` added (``+ support``), removed, or given another host, key id or
  secret (``~ host``, ``accessKeySecret: [secret] => [secret]``) instead of ``pools: [secret]``.
  The engine sends DiffConfig no secret flag either: values are compared as plain text here
  and never leave this module but as paths.

``pools`` arrives as an object from YAML and as JSON text from the SDKs (which send a
provider's object config as text), and from the stack config ``genauth:pools`` of the default
provider: both are compared entry by entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from .._changes import Change
from .._credentials import POOL_ENTRY_PUBLIC_KEYS
from ._values import PropertyValue, plain

POOLS: Final = "pools"
# The provider config that is secret as a whole (the schema says so too).
SECRET_KEYS: Final = frozenset({"accessKeySecret"})
# A path element the engine reads bare (pulumi/pulumi v3.274.1,
# sdk/go/common/resource/properties_path.go); any other is quoted, as ["a.b"].
_BARE: Final = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")
_MISSING: Final = object()


def with_secrets_marked(inputs: Mapping[str, PropertyValue]) -> dict[str, PropertyValue]:
    """The provider's inputs with every secret of its config marked (see the module)."""
    marked: dict[str, PropertyValue] = {}
    for key, value in inputs.items():
        if key in SECRET_KEYS:
            marked[key] = value.with_secret(True)
        elif key == POOLS:
            marked[key] = _pools_marked(value)
        else:
            marked[key] = value
    return marked


def _pools_marked(pools: PropertyValue) -> PropertyValue:
    if isinstance(pools.value, str):
        # JSON text (an SDK, or the default provider's stack config): one value, secret whole.
        return pools.with_secret(True)
    if not isinstance(pools.value, Mapping):
        return pools  # not known yet, or no pools: nothing in it to mark
    return pools.with_value({name: _entry_marked(entry) for name, entry in pools.value.items()})


def _entry_marked(entry: PropertyValue) -> PropertyValue:
    if not isinstance(entry.value, Mapping):
        # Not an object (configure refuses it): it may be anything, a secret among them.
        return entry.with_secret(True)
    return entry.with_value(
        {
            key: value if key in POOL_ENTRY_PUBLIC_KEYS else value.with_secret(True)
            for key, value in entry.value.items()
        }
    )


def config_changes(
    olds: Mapping[str, PropertyValue], news: Mapping[str, PropertyValue]
) -> dict[str, Change]:
    """Every path of the provider config that differs between ``olds`` and ``news``, by kind.

    An entry of ``pools`` added or removed is that entry's path; a value changed in one is
    the value's path (``pools.support.host``). A value not known yet (a preview) differs.
    Empty exactly when the config is the same (JSON text and an object holding the same
    entries are the same).
    """
    before = {key: _comparable(key, value) for key, value in olds.items()}
    after = {key: _comparable(key, value) for key, value in news.items()}
    changes: dict[str, Change] = {}
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if key == POOLS and isinstance(old, Mapping) and isinstance(new, Mapping):
            changes.update(_pools_changes(old, new))
        else:
            changes.update(_changes([key], old, new))
    return changes


def _pools_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Change]:
    changes: dict[str, Change] = {}
    for name in sorted(old.keys() | new.keys()):
        old_entry, new_entry = old.get(name, _MISSING), new.get(name, _MISSING)
        path = [POOLS, name]
        if isinstance(old_entry, Mapping) and isinstance(new_entry, Mapping):
            for key in sorted(old_entry.keys() | new_entry.keys()):
                changes.update(_changes([*path, key], old_entry.get(key), new_entry.get(key)))
        else:
            changes.update(_changes(path, old_entry, new_entry))
    return changes


def _changes(path: list[str], old: Any, new: Any) -> dict[str, Change]:
    """The change of one value; absent (or null) on one side is an add or a delete."""
    old_set = old is not _MISSING and old is not None
    new_set = new is not _MISSING and new is not None
    if not old_set and not new_set:
        return {}
    if not old_set:
        return {property_path(path): Change.ADD}
    if not new_set:
        return {property_path(path): Change.DELETE}
    return {property_path(path): Change.UPDATE} if old != new else {}


def _comparable(key: str, value: PropertyValue) -> Any:
    """A config value as plain Python; ``pools`` given as JSON text, as the object it holds."""
    found = plain(value)
    if key == POOLS and isinstance(found, str):
        try:
            parsed = json.loads(found)
        except json.JSONDecodeError:
            return found  # compared as text; configure says what is wrong with it
        return parsed if isinstance(parsed, Mapping) else found
    return found


def property_path(elements: list[str]) -> str:
    """The engine's spelling of a property path: ``pools.support.host``, ``pools["a.b"]``."""
    spelled = ""
    for element in elements:
        if _BARE.fullmatch(element):
            spelled += f".{element}" if spelled else element
        else:
            spelled += '["' + element.replace('"', '\\"') + '"]'
    return spelled


__all__ = ["config_changes", "property_path", "with_secrets_marked"]
