"""Moving a stack from the dynamic resource to the native provider, under the real engine.

The README's step: declare ``genauth:index:EmailProvider`` with an alias to the dynamic type.
The engine then updates the resource in place: one config call with the declared setting, so
the pool is never handed back to GenAuth's built-in mail in between.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final

import pulumi
import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import config_calls
from .support import (
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    program,
    secret_key,
)

pytestmark = pytest.mark.engine

DYNAMIC_TYPE: Final = "pulumi-python:dynamic/genauth:EmailProvider"
NATIVE_TYPE: Final = "genauth:index:EmailProvider"
PLUGIN_DIR: Final = Path(sys.executable).parent  # its pulumi-resource-genauth


def native_program(mail: Mail) -> pulumi.automation.PulumiFn:
    """``mail`` declared through the native provider, aliased to its dynamic past."""
    fields = {
        "smtpHost": mail.fields["smtp_host"],
        "smtpPort": mail.fields["smtp_port"],
        "sender": mail.fields["sender"],
        "secure": mail.fields["secure"],
    }

    def run() -> None:
        password = pulumi.Config().require_secret(secret_key("custom"))
        pulumi.CustomResource(
            NATIVE_TYPE,
            mail.name,
            {"type": "custom", "smtpConfig": {**fields, "senderPass": password}},
            opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=DYNAMIC_TYPE)]),
        )

    return run


def test_an_alias_moves_the_resource_in_place_and_the_pool_stays_enabled(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """dynamic -> native with `aliases`: an update (no replace, no delete); one config call."""
    mail = Mail.of("custom")
    engine = new_stack(program(mail))
    engine.up()
    env = engine.stack.workspace.env_vars
    env["PATH"] = f"{PLUGIN_DIR}{os.pathsep}{env['PATH']}"
    engine.set_program(native_program(mail))
    calls = len(config_calls(emulator))

    preview = changes(engine.preview().change_summary)
    assert preview.get("update") == 1, preview
    assert not {"replace", "delete", "create-replacement"} & set(preview), preview
    engine.up()

    assert len(config_calls(emulator)) == calls + 1  # one update: never disabled in between
    assert emulator.stored("pool-a") == mail.expected()
    assert engine.resource()["type"] == NATIVE_TYPE
    assert changes(engine.preview().change_summary).get("update") is None
    assert_no_secret_leaked(engine)
