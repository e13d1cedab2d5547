"""Secrets under any drift, through the real engine.

Someone switches the pool out of band (the official SDK standing in for the console, a
script or another stack), with a secret this stack has never seen. Whatever the type and
whatever the secret, refresh, `preview --diff`, `preview --refresh` and up must show the
drift, put the declared setting back, and never write or print that secret in plain text:
not in the checkpoint, its backups, the history, nor any line the CLI printed.
"""

from __future__ import annotations

from typing import Any, Final

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import sdk_client
from .support import (
    KINDS,
    TYPES,
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    program,
    secret_key,
)

pytestmark = pytest.mark.engine

# A different secret per type, planted out of band: this stack's config never holds them.
PLANTED: Final = {
    "custom": "planted-smtp-pass-3e8b1f",
    "sendgrid": "SG.planted-sendgrid-key-9d4c2a",
    "ali": "planted-ali-pass-7a6e0c",
    "qq": "planted-tencent-pass-2f5d8e",
}


def configure_out_of_band(emulator: EmulatorServer, kind: str) -> None:
    """Set pool-a to ``kind`` with its planted secret, through the official SDK."""
    wire = Mail.of(kind).expected(PLANTED[kind])
    answer = sdk_client(emulator).config_email_provider(
        type=kind, enabled=True, **{KINDS[kind].config: wire[KINDS[kind].wire]}
    )
    assert answer["statusCode"] == 200, answer["message"]


@pytest.mark.parametrize("live_kind", TYPES)
def test_a_pool_switched_out_of_band_shows_drift_and_no_planted_secret(
    new_stack: StackFactory, emulator: EmulatorServer, live_kind: str
) -> None:
    """refresh, preview --diff and up restore the declared setting; no planted secret leaks.

    The stack declares `custom`; out of band the pool is switched to each type in turn (for
    `custom` itself: the same server with another password).
    """
    mail = Mail.of("custom")
    engine = new_stack(program(mail))
    engine.up()
    configure_out_of_band(emulator, live_kind)

    refresh = engine.refresh()
    assert changes(refresh.summary.resource_changes).get("update") == 1, refresh.summary
    assert engine.resource()["outputs"]["type"] == live_kind
    preview = engine.preview()
    assert changes(preview.change_summary).get("update") == 1, preview.change_summary
    engine.up()

    assert emulator.stored("pool-a") == mail.expected()
    assert changes(engine.preview().change_summary) == {"same": 2}
    assert_no_secret_leaked(engine, canaries=list(PLANTED.values()))


def test_two_stacks_taking_turns_on_a_pool_leak_no_secret_to_each_other(
    new_stack: StackFactory,
) -> None:
    """`preview --refresh --diff` of stack A, after stack B took the pool, shows no B secret."""
    first = new_stack(program(Mail.of("custom")))
    first.up()
    second = new_stack(program(Mail.of("sendgrid")))
    second.set_secret(secret_key("sendgrid"), PLANTED["sendgrid"])
    second.up()

    preview = first.preview(refresh=True)

    summary: dict[str, Any] = changes(preview.change_summary)
    assert summary.get("update") == 1, summary
    assert "sendgrid" in first.text  # the drift shows: the live type is named
    first.refresh()
    assert_no_secret_leaked(first, canaries=[PLANTED["sendgrid"]])
