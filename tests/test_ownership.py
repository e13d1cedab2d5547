"""What a delete does to the live setting: disable only what this resource applied.

``plan_release`` against live settings as the API reports them (``EmailProviderInfo``) and
states as the provider writes them; test_dynamic_provider.py plays the same through the emulator.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pulumi_genauth._models import EmailProviderInfo
from pulumi_genauth._ownership import Release, plan_release

from .support import CASES, SMTP_PASSWORD

# What create records as applied_setting for CASES["custom"]: the setting without its secret.
APPLIED_CUSTOM = {
    "type": "custom",
    "smtp_config": {
        "smtp_host": "smtp.example.com",
        "smtp_port": 465,
        "sender": "no-reply@example.com",
        "secure": True,
    },
}
LEFT = "user pool 'pool-a' is left as it is: "


def live(kind: str = "custom", **config: Any) -> EmailProviderInfo:
    """pool-a's setting as the API reports it: CASES[kind], with ``config`` fields changed."""
    wire = copy.deepcopy(CASES[kind][1])
    next(value for key, value in wire.items() if key.endswith("Config")).update(config)
    return EmailProviderInfo.model_validate(wire)


def state(applied: dict[str, Any] | None = APPLIED_CUSTOM, **config: Any) -> dict[str, Any]:
    """The outputs create writes for CASES["custom"], with ``smtp_config`` fields changed."""
    props = copy.deepcopy(CASES["custom"][0])
    props["smtp_config"].update(config)
    outputs = {"userpool_id": "pool-a", **props, "pool": None}
    if applied is not None:
        outputs["applied_setting"] = applied
    return outputs


def disabled_wire(release: Release) -> dict[str, Any]:
    """The body a release sends, as the API receives it."""
    assert release.warning is None
    assert release.request is not None
    return release.request.to_wire()


def test_the_setting_this_resource_applied_is_sent_back_disabled() -> None:
    """Live setting = applied one: the same setting, secret included, with enabled false."""
    release = plan_release("pool-a", live(), state(), claimed=False)
    assert disabled_wire(release) == {**CASES["custom"][1], "enabled": False}


def test_a_state_from_before_applied_setting_compares_its_own_setting() -> None:
    """A state written before applied_setting existed: its own outputs are what was applied."""
    release = plan_release("pool-a", live(), state(applied=None), claimed=False)
    assert disabled_wire(release) == {**CASES["custom"][1], "enabled": False}


def test_a_change_taken_in_by_refresh_is_still_not_this_resources() -> None:
    """Someone moved the port, a refresh wrote it to the outputs: applied_setting decides, and
    the warning names the field (its values only where the front end says they may show)."""
    refreshed = state(smtp_port=2525)  # the outputs now describe the live setting
    release = plan_release("pool-a", live(smtp_port=2525), refreshed, claimed=False)
    assert release == Release(
        None,
        f"{LEFT}its live email provider is not the setting this resource applied "
        "(smtp_config.smtp_port differs); another stack or a person has changed it since",
    )


def everything_shown(_path: tuple[str, ...]) -> bool:
    return True


@pytest.mark.parametrize(
    ("changed", "differences"),
    [
        (
            {"smtp_host": "b.example"},
            "smtp_config.smtp_host is 'b.example' live, 'smtp.example.com' applied",
        ),
        (
            {"smtp_host": "b.example", "smtp_port": 2525, "secure": False},
            "smtp_config.smtp_host is 'b.example' live, 'smtp.example.com' applied; "
            "smtp_config.smtp_port is 2525 live, 465 applied; "
            "smtp_config.secure is false live, true applied",
        ),
        (
            {"sender": None},
            "smtp_config.sender is '' live, 'no-reply@example.com' applied",
        ),
    ],
    ids=["one field", "fields in the API's order", "a field the API fills in"],
)
def test_the_warning_names_each_field_that_differs_with_both_values(
    changed: dict[str, Any], differences: str
) -> None:
    """A live setting another stack changed: each differing field, live value then applied."""
    release = plan_release(
        "pool-a", live(**changed), state(), claimed=False, shown=everything_shown
    )
    assert release == Release(
        None,
        f"{LEFT}its live email provider is not the setting this resource applied "
        f"({differences}); another stack or a person has changed it since",
    )


def test_another_type_is_named_with_both_types() -> None:
    """A live SendGrid setting where this resource applied SMTP: the type, not every field;
    quoted by default (one of four names, never a config value the program made secret)."""
    release = plan_release(
        "pool-a", live("sendgrid"), state(), claimed=False, shown=everything_shown
    )
    assert release == Release(
        None,
        f"{LEFT}its live email provider is not the setting this resource applied (type is "
        "'sendgrid' live, 'custom' applied); another stack or a person has changed it since",
    )


