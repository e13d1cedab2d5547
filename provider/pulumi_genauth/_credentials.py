"""Where the provider's GenAuth credentials come from.

In order: the stack config (``genauth:host``, ``genauth:accessKeyId``,
``genauth:accessKeySecret``, and for a private deployment of the Authing brand
``genauth:brand``), then the environment (``GENAUTH_HOST``, ``GENAUTH_ACCESS_KEY_ID``,
``GENAUTH_ACCESS_KEY_SECRET``, ``GENAUTH_BRAND``). A resource with ``pool="name"``
uses the entry ``name`` of the stack config object ``genauth:pools`` instead.

A value that is empty or white space only (a variable a CI template sets to nothing, a config
key set to "") counts as unset, wherever it is read. A brand is taken in any case.

Credentials are read in the provider process from the config the engine hands to
``configure()``; they are never resource inputs and never pickled with the provider. (The
engine itself records the stack config it configured the provider with in the state, under the
default provider resource, secret values encrypted.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _constants as c
from ._exceptions import ConfigurationError, MissingCredentialsError
from ._hosts import Brand, normalize_host

CONFIG_NAMESPACE = "genauth:"
CONFIG_HOST = "genauth:host"
CONFIG_ACCESS_KEY_ID = "genauth:accessKeyId"
CONFIG_ACCESS_KEY_SECRET = "genauth:accessKeySecret"  # noqa: S105 - a config key
CONFIG_POOLS = "genauth:pools"
CONFIG_BRAND = "genauth:brand"
# Every key of the namespace this package reads; any other genauth: key is a typo.
CONFIG_KEYS = (
    CONFIG_HOST,
    CONFIG_ACCESS_KEY_ID,
    CONFIG_ACCESS_KEY_SECRET,
    CONFIG_POOLS,
    CONFIG_BRAND,
)
# The keys of one entry of genauth:pools.
POOL_ENTRY_KEYS = ("host", "accessKeyId", "accessKeySecret", "brand")
# The keys of an entry that are not secret, as the provider's own host, accessKeyId and brand
# are not: a provider's state and its diff show them. Any other value of an entry (the
# accessKeySecret, a misspelt key that may hold it) is kept secret.
POOL_ENTRY_PUBLIC_KEYS = frozenset({"host", "accessKeyId", "brand"})


@dataclass(frozen=True)
class PoolsPlace:
    """Where a provider's pool entries are written, as messages name them."""

    path: str
    """The entries' object as a path names it: ``genauth:pools``, or ``pools``."""
    owner: str
    """The phrase that names it in a sentence: ``the stack config genauth:pools``."""
    key_kind: str
    """What a key of it is called: ``stack config key``, or ``provider property``."""
    in_stack_config: bool = False
    """Whether it is set with ``pulumi config set`` (the default provider's)."""


# The stack config genauth:pools: the dynamic resource's, and the default native provider's.
STACK_POOLS = PoolsPlace(
    CONFIG_POOLS, f"the stack config {CONFIG_POOLS}", "stack config key", in_stack_config=True
)
# The pools of a provider that may be the default one or an explicit one.
PROVIDER_POOLS = PoolsPlace("pools", "the provider's pools", "provider property")


def explicit_provider_pools(name: str) -> PoolsPlace:
    """The ``pools`` property of the explicit provider ``name``."""
    return PoolsPlace("pools", f"the pools of provider {name!r}", "provider property")


@dataclass(frozen=True)
class Credentials:
    """An access key and the host it is valid for. The secret never shows in a repr."""

    host: str
    access_key_id: str
    access_key_secret: str = field(repr=False)
    brand: Brand | None = None
    """Header brand; None picks it from the host (only private deployments need it)."""


def resolve_credentials(
    config: Mapping[str, Any],
    environ: Mapping[str, str],
    pool: str | None,
    place: PoolsPlace = STACK_POOLS,
) -> Credentials:
    """Pick the credentials for the default pool (``pool=None``) or a named one.

    ``config`` is the namespaced stack config (values as strings, structured values as JSON
    text), as ``configure()`` receives it; ``place`` is where messages say its
    ``genauth:pools`` was written (an explicit native provider's ``pools`` property).
    """
    found_host = _setting(config, CONFIG_HOST, environ, c.ENV_HOST)
    default_host = _checked_host(*found_host) if found_host else c.DEFAULT_HOST
    found_brand = _setting(config, CONFIG_BRAND, environ, c.ENV_BRAND)
    default_brand = _brand(*found_brand) if found_brand else None
    if pool is not None:
        return _named_pool(config, pool, default_host, default_brand, place)

    key_id = _setting(config, CONFIG_ACCESS_KEY_ID, environ, c.ENV_ACCESS_KEY_ID)
    secret = _setting(config, CONFIG_ACCESS_KEY_SECRET, environ, c.ENV_ACCESS_KEY_SECRET)
    if key_id is None or secret is None:
        missing = []
        if key_id is None:
            missing.append(f"{CONFIG_ACCESS_KEY_ID} (or ${c.ENV_ACCESS_KEY_ID})")
        if secret is None:
            missing.append(f"{CONFIG_ACCESS_KEY_SECRET} (or ${c.ENV_ACCESS_KEY_SECRET})")
        raise MissingCredentialsError(
            "GenAuth credentials are missing: set "
            + " and ".join(missing)
            + f", e.g. `pulumi config set {CONFIG_ACCESS_KEY_ID} <id>` and "
            f"`pulumi config set --secret {CONFIG_ACCESS_KEY_SECRET} <secret>`"
        )
    return Credentials(
        host=default_host,
        access_key_id=key_id[0],
        access_key_secret=secret[0],
        brand=default_brand,
    )


