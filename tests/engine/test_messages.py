"""Where the dynamic resource's messages land, on the real engine: under their resource.

A retry of a call to GenAuth shows on the resource's line while its step runs, naming the
host, and is gone from the summary once the step succeeds; a warning (a live setting taken
over) is in the resource's own block of the Diagnostics. The native plugin's counterparts
are in ``test_native`` here.
"""

from __future__ import annotations

import re
from typing import Final

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import sdk_client
from .support import CONFIG_EMAIL_PROVIDER, Mail, StackFactory, program

pytestmark = pytest.mark.engine

RESOURCE_BLOCK: Final = "pulumi-python:dynamic/genauth:EmailProvider (mail):"


def diagnostics(text: str) -> dict[str, str]:
    """The Diagnostics section of a CLI run, as {block header: its lines}."""
    if "Diagnostics:" not in text:
        return {}
    section = text.split("Diagnostics:", 1)[1].split("\nResources:", 1)[0]
    blocks = re.split(r"\n  (?=\S)", "\n" + section.strip("\n"))
    found = {}
    for block in blocks:
        header, _, body = block.strip("\n").partition("\n")
        if header:
            found[header.strip()] = body
    return found


def test_a_retry_shows_on_the_resource_s_line_naming_the_host_and_is_not_kept(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    emulator.add_fault(path=CONFIG_EMAIL_PROVIDER, status=503, times=1)
    engine = new_stack(program(Mail.of("custom")))
    start = len(engine.output)
    engine.up()
    text = "\n".join(engine.output[start:])
    retried = [line for line in text.splitlines() if "attempt 1 failed" in line]
    assert retried, text
    # On the resource's row of the progress display (while creating, and as it is created).
    assert all("genauth:EmailProvider mail creat" in line for line in retried), retried
    assert f"POST {emulator.url}{CONFIG_EMAIL_PROVIDER}: attempt 1 failed" in retried[0]
    assert "attempt" not in "".join(diagnostics(text).values()), text


def test_a_takeover_warning_is_in_the_resource_s_own_block(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    answer = sdk_client(emulator).config_email_provider(
        type="sendgrid",
        enabled=True,
        send_grid_config={"sender": "other@example.com", "apikey": "SG.other-key-5d1e"},
    )
    assert answer["statusCode"] == 200
    engine = new_stack(program(Mail.of("custom")))
    start = len(engine.output)
    engine.up()
    text = "\n".join(engine.output[start:])
    blocks = diagnostics(text)
    assert RESOURCE_BLOCK in blocks, text
    assert "already sends mail through a third-party provider" in blocks[RESOURCE_BLOCK]
    stack_blocks = [body for header, body in blocks.items() if header.startswith("pulumi:pulumi")]
    assert not any("third-party" in body for body in stack_blocks), text
