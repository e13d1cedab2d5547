"""Safety claims through the real engine: masked secrets, and credentials of another pool.

Both are about what a refresh or an update does to a stack whose world changed under it.
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from pulumi_genauth.emulator.server import EmulatorServer

from .engine_support import (
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    config_calls,
    program,
    secret_at,
)

pytest_plugins = ["tests.engine_fixtures"]
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
    other = emulator.pools[1]
    engine.stack.set_config("genauth:accessKeyId", auto.ConfigValue(other.access_key_id))
    engine.stack.set_config(
        "genauth:accessKeySecret", auto.ConfigValue(other.access_key_secret, secret=True)
    )
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
