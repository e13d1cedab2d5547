"""Upgrades show no changes: a stack deployed by pulumi-genauth 0.1.0, under this version.

``tests/fixtures/upgrade-0.1.0/`` holds the state of a stack that 0.1.0 deployed (made by
``scripts/make-upgrade-fixture`` from the 0.1.0 release) and what its emulator then held. This
test imports that state into a stack of the real engine, puts the same settings on this run's
emulator, and holds the current code to the promise every provider makes: the same program
previews with no changes and no API call, and the stack refreshes and destroys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import pytest
from pulumi import automation as auto

from pulumi_genauth.emulator.server import EmulatorServer

from .support import (
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    program,
    sdk_client,
    set_pool_entry,
)

pytestmark = pytest.mark.engine

FIXTURE: Final = Path(__file__).parents[1] / "fixtures" / "upgrade-0.1.0"
URL_PLACEHOLDER: Final = "{{EMULATOR_URL}}"
# The program 0.1.0 deployed (scripts/upgrade-fixture/make_fixture.py), declared today.
MAILS: Final = (Mail.of("custom"), Mail.of("sendgrid", name="second-mail", pool="second"))


def restore_settings(emulator: EmulatorServer) -> None:
    """Put on this emulator what 0.1.0's emulator held, through the official SDK."""
    stored: dict[str, Any] = json.loads((FIXTURE / "stored.json").read_text())
    for index, pool in enumerate(emulator.pools):
        setting = stored[pool.id]
        wire = {key: value for key, value in setting.items() if key.endswith("Config")}
        (name,) = wire  # one config per setting
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
        answer = sdk_client(emulator, index).config_email_provider(
            type=setting["type"], enabled=setting["enabled"], **{snake: wire[name]}
        )
        assert answer["statusCode"] == 200, answer["message"]
        assert emulator.stored(pool.id) == setting


def test_a_stack_deployed_by_0_1_0_previews_clean_refreshes_and_destroys(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """No change at preview (and no API call); refresh and destroy work as the README says."""
    engine = new_stack(program(*MAILS))
    set_pool_entry(engine, "second", emulator.pools[1])
    deployment = json.loads(
        (FIXTURE / "deployment.json").read_text().replace(URL_PLACEHOLDER, emulator.url)
    )
    # Its secrets are in plain text (an export with --show-secrets); its secrets provider is
    # the passphrase one with the engine tests' passphrase, which encrypts them on import.
    engine.stack.import_stack(auto.Deployment(version=3, deployment=deployment))
    restore_settings(emulator)
    before = len(emulator.requests())

    preview = engine.preview()

    assert changes(preview.change_summary) == {"same": 3}, engine.text
    assert len(emulator.requests()) == before

    engine.refresh()
    assert changes(engine.preview().change_summary) == {"same": 3}
    destroy = engine.destroy()

    assert changes(destroy.summary.resource_changes) == {"delete": 3}
    for pool, mail in zip(emulator.pools, MAILS, strict=True):
        assert emulator.stored(pool.id) == {**mail.expected(), "enabled": False}
    assert_no_secret_leaked(engine)