def pool_names(config: Mapping[str, Any]) -> list[str]:
    """The names of the entries of ``genauth:pools`` (empty when it is not set)."""
    return sorted(_pools(config))


def _named_pool(
    config: Mapping[str, Any],
    pool: str,
    default_host: str,
    default_brand: Brand | None,
    place: PoolsPlace,
) -> Credentials:
    pools = _pools(config)
    if pool not in pools:
        raise ConfigurationError(unknown_pool_message(pool, list(pools), place))
    entry = pools[pool]
    at = f"{place.path}.{pool}"
    if not isinstance(entry, Mapping):
        raise ConfigurationError(f"{at} must be an object with accessKeyId and accessKeySecret")
    key_id, secret = _text(entry.get("accessKeyId")), _text(entry.get("accessKeySecret"))
    if not key_id or not secret:
        missing = [
            f"{at}.{name}"
            for name, value in (("accessKeyId", key_id), ("accessKeySecret", secret))
            if not value
        ]
        how = " (the secret with --secret --path)" if place.in_stack_config else ""
        raise ConfigurationError(
            f"GenAuth credentials are missing for pool {pool!r}: set {' and '.join(missing)}{how}"
        )
    unknown = sorted(set(entry) - set(POOL_ENTRY_KEYS))
    if unknown:
        raise ConfigurationError(
            unknown_key_message(f"{at}.", unknown[0], POOL_ENTRY_KEYS, place.key_kind)
        )
    entry_host = _text(entry.get("host"))
    host = _checked_host(entry_host, f"{at}.host") if entry_host else default_host
    entry_brand = _text(entry.get("brand"))
    brand = _brand(entry_brand, f"{at}.brand") if entry_brand else default_brand
    return Credentials(host=host, access_key_id=key_id, access_key_secret=secret, brand=brand)


def unknown_pool_message(pool: str, entries: Sequence[str], place: PoolsPlace) -> str:
    """One sentence naming a ``pool`` that is no entry of ``place``, the entries, and the one
    nearest to it (a typo), else how to add it."""
    listed = ", ".join(repr(name) for name in sorted(entries)) or "none"
    message = f"pool {pool!r} is not an entry of {place.owner} (entries: {listed})"
    near = nearest(pool, entries)
    if near is not None:
        return f"{message}: did you mean {near!r}?"
    if place.in_stack_config:
        return (
            f"{message}; add it with `pulumi config set --path "
            f"'{place.path}.{pool}.accessKeyId' <id>` and `pulumi config set --secret --path "
            f"'{place.path}.{pool}.accessKeySecret' <secret>`"
        )
    return f"{message}; add an entry {pool!r} with its accessKeyId and accessKeySecret"


def nearest(name: str, known: Sequence[str]) -> str | None:
    """The known name nearest to ``name`` (a typo of it), if one is near enough."""
    import difflib  # noqa: PLC0415 - only for a typo, never on the way of a good config

    found = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_config_keys(config: Mapping[str, Any]) -> list[str]:
    """The keys of the genauth: namespace in ``config`` that this package does not read."""
    return sorted(
        key for key in config if key.startswith(CONFIG_NAMESPACE) and key not in CONFIG_KEYS
    )


def unknown_key_message(
    prefix: str, key: str, known: Sequence[str], kind: str = "stack config key"
) -> str:
    """One sentence naming an unknown config key (a ``kind``) and the known one nearest to it."""
    near = nearest(key, known)
    hint = (
        f"did you mean {prefix}{near}?"
        if near is not None
        else f"the known keys are {', '.join(prefix + name for name in known)}"
    )
    return f"the {kind} {prefix}{key} is not one of pulumi-genauth's: {hint}"


def _setting(
    config: Mapping[str, Any], key: str, environ: Mapping[str, str], variable: str
) -> tuple[str, str] | None:
    """The value of stack config ``key``, else of ``$variable``, and where it was read.

    Where, as a message names it: ``key`` or ``$variable``. A blank value counts as unset in
    either place; None when neither is set.
    """
    configured = _text(config.get(key))
    if configured is not None:
        return configured, key
    from_environ = _text(environ.get(variable))
    if from_environ is not None:
        return from_environ, f"${variable}"
    return None


def _checked_host(host: str, source: str) -> str:
    """``host`` if it is a valid host URL; else an error naming ``source``, where it was read."""
    try:
        normalize_host(host)
    except ConfigurationError as error:
        raise ConfigurationError(f"{source}: {error}") from None
    return host


def _brand(value: str, source: str) -> Brand:
    """The brand ``value`` (stripped text) names, in any case; else an error naming ``source``."""
    name = value.lower()
    if name == "genauth":
        return "genauth"
    if name == "authing":
        return "authing"
    raise ConfigurationError(f"{source} must be 'genauth' or 'authing' (got {value!r})")


def _pools(config: Mapping[str, Any]) -> dict[str, Any]:
    raw = config.get(CONFIG_POOLS)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    try:
        pools = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        # The text may hold secrets: say where the problem is, not what the text is.
        raise ConfigurationError(f"the stack config {CONFIG_POOLS} is not valid JSON") from None
    if not isinstance(pools, dict):
        raise ConfigurationError(
            f"the stack config {CONFIG_POOLS} must be an object of named pools, e.g. "
            '{"staging": {"host": "...", "accessKeyId": "...", "accessKeySecret": "..."}}'
        )
    return pools


def _text(value: Any) -> str | None:
    """``value`` as text without surrounding white space; None when unset, empty or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None
