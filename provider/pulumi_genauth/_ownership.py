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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ._changes import field_order
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

__all__ = ["Release", "Shown", "plan_release", "type_shown"]

Shown = Callable[[tuple[str, ...]], bool]
"""Whether a message may quote the value at a path of the setting (``("smtp_config",
"smtp_host")``): only where the program did not make it secret. The native plugin can tell
(``native._properties.not_secret_in``); the dynamic resource cannot (the engine sends its
provider every secret as plain text), so it quotes the type alone (:func:`type_shown`)."""


def type_shown(path: tuple[str, ...]) -> bool:
    """Quote the type alone, one of four names of the schema; never a config's value, which
    the program may have made secret."""
    return path == ("type",)


_UNSET: Final = object()


@dataclass(frozen=True)
class Release:
    """What a delete does: send ``request`` (the setting, disabled), or leave the pool alone."""

    request: ConfigEmailProviderInput | None
    warning: str | None = None
    """Why the pool is left alone, for the user; never a secret."""


def plan_release(
    userpool_id: str,
    live: EmailProviderInfo,
    state: Mapping[str, Any],
    *,
    claimed: bool,
    shown: Shown = type_shown,
) -> Release:
    """Decide what deleting the resource whose outputs are ``state`` does to the live setting.

    Only the setting the resource applied is disabled: not one that another resource of this
    deployment configured (``claimed``), not one whose type or non-secret fields differ from
    the applied ones, not one whose secret (where the service shows it) is another. The
    warning names each field that differs, with its two values where ``shown`` allows.
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
    live_setting = public_setting(live_props)
    if live_setting != applied:
        return Release(
            None,
            f"user pool {pool} is left as it is: its live email provider is not the setting "
            f"this resource applied ({_differences(live_props, applied, shown)}); another "
            "stack or a person has changed it since",
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


def _differences(live: Mapping[str, Any], applied: Mapping[str, Any], shown: Shown) -> str:
    """Each field of the setting that differs between the ``live`` properties and the
    ``applied`` setting: ``smtp_config.smtp_host is 'b' live, 'a' applied``, or
    ``smtp_config.smtp_host differs`` where its value may not be quoted.

    Another type is that alone (the configs of two types have nothing to compare).
    """
    if live.get("type") != applied["type"]:
        return _difference(("type",), live.get("type"), applied["type"], shown)
    name = CONFIG_FIELD_BY_TYPE[EmailProviderType(applied["type"])][0]
    # Compared as delete compares them: the live config without its secret, defaults filled.
    before = (public_setting(live) or {}).get(name) or {}
    after = applied.get(name) or {}
    return "; ".join(
        _difference((name, field), before.get(field, _UNSET), after.get(field, _UNSET), shown)
        for field in field_order(name, before, after)
        if before.get(field, _UNSET) != after.get(field, _UNSET)
    )


def _difference(path: tuple[str, ...], live: Any, applied: Any, shown: Shown) -> str:
    name = ".".join(path)
    if not shown(path):
        return f"{name} differs"
    return f"{name} is {_quoted(live)} live, {_quoted(applied)} applied"


def _quoted(value: Any) -> str:
    if value is _UNSET or value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
