"""Who may change a user pool's email provider setting, and when a delete may disable it.

The setting is a singleton of the user pool, so two things can own it by mistake:

* two resources of one deployment (two ``EmailProvider``s on one pool, or a resource renamed
  without an alias, which the engine creates anew and then deletes under its old name):
  ``_claims.PoolClaims`` remembers the pools a deployment has configured, so that a second
  create or update of one pool fails before it overwrites the first, and a delete of a pool
  configured in the same deployment leaves it alone;
* another stack, or a person, after this resource applied its setting: :func:`plan_release`
  compares the live setting with the one the resource applied, and disables only that.

"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._fields import (
    APPLIED_KEY,
    CONFIG_FIELD_BY_TYPE,
    SECRET_FIELD_BY_CONFIG,
    EmailProviderType,
    is_masked,
)
from ._setting import from_live, public_setting, to_request

if TYPE_CHECKING:
    # The wire models (pydantic) load when a request is built, not with this module.
    from ._models import ConfigEmailProviderInput, EmailProviderInfo

__all__ = ["Release", "plan_release"]


@dataclass(frozen=True)
class Release:
    """What a delete does: send ``request`` (the setting, disabled), or leave the pool alone."""

    request: ConfigEmailProviderInput | None
    warning: str | None = None
    """Why the pool is left alone, for the user; never a secret."""


def plan_release(
    userpool_id: str, live: EmailProviderInfo, state: Mapping[str, Any], *, claimed: bool
) -> Release:
    """Decide what deleting the resource whose outputs are ``state`` does to the live setting.

    Only the setting the resource applied is disabled: not one that another resource of this
    deployment configured (``claimed``), not one whose type or non-secret fields differ from
    the applied ones, not one whose secret (where the service shows it) is another.
    """
    pool = repr(userpool_id)
    if claimed:
        return Release(
            None,
            f"user pool {pool} is left as it is: another EmailProvider of this deployment "
            "configured it (a resource renamed without an alias, or replaced on the same pool)",
        )
    if not live.enabled:
        return Release(None)  # already handed back to GenAuth's built-in mail
    applied = state.get(APPLIED_KEY)
    applied = applied if isinstance(applied, Mapping) else public_setting(state)
    if applied is None:
        return Release(
            None,
            f"user pool {pool} is left as it is: the state holds no complete email provider "
            "setting of this resource to compare with the live one",
        )
    live_props = from_live(live, state)
    if public_setting(live_props) != applied:
        return Release(
            None,
            f"user pool {pool} is left as it is: its live email provider (type "
            f"{live_props['type']!r}) is not the setting this resource applied (type "
            f"{applied['type']!r}); another stack or a person has changed it since",
        )
    name = CONFIG_FIELD_BY_TYPE[EmailProviderType(applied["type"])][0]
    secret_field = SECRET_FIELD_BY_CONFIG[name]
    # from_live kept the state's secret where the live one is it or masks it, else None.
    secret = live_props[name][secret_field]
    if not isinstance(secret, str) or not secret:
        live_secret = getattr(getattr(live, name), secret_field, None)
        config = state.get(name)
        held = config.get(secret_field) if isinstance(config, Mapping) else None
        if is_masked(live_secret):
            reason = (
                f"the service masks {name}.{secret_field} and the state does not hold it, so "
                "the setting cannot be sent back disabled"
            )
        elif not isinstance(held, str) or not held:
            # An import never reads the secret back; a refresh that found another one
            # records it as unknown. Neither knows the secret to send back.
            reason = (
                f"the state does not hold {name}.{secret_field} (an import does not read it, "
                "and no `pulumi up` has applied the declared one since), so the setting cannot "
                "be sent back disabled"
            )
        else:
            reason = (
                f"its live {name}.{secret_field} is not the one this resource applied; "
                "another stack or a person has changed it since"
            )
        return Release(None, f"user pool {pool} is left as it is: {reason}")
    return Release(to_request({"type": applied["type"], "enabled": False, name: live_props[name]}))
