"""What create, update, read and delete do to a user pool's setting, for either front end.

The dynamic resource (``_provider``) and the native plugin (``native/``) call these with a
property bag in the core's spelling (``smtp_config.sender_pass``) and a function that shows a
warning to the user (each front end has its own way to reach the CLI). Everything here is
synchronous and talks to GenAuth through one ``GenAuthClient``; the front ends decide on which
thread it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import _smtp_preflight
from ._changes import setting_changes
from ._fields import (
    APPLIED_KEY,
    CONFIG_FIELD_BY_TYPE,
    KEY_ID_KEY,
    POOL_KEY,
    SECRET_FIELD_BY_CONFIG,
    SETTING_KEYS,
    EmailProviderType,
    is_masked,
)
from ._ownership import Shown, plan_release, type_shown
from ._setting import from_live, normalized, public_setting, to_request

if TYPE_CHECKING:
    from ._claims import PoolClaims
    from ._client import GenAuthClient
    from ._models import EmailProviderInfo

Warn = Callable[[str], None]


def outputs(
    userpool_id: str, setting: Mapping[str, Any], props: Mapping[str, Any], key_id: str | None
) -> dict[str, Any]:
    """The resource's outputs: the pool, the setting, the part of it that was applied, and
    the access key id it was applied with."""
    return {
        "userpool_id": userpool_id,
        **{key: setting.get(key) for key in SETTING_KEYS},
        POOL_KEY: props.get(POOL_KEY),
        APPLIED_KEY: public_setting(setting),
        KEY_ID_KEY: key_id,
    }


def adopt(
    client: GenAuthClient, props: Mapping[str, Any], claims: PoolClaims, warn: Warn
) -> dict[str, Any]:
    """Create: apply the declared setting, warning first about a live one it overwrites.

    With ``verify_smtp`` the mail server is logged in to before GenAuth hears of anything.
    """
    _smtp_preflight.verify(props)
    desired = normalized(props)
    claims.claim(client.userpool_id)
    live = client.get_email_provider()
    found = from_live(live, desired)
    if live.enabled and found != desired:
        warn(_takeover_warning(client.userpool_id, live, found, desired))
    client.config_email_provider(to_request(props))
    return outputs(client.userpool_id, desired, props, client.access_key_id)


def _takeover_warning(
    userpool_id: str, live: EmailProviderInfo, found: Mapping[str, Any], desired: Mapping[str, Any]
) -> str:
    """What create replaces: the live type and, for the same type, each field that differs.

    ``found`` is the live setting as ``from_live`` reads it (no secret of the service's in
    it), ``desired`` the declared one, normalised. A non-secret field is quoted with its live
    value (``smtp_config.smtp_host 'smtp.other.example'``); a secret never is: one the
    service shows and that differs is "a different ...", one it masks (or leaves out) is
    "not shown by the service, so not compared". Masked, it is no difference by itself:
    ``from_live`` reads it as the declared one, so a setting that differs only there is
    adopted without a warning.
    """
    start = f"user pool {userpool_id} already sends mail through a third-party provider"
    disabled = ", which is disabled" if desired.get("enabled") is False else ""
    if found["type"] != desired["type"]:
        return (
            f"{start} (type {live.type!r}); it is replaced by the declared "
            f"{desired['type']!r} setting{disabled}"
        )
    name = CONFIG_FIELD_BY_TYPE[EmailProviderType(desired["type"])][0]
    secret = SECRET_FIELD_BY_CONFIG[name]
    live_config: Mapping[str, Any] = found[name]  # from_live fills a config it was not shown
    details = [f"type {desired['type']!r}"]
    for path in setting_changes(found, desired):
        # Only the selected config's fields: the type is the same, and `enabled` (declared
        # false over the live, enabled setting) is said after the semicolon.
        if len(path) != 2:
            continue
        field = path[1]
        if field == secret:
            details.append(f"a different {name}.{field}")
        elif field in live_config:
            details.append(f"{name}.{field} {live_config[field]!r}")
        else:
            details.append(f"{name}.{field} unset")
    if is_masked(getattr(getattr(live, name), secret, None)):
        details.append(f"{name}.{secret} not shown by the service, so not compared")
    return f"{start} ({', '.join(details)}); it is replaced by the declared setting{disabled}"


def apply(client: GenAuthClient, props: Mapping[str, Any], claims: PoolClaims) -> dict[str, Any]:
    """Update: apply the declared setting (after the SMTP preflight, if asked for)."""
    _smtp_preflight.verify(props)
    claims.claim(client.userpool_id)
    client.config_email_provider(to_request(props))
    return outputs(client.userpool_id, normalized(props), props, client.access_key_id)


def refresh(
    client: GenAuthClient, props: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read: (outputs, inputs) describing the live setting; the inputs make `up` repair drift.

    No secret read from the service is returned (see ``from_live``), and the setting the
    resource applied is carried over, so that a later delete still knows what it owns, as is
    the key it was applied with (a refresh proves a key can read, not that it was applied).
    """
    live = from_live(client.get_email_provider(), props)
    inputs = {**live, POOL_KEY: props.get(POOL_KEY)}
    # A state written before APPLIED_KEY existed: what it describes is what was applied.
    applied = props.get(APPLIED_KEY) or public_setting(props)
    state = outputs(client.userpool_id, live, props, props.get(KEY_ID_KEY))
    return {**state, APPLIED_KEY: applied}, inputs


def release(
    client: GenAuthClient,
    props: Mapping[str, Any],
    claims: PoolClaims,
    warn: Warn,
    shown: Shown = type_shown,
) -> None:
    """Delete: hand the pool back to GenAuth's built-in mail, if its setting is still this one.

    The API has no delete: the setting is sent back with ``enabled: false``. A setting that
    another stack, a person or another resource of this deployment has put in its place is
    left alone, with a warning that says why (quoting the values ``shown`` allows: by default
    the type alone).
    """
    userpool_id = client.userpool_id
    plan = plan_release(
        userpool_id,
        client.get_email_provider(),
        props,
        claimed=claims.is_claimed(userpool_id),
        shown=shown,
    )
    if plan.warning:
        warn(plan.warning)
    if plan.request is not None:
        client.config_email_provider(plan.request)
