"""The per-field diff both front ends show: every path that differs, and nothing else."""

from __future__ import annotations

from typing import Any, Final

import pytest
from pulumi.runtime import rpc

from pulumi_genauth._changes import Change, setting_changes

SMTP: Final = {
    "smtp_host": "smtp.example.com",
    "smtp_port": 465,
    "sender": "mailer@example.com",
    "sender_pass": "pw-1",
    "secure": True,
}
# The outputs a create writes for SMTP: every config key, numbers as the engine's floats.
STATE: Final = {
    "type": "custom",
    "enabled": True,
    "smtp_config": {**SMTP, "smtp_port": 465.0},
    "send_grid_config": None,
    "ali_exmail_config": None,
    "tencent_exmail_config": None,
    "userpool_id": "pool-a",
    "pool": None,
    "applied_setting": {"type": "custom", "smtp_config": {"smtp_host": "elsewhere"}},
}
DECLARED: Final = {"type": "custom", "smtp_config": SMTP}


def declared(**smtp: Any) -> dict[str, Any]:
    return {**DECLARED, "smtp_config": {**SMTP, **smtp}}


def test_the_same_setting_is_no_change_bookkeeping_and_defaults_aside() -> None:
    """Outputs against the inputs that made them: no path (applied_setting is not compared)."""
    assert setting_changes(STATE, DECLARED) == {}


def test_verify_smtp_is_never_a_change() -> None:
    assert setting_changes(STATE, {**DECLARED, "verify_smtp": True}) == {}
    assert setting_changes(STATE, {**declared(smtp_port=587), "verify_smtp": True}) == {
        ("smtp_config", "smtp_port"): Change.UPDATE
    }


def test_defaults_the_api_fills_in_equal_their_absence() -> None:
    """enabled true, sender "" and secure false are what an omitted value reads back as."""
    state = {**STATE, "smtp_config": {**STATE["smtp_config"], "sender": "", "secure": False}}
    bare = {key: SMTP[key] for key in ("smtp_host", "smtp_port", "sender_pass")}
    omitted = {"type": "custom", "smtp_config": bare}
    assert setting_changes(state, omitted) == {}
    assert setting_changes({**state, "enabled": None}, omitted) == {}
    # And the other way round: a state without them, a declaration that spells them out.
    assert setting_changes({**state, "smtp_config": bare}, state) == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [("smtp_host", "smtp.other.com"), ("smtp_port", 587), ("sender", "b@example.com"),
     ("sender_pass", "pw-2"), ("secure", False)],
)  # fmt: skip
def test_each_field_that_changes_is_named_alone(field: str, value: Any) -> None:
    assert setting_changes(STATE, declared(**{field: value})) == {
        ("smtp_config", field): Change.UPDATE
    }


def test_enabled_and_type_are_named_as_themselves() -> None:
    assert setting_changes(STATE, {**DECLARED, "enabled": False}) == {("enabled",): Change.UPDATE}
    switched = {"type": "sendgrid", "send_grid_config": {"sender": "a@example.com", "apikey": "k"}}
    assert setting_changes(STATE, switched) == {
        ("type",): Change.UPDATE,
        ("smtp_config",): Change.DELETE,
        ("send_grid_config",): Change.ADD,
    }


def test_a_secret_the_state_does_not_hold_is_an_update_of_that_secret() -> None:
    """After import, or a refresh that found another secret, the old secret is None."""
    unread = {**STATE, "smtp_config": {**STATE["smtp_config"], "sender_pass": None}}
    assert setting_changes(unread, DECLARED) == {("smtp_config", "sender_pass"): Change.UPDATE}


def test_a_field_only_one_side_has_is_added_or_deleted() -> None:
    no_sender = {**STATE, "smtp_config": {k: v for k, v in SMTP.items() if k != "smtp_host"}}
    assert setting_changes(no_sender, DECLARED) == {("smtp_config", "smtp_host"): Change.ADD}
    typo = declared(smtp_prt=25)
    assert setting_changes(STATE, typo) == {("smtp_config", "smtp_prt"): Change.ADD}
    assert setting_changes({**STATE, "smtp_config": typo["smtp_config"]}, DECLARED) == {
        ("smtp_config", "smtp_prt"): Change.DELETE
    }


def test_an_unknown_value_is_a_change_at_its_own_path() -> None:
    """A preview of another resource's output: the path of the unknown value, nothing else."""
    unknown = rpc.UNKNOWN
    assert setting_changes(STATE, declared(sender_pass=unknown)) == {
        ("smtp_config", "sender_pass"): Change.UPDATE
    }
    assert setting_changes(STATE, {**DECLARED, "smtp_config": unknown}) == {
        ("smtp_config",): Change.UPDATE
    }
    assert setting_changes(STATE, {**DECLARED, "type": unknown}) == {("type",): Change.UPDATE}
    assert setting_changes(STATE, {**DECLARED, "enabled": unknown}) == {("enabled",): Change.UPDATE}


def test_a_config_of_a_shape_never_written_is_compared_whole() -> None:
    assert setting_changes({**STATE, "smtp_config": "text"}, DECLARED) == {
        ("smtp_config",): Change.UPDATE
    }
    assert setting_changes({**STATE, "smtp_config": "text"}, {**STATE, "smtp_config": "text"}) == {}
