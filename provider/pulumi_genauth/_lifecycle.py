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
from ._fields import APPLIED_KEY, POOL_KEY, SETTING_KEYS
from ._ownership import plan_release
from ._validation import from_live, normalized, public_setting, to_request

if TYPE_CHECKING:
    from ._claims import PoolClaims
    from ._client import GenAuthClient

Warn = Callable[[str], None]


def outputs(
    userpool_id: str, setting: Mapping[str, Any], props: Mapping[str, Any]
) -> dict[str, Any]:
    """The resource's outputs: the pool, the setting, and the part of it that was applied."""
    return {
        "userpool_id": userpool_id,
        **{key: setting.get(key) for key in SETTING_KEYS},
        POOL_KEY: props.get(POOL_KEY),
        APPLIED_KEY: public_setting(setting),
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
    if live.enabled and from_live(live, desired) != desired:
        warn(
            f"user pool {client.userpool_id} already sends mail through a third-party "
            f"provider (type {live.type!r}); it is replaced by the declared "
            f"{desired['type']!r} setting"
        )
    client.config_email_provider(to_request(props))
    return outputs(client.userpool_id, desired, props)


def apply(client: GenAuthClient, props: Mapping[str, Any], claims: PoolClaims) -> dict[str, Any]:
    """Update: apply the declared setting (after the SMTP preflight, if asked for)."""
    _smtp_preflight.verify(props)
    claims.claim(client.userpool_id)
    client.config_email_provider(to_request(props))
    return outputs(client.userpool_id, normalized(props), props)


def refresh(
    client: GenAuthClient, props: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read: (outputs, inputs) describing the live setting; the inputs make `up` repair drift.

    No secret read from the service is returned (see ``from_live``), and the setting the
    resource applied is carried over, so that a later delete still knows what it owns.
    """
    live = from_live(client.get_email_provider(), props)
    inputs = {**live, POOL_KEY: props.get(POOL_KEY)}
    # A state written before APPLIED_KEY existed: what it describes is what was applied.
    applied = props.get(APPLIED_KEY) or public_setting(props)
    return {**outputs(client.userpool_id, live, props), APPLIED_KEY: applied}, inputs


def release(
    client: GenAuthClient, props: Mapping[str, Any], claims: PoolClaims, warn: Warn
) -> None:
    """Delete: hand the pool back to GenAuth's built-in mail, if its setting is still this one.

    The API has no delete: the setting is sent back with ``enabled: false``. A setting that
    another stack, a person or another resource of this deployment has put in its place is
    left alone, with a warning that says why.
    """
    userpool_id = client.userpool_id
    plan = plan_release(
        userpool_id, client.get_email_provider(), props, claimed=claims.is_claimed(userpool_id)
    )
    if plan.warning:
        warn(plan.warning)
    if plan.request is not None:
        client.config_email_provider(plan.request)
