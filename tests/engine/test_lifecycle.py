"""The resource's life through the real engine: up, preview, drift and refresh, destroy.

Every test runs the real ``pulumi`` CLI on an inline program against the emulator (see
``support``), for each of the four provider types, and ends by proving that no
planted secret reached the CLI output, the files the CLI wrote, or the state in plain text.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import sdk_client
from .support import (
    TYPES,
    EngineStack,
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    program,
    secret_at,
    secret_key,
)

pytestmark = pytest.mark.engine

# Per type: a non-secret field to change, and its new value.
CHANGED_FIELD: dict[str, tuple[str, Any]] = {
    "custom": ("smtp_port", 587),
    "sendgrid": ("sender", "alerts@example.com"),
    "ali": ("sender", "alerts@example.cn"),
    "qq": ("sender", "alerts@example.cn"),
}
# Per type: what an out-of-band change made with the official SDK alters.
DRIFT: dict[str, dict[str, Any]] = {
    "custom": {"smtp_port": 2525},
    "sendgrid": {"sender": "drift@example.com"},
    "ali": {"enabled": False},
    "qq": {"sender": "drift@example.cn"},
}
# custom -> sendgrid -> ali -> qq -> custom
NEXT_TYPE = dict(zip(TYPES, TYPES[1:] + TYPES[:1], strict=True))


def stored(emulator: EmulatorServer) -> dict[str, Any] | None:
    """pool-a's setting as the emulator stores it (wire spelling, secrets in plain)."""
    return emulator.stored("pool-a")


def assert_clean_preview(engine: EngineStack, emulator: EmulatorServer) -> None:
    """A preview that finds nothing to do, and makes no API call."""
    before = len(emulator.requests())
    preview = engine.preview()
    assert set(changes(preview.change_summary)) == {"same"}, preview.change_summary
    assert len(emulator.requests()) == before, emulator.requests()[before:]


def assert_one_update(preview: auto.PreviewResult) -> None:
    """A preview that updates the one resource in place."""
    summary = changes(preview.change_summary)
    assert summary.get("update") == 1, summary
    assert set(summary) <= {"same", "update"}, summary


@pytest.mark.parametrize("kind", TYPES)
def test_up_applies_exactly_the_declared_config_and_a_second_preview_is_clean(
    new_stack: StackFactory, emulator: EmulatorServer, kind: str
) -> None:
    """up stores exactly the declared setting; a second preview is clean and calls no API."""
    mail = Mail.of(kind)
    engine = new_stack(program(mail))

    up = engine.up()

    assert changes(up.summary.resource_changes) == {"create": 2}
    assert stored(emulator) == mail.expected()
    assert up.outputs["mail_userpool_id"].value == "pool-a"
    assert up.outputs["mail_type"].value == kind
    assert up.outputs["mail_config"].secret is True
    assert_clean_preview(engine, emulator)
    state = engine.resource()
    for props in (state["inputs"], state["outputs"]):
        assert secret_at(props, [mail.spec.config, mail.spec.secret]), props
    assert_no_secret_leaked(engine)


@pytest.mark.parametrize("kind", TYPES)
def test_changed_field_and_rotated_secret_are_updates_in_place(
    new_stack: StackFactory, emulator: EmulatorServer, kind: str
) -> None:
    """A changed field, then a rotated secret, each preview as an update and are applied."""
    mail = Mail.of(kind)
    engine = new_stack(program(mail))
    engine.up()
    field, value = CHANGED_FIELD[kind]
    changed = mail.changed(**{field: value})
    engine.set_program(program(changed))

    assert_one_update(engine.preview())
    engine.up()
    assert stored(emulator) == changed.expected()
    assert_clean_preview(engine, emulator)

    rotated = f"{mail.spec.canary}-rotated"
    engine.set_secret(secret_key(kind), rotated)
    assert_one_update(engine.preview())
    engine.up()
    assert stored(emulator) == changed.expected(secret=rotated)
    assert_clean_preview(engine, emulator)
    assert secret_at(engine.resource()["outputs"], [mail.spec.config, mail.spec.secret])
    assert_no_secret_leaked(engine)


@pytest.mark.parametrize("kind", TYPES)
def test_refresh_finds_an_out_of_band_change_and_up_restores_the_declared_config(
    new_stack: StackFactory, emulator: EmulatorServer, kind: str
) -> None:
    """A change made with the official SDK shows in refresh; the next up restores the setting."""
    mail = Mail.of(kind)
    engine = new_stack(program(mail))
    engine.up()
    drift = dict(DRIFT[kind])
    enabled = drift.pop("enabled", True)
    drifted = mail.changed(**drift).expected()
    answer = sdk_client(emulator).config_email_provider(
        type=kind, enabled=enabled, **{mail.spec.config: drifted[mail.spec.wire]}
    )
    assert answer["statusCode"] == 200, answer["message"]
    assert stored(emulator) != mail.expected()

    refresh = engine.refresh()

    assert changes(refresh.summary.resource_changes).get("update") == 1, refresh.summary
    outputs = engine.resource()["outputs"]
    assert outputs["enabled"] is enabled
    for key, value in drift.items():
        assert outputs[mail.spec.config][key] == value
    assert secret_at(outputs, [mail.spec.config, mail.spec.secret]), outputs
    assert_one_update(engine.preview())
    engine.up()
    assert stored(emulator) == mail.expected()
    assert_no_secret_leaked(engine)


@pytest.mark.parametrize("kind", TYPES)
def test_switching_type_is_an_update_not_a_replacement(
    new_stack: StackFactory, emulator: EmulatorServer, kind: str
) -> None:
    """Changing `type` (and its config object) updates the pool's one setting in place."""
    engine = new_stack(program(Mail.of(kind)))
    engine.up()
    switched = Mail.of(NEXT_TYPE[kind])
    engine.set_program(program(switched))

    assert_one_update(engine.preview())
    up = engine.up()

    assert changes(up.summary.resource_changes) == {"same": 1, "update": 1}
    assert stored(emulator) == switched.expected()
    assert up.outputs["mail_type"].value == switched.kind
    assert up.outputs["mail_config"].secret is True
    assert secret_at(engine.resource()["outputs"], [switched.spec.config, switched.spec.secret])
    assert_no_secret_leaked(engine)


@pytest.mark.parametrize("kind", TYPES)
def test_destroy_disables_the_third_party_provider(
    new_stack: StackFactory, emulator: EmulatorServer, kind: str
) -> None:
    """destroy hands the pool back to GenAuth's built-in mail service (enabled: false)."""
    mail = Mail.of(kind)
    engine = new_stack(program(mail))
    engine.up()

    destroy = engine.destroy()

    assert changes(destroy.summary.resource_changes) == {"delete": 2}
    setting = stored(emulator)
    assert setting is not None
    assert setting["enabled"] is False
    assert setting["type"] == kind
    assert_no_secret_leaked(engine)


def test_up_over_a_configured_pool_warns_and_adopts_it(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Creating over a pool that already sends through another provider warns, without secrets."""
    existing = Mail.of("sendgrid").expected()
    answer = sdk_client(emulator).config_email_provider(
        type="sendgrid", enabled=True, send_grid_config=existing["sendGridConfig"]
    )
    assert answer["statusCode"] == 200, answer["message"]
    mail = Mail.of("custom", typed=False)
    engine = new_stack(program(mail))

    engine.up()

    warnings = [line for line in engine.output if "already sends mail" in line]
    assert warnings, engine.text
    assert all("warning:" in line and "(type 'sendgrid')" in line for line in warnings)
    assert stored(emulator) == mail.expected()
    assert_no_secret_leaked(engine)
