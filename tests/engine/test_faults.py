"""A flaky API through the real engine: transient faults converge, and state agrees after.

Each case queues faults on the emulator, runs `pulumi up` of two resources on two pools,
and checks that the up converged (both pools hold exactly the declared setting), that a
second preview is clean, and that no secret leaked. Faults that do not clear are in
test_errors (one line with the requestId; a host that refuses connections).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Final

import pytest
from pulumi import automation as auto

from pulumi_genauth.emulator.server import EmulatorServer

from ..conftest import EMULATOR_POOLS
from ..support import config_calls
from .support import (
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    program,
    set_pool_entry,
)

pytestmark = pytest.mark.engine

CONFIG_PATH: Final = "/api/v3/config-email-provider"
TOKEN_PATH: Final = "/api/v3/get-management-token"
GET_PATH: Final = "/api/v3/get-email-provider"
MAILS: Final = (Mail.of("custom"), Mail.of("qq", name="second-mail", pool="second"))

# id, faults queued before the up (add_fault keyword arguments)
FAULTS: Final[list[tuple[str, list[dict[str, Any]]]]] = [
    ("429-burst-with-retry-after", [{"path": CONFIG_PATH, "status": 429, "retry_after": "0"}] * 3),
    ("429-burst-without-retry-after", [{"path": CONFIG_PATH, "status": 429, "times": 3}]),
    ("503", [{"path": CONFIG_PATH, "status": 503, "times": 2}]),
    ("malformed-bodies", [{"path": CONFIG_PATH, "malformed": True, "times": 2}]),
    ("token-endpoint-502", [{"path": TOKEN_PATH, "status": 502, "times": 2}]),
    ("token-rejected-mid-run", [{"path": CONFIG_PATH, "status": 401, "times": 1}]),
    # Later than the client's 30 s read timeout: given up on, retried (the late answer of the
    # first attempt applies the same setting: the call is idempotent).
    ("read-timeout", [{"path": CONFIG_PATH, "latency_seconds": 31.0, "times": 1}]),
]


@pytest.mark.parametrize("faults", [case[1] for case in FAULTS], ids=[c[0] for c in FAULTS])
def test_transient_faults_converge_and_state_agrees(
    new_stack: StackFactory, emulator: EmulatorServer, faults: list[dict[str, Any]]
) -> None:
    """The up succeeds after retries; both pools hold the declared setting; preview is clean."""
    engine = new_stack(program(*MAILS))
    set_pool_entry(engine, "second", emulator.pools[1])
    for fault in faults:
        emulator.add_fault(**fault)

    up = engine.up()

    assert changes(up.summary.resource_changes) == {"create": 3}
    assert emulator.stored("pool-a") == MAILS[0].expected()
    assert emulator.stored("pool-b") == MAILS[1].expected()
    assert len(config_calls(emulator)) >= 2
    assert changes(engine.preview().change_summary) == {"same": 3}
    assert_no_secret_leaked(engine)


def test_the_service_restarted_in_the_middle_of_an_up_converges(
    new_stack: StackFactory, tmp_path: Path
) -> None:
    """The emulator stops while a create is under way and comes back on the same port."""
    db = str(tmp_path / "genauth.db")
    first = EmulatorServer(pools=EMULATOR_POOLS, db_path=db).start()
    port = int(first.url.rsplit(":", 1)[1])
    mail = Mail.of("custom")
    engine = new_stack(program(mail))
    engine.stack.set_config("genauth:host", auto.ConfigValue(first.url))
    # The read of the create is held for a moment: the service goes down during it.
    first.add_fault(path=GET_PATH, latency_seconds=1.0)
    failures: list[BaseException] = []

    def up() -> None:
        try:
            engine.up()
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            failures.append(error)

    running = threading.Thread(target=up)
    running.start()
    deadline = time.monotonic() + 60
    while not any(e["path"] == TOKEN_PATH for e in first.requests()):
        assert time.monotonic() < deadline, "the up never reached the service"
        time.sleep(0.05)
    first.stop()  # waits for the held read, then refuses connections
    time.sleep(0.5)
    restarted = time.time()
    second = EmulatorServer(pools=EMULATOR_POOLS, db_path=db, port=port).start()
    try:
        running.join(120)
        assert not failures, failures
        assert second.stored("pool-a") == mail.expected()
        # The log is in the database: the configure call came after the restart, so the up
        # went on through the outage rather than failing or configuring before it.
        (configure,) = [e for e in second.requests() if e["path"] == CONFIG_PATH]
        assert configure["received"] >= restarted
        assert changes(engine.preview().change_summary) == {"same": 2}
    finally:
        second.stop()
    assert_no_secret_leaked(engine)
