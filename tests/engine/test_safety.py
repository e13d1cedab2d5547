"""Safety claims through the real engine: masked secrets, and credentials of another pool.

Both are about what a refresh or an update does to a stack whose world changed under it.
"""

from __future__ import annotations

import json

import pytest
from pulumi import automation as auto

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import CANARIES, config_calls
from .support import (
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    program,
    secret_at,
    set_pool_entry,
    use_keys_of,
)

pytestmark = pytest.mark.engine


def test_a_service_that_masks_secrets_causes_no_drift(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """With secrets masked in read answers, refresh keeps the known password: no update."""
    mail = Mail.of("custom")
    engine = new_stack(program(mail))
    engine.up()
    emulator.mask_secrets(True)

    refresh = engine.refresh()

    assert changes(refresh.summary.resource_changes) == {"same": 2}, refresh.summary
    assert secret_at(engine.resource()["outputs"], ["smtp_config", "sender_pass"])
    assert changes(engine.preview().change_summary) == {"same": 2}
    assert emulator.stored("pool-a") == mail.expected()
    assert_no_secret_leaked(engine)


def test_credentials_of_another_pool_are_refused_naming_both(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """A stack switched to another pool's keys fails `up`, naming both pools, touching neither.

    (A plain `pulumi refresh` does not run the program: the engine configures the provider
    from the config recorded in the state, i.e. the old keys, so it reads the right pool.)
    """
    mail = Mail.of("sendgrid")
    engine = new_stack(program(mail))
    engine.up()
    use_keys_of(engine, emulator.pools[1])
    configured = len(config_calls(emulator))

    engine.set_program(program(mail.changed(sender="new@example.com")))
    with pytest.raises(auto.errors.CommandError) as updated:
        engine.up()

    assert "'pool-a'" in str(updated.value)
    assert "'pool-b'" in str(updated.value)
    assert "so nothing was touched" in str(updated.value)
    assert len(config_calls(emulator)) == configured
    assert emulator.stored("pool-a") == mail.expected()
    assert emulator.stored("pool-b") is None
    assert_no_secret_leaked(engine)


def test_secrets_passed_as_plain_text_are_secrets_in_the_raw_state(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """A program that passes sender_pass and apikey as plain strings: still encrypted."""
    custom, sendgrid = Mail.of("custom"), Mail.of("sendgrid", name="second-mail", pool="second")

    def plain_program() -> None:
        custom.declare(custom.spec.canary)  # plain str, not config.require_secret(...)
        sendgrid.declare(sendgrid.spec.canary)

    engine = new_stack(plain_program)
    set_pool_entry(engine, "second", emulator.pools[1])

    engine.up()

    for mail in (custom, sendgrid):
        state = engine.resource(mail.name)
        for part in ("inputs", "outputs"):
            assert secret_at(state[part], [mail.spec.config, mail.spec.secret]), (mail, part)
    assert_no_secret_leaked(engine)


def test_credentials_from_the_environment_are_not_recorded(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Keys given only as GENAUTH_* work; the secret appears nowhere in what the CLI wrote,
    and the key id only as the resource's access_key_id (what a new key is compared with)."""
    pool = emulator.pools[0]
    mail = Mail.of("ali")
    engine = new_stack(program(mail), credentials=False)
    environ = engine.stack.workspace.env_vars
    environ["GENAUTH_ACCESS_KEY_ID"] = pool.access_key_id
    environ["GENAUTH_ACCESS_KEY_SECRET"] = pool.access_key_secret

    engine.up()

    assert emulator.stored("pool-a") == mail.expected()
    deployment = engine.deployment()  # decrypted: a secret config would show here
    resource = engine.resource()
    assert resource["outputs"]["access_key_id"] == pool.access_key_id
    assert resource["inputs"]["access_key_id"] == pool.access_key_id
    for part in ("inputs", "outputs"):
        del resource[part]["access_key_id"]
    others = [r for r in deployment["resources"] if r["urn"] != resource["urn"]]
    assert pool.access_key_id not in json.dumps([resource, *others])
    assert_no_secret_leaked(engine, canaries=[*CANARIES, pool.access_key_secret])


def test_refresh_and_destroy_use_the_recorded_credentials(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Keys switched in the stack config: a plain refresh and destroy still reach pool-a."""
    mail = Mail.of("qq")
    engine = new_stack(program(mail))
    engine.up()
    use_keys_of(engine, emulator.pools[1])

    refresh = engine.refresh()
    destroy = engine.destroy()

    assert changes(refresh.summary.resource_changes) == {"same": 2}
    assert changes(destroy.summary.resource_changes) == {"delete": 2}
    assert emulator.stored("pool-a") == {**mail.expected(), "enabled": False}
    assert emulator.stored("pool-b") is None
    assert_no_secret_leaked(engine)


def test_a_change_of_pool_replaces_the_resource(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """`pool` to another user pool: created there, then the old pool handed back."""
    mail = Mail.of("sendgrid")
    engine = new_stack(program(mail))
    set_pool_entry(engine, "second", emulator.pools[1])
    engine.up()
    moved = Mail.of("sendgrid", pool="second")
    engine.set_program(program(moved))

    up = engine.up()

    assert changes(up.summary.resource_changes) == {"replace": 1, "same": 1}
    assert emulator.stored("pool-b") == moved.expected()
    assert emulator.stored("pool-a") == {**mail.expected(), "enabled": False}
    assert engine.resource()["id"] == "pool-b"
    assert_no_secret_leaked(engine)
