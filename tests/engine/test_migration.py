"""Moving a stack from the dynamic resource to the native provider, under the real engine.

The README's step: declare ``genauth:index:EmailProvider`` with the typed Python SDK
(``pulumi_genauth.native_sdk``) and an alias to the dynamic type. The engine then updates the
resource in place: one config call with the declared setting, so the pool is never handed back
to GenAuth's built-in mail in between. A stack of ``genauth:pools`` entries moves the same way:
each resource keeps its ``pool``, and one native provider serves them all.
"""

from __future__ import annotations

import os
from typing import Final

import pulumi
import pytest

import pulumi_genauth.native_sdk as native
from pulumi_genauth.emulator.server import EmulatorServer

from ..support import config_calls
from .support import (
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    program,
    secret_key,
    set_pool_entry,
)
from .yaml_stacks import PLUGIN_DIR

pytestmark = pytest.mark.engine

DYNAMIC_TYPE: Final = "pulumi-python:dynamic/genauth:EmailProvider"
NATIVE_TYPE: Final = "genauth:index:EmailProvider"


def native_program(*mails: Mail) -> pulumi.automation.PulumiFn:
    """``mails`` declared through the native provider's typed SDK, aliased to their past."""

    def run() -> None:
        password = pulumi.Config().require_secret(secret_key("custom"))
        for mail in mails:
            native.EmailProvider(
                mail.name,
                type=native.EmailProviderType.CUSTOM,
                smtp_config=native.SmtpConfigArgs(
                    smtp_host=mail.fields["smtp_host"],
                    smtp_port=mail.fields["smtp_port"],
                    sender=mail.fields["sender"],
                    secure=mail.fields["secure"],
                    sender_pass=password,
                ),
                pool=mail.pool,
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


def test_a_stack_of_pool_entries_moves_to_one_native_provider(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Two resources on genauth:pools entries: the same entries serve the native provider;
    both resources are updated in place, through one (default) genauth provider."""
    mails = [
        Mail.of("custom", name="first", pool="a"),
        Mail.of("custom", name="second", pool="b"),
    ]
    engine = new_stack(program(*mails), credentials=False)
    for entry, pool in zip("ab", emulator.pools, strict=True):
        set_pool_entry(engine, entry, pool)
    engine.stack.set_config("genauth:host", pulumi.automation.ConfigValue(emulator.url))
    engine.up()
    env = engine.stack.workspace.env_vars
    env["PATH"] = f"{PLUGIN_DIR}{os.pathsep}{env['PATH']}"
    engine.set_program(native_program(*mails))
    calls = len(config_calls(emulator))

    preview = changes(engine.preview().change_summary)
    assert preview.get("update") == 2, preview
    assert not {"replace", "delete", "create-replacement"} & set(preview), preview
    engine.up()

    assert len(config_calls(emulator)) == calls + 2
    assert emulator.stored("pool-a") == mails[0].expected()
    assert emulator.stored("pool-b") == mails[1].expected()
    resources = engine.stack.export_stack().deployment["resources"]
    providers = [r["urn"] for r in resources if r["type"] == "pulumi:providers:genauth"]
    assert len(providers) == 1, providers
    assert changes(engine.preview().change_summary).get("update") is None
    assert_no_secret_leaked(engine)