def test_a_value_the_front_end_may_not_show_is_named_without_it() -> None:
    """The program made the host secret (the front end says so): the field, and no value."""

    def host_hidden(path: tuple[str, ...]) -> bool:
        return path != ("smtp_config", "smtp_host")

    release = plan_release(
        "pool-a",
        live(smtp_host="planted-live-host.example", smtp_port=2525),
        state(),
        claimed=False,
        shown=host_hidden,
    )
    assert release == Release(
        None,
        f"{LEFT}its live email provider is not the setting this resource applied "
        "(smtp_config.smtp_host differs; smtp_config.smtp_port is 2525 live, 465 applied); "
        "another stack or a person has changed it since",
    )
    assert "planted-live-host" not in str(release)
    assert "smtp.example.com" not in str(release)


def test_a_changed_secret_is_never_quoted_even_where_values_may_show() -> None:
    """Another password beside another host: the host's values, never either password."""
    release = plan_release(
        "pool-a",
        live(smtp_host="b.example", senderPass="their-password"),
        state(),
        claimed=False,
        shown=everything_shown,
    )
    assert release.warning is not None
    assert "smtp_config.smtp_host is 'b.example' live" in release.warning
    assert "sender_pass" not in release.warning
    assert "their-password" not in release.warning
    assert SMTP_PASSWORD not in release.warning


def test_a_state_without_a_complete_setting_leaves_the_pool() -> None:
    """Nothing to compare the live setting with: left as it is, and said why."""
    incomplete = {"userpool_id": "pool-a", "type": None, "enabled": True, "pool": None}
    release = plan_release("pool-a", live(), incomplete, claimed=False)
    assert release == Release(
        None,
        f"{LEFT}the state holds no complete email provider setting of this resource to compare "
        "with the live one",
    )


@pytest.mark.parametrize("held", [None, ""], ids=["no secret", "an empty secret"])
def test_a_masked_secret_the_state_does_not_hold_cannot_be_sent_back(held: str | None) -> None:
    """The service shows ******, the state has no secret to put back: left, and said why."""
    release = plan_release(
        "pool-a", live(senderPass="******"), state(sender_pass=held), claimed=False
    )
    assert release == Release(
        None,
        f"{LEFT}the service masks smtp_config.sender_pass and the state does not hold it, so "
        "the setting cannot be sent back disabled",
    )


def test_a_live_setting_without_its_config_object_cannot_be_sent_back() -> None:
    """The API names the type but shows no config: no secret to send back, left as it is."""
    bare = EmailProviderInfo(enabled=True, type="custom")
    release = plan_release("pool-a", bare, state(sender_pass=None), claimed=False)
    assert release == Release(
        None,
        f"{LEFT}the service masks smtp_config.sender_pass and the state does not hold it, so "
        "the setting cannot be sent back disabled",
    )


@pytest.mark.parametrize("held", [None, ""], ids=["no secret", "an empty secret"])
def test_a_shown_secret_the_state_does_not_hold_is_said_so_not_blamed_on_others(
    held: str | None,
) -> None:
    """After an import (or a refresh that found another secret) and no `up` since, the state
    has no secret: the pool is left as it is, and the reason is that, not someone else."""
    release = plan_release(
        "pool-a", live(senderPass="their-password"), state(sender_pass=held), claimed=False
    )
    assert release == Release(
        None,
        f"{LEFT}the state does not hold smtp_config.sender_pass (an import does not read it, "
        "and no `pulumi up` has applied the declared one since), so the setting cannot be sent "
        "back disabled",
    )
    assert "their-password" not in str(release)


@pytest.mark.parametrize("config", [None, "not an object"], ids=["none", "a string"])
def test_a_state_whose_config_is_not_an_object_holds_no_secret_to_send_back(config: Any) -> None:
    """The applied setting matches the live one, but the state's config is no object: it holds
    no secret, so the pool is left as it is, and the reason is that."""
    release = plan_release(
        "pool-a",
        live(senderPass="their-password"),
        {**state(), "smtp_config": config},
        claimed=False,
    )
    assert release == Release(
        None,
        f"{LEFT}the state does not hold smtp_config.sender_pass (an import does not read it, "
        "and no `pulumi up` has applied the declared one since), so the setting cannot be sent "
        "back disabled",
    )
    assert "their-password" not in str(release)


def test_another_secret_is_not_this_resources_setting() -> None:
    """Same fields, another password: someone else's setting, left as it is, and said so."""
    release = plan_release("pool-a", live(senderPass="their-password"), state(), claimed=False)
    assert release == Release(
        None,
        f"{LEFT}its live smtp_config.sender_pass is not the one this resource applied; "
        "another stack or a person has changed it since",
    )
    assert SMTP_PASSWORD not in str(release)


def test_a_pool_claimed_in_this_deployment_is_left_to_the_resource_that_claimed_it() -> None:
    """A rename without an alias: the new resource configured the pool, the old one keeps off."""
    release = plan_release("pool-a", live(), state(), claimed=True)
    assert release == Release(
        None,
        f"{LEFT}another EmailProvider of this deployment configured it (a resource renamed "
        "without an alias, or replaced on the same pool)",
    )


def test_a_disabled_setting_needs_nothing_and_says_nothing() -> None:
    """Already handed back to GenAuth's built-in mail: no request, no warning."""
    off = EmailProviderInfo.model_validate({**CASES["custom"][1], "enabled": False})
    assert plan_release("pool-a", off, state(), claimed=False) == Release(None)
