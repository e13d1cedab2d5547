"""Shared fixtures: one GenAuth emulator per test session, reset before each test.

The engine tests' own are in ``engine/conftest.py``; the ``verify_smtp`` tests load theirs
from ``smtp_fixtures`` (``pytest_plugins``), which needs the SMTP test server and the test
CA (aiosmtpd, trustme): the dev extra's, which a test of the wheel does not install.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pulumi_genauth.emulator import Pool
from pulumi_genauth.emulator.server import EmulatorServer

# Two user pools with known access keys; tests reach them as ``emulator.pools``.
EMULATOR_POOLS = (
    Pool("pool-a", "pool-a-access-key-id", "pool-a-access-key-secret"),
    Pool("pool-b", "pool-b-access-key-id", "pool-b-access-key-secret"),
)


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    """The emulator on a real loopback port, serving pool-a and pool-b, for the whole session."""
    with EmulatorServer(pools=EMULATOR_POOLS) as server:
        yield server


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> EmulatorServer:
    """The session's emulator with no settings, request log, faults or secret masking."""
    emulator_server.reset()
    emulator_server.pools = list(EMULATOR_POOLS)
    return emulator_server


_SESSION_LOOPS: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(scope="session", autouse=True)
def _main_thread_event_loop() -> None:
    """One event loop on the main thread for the session, as Python 3.11 made implicitly.

    The SDK's mocks (set_mocks, pulumi.runtime.test) call asyncio.get_event_loop(), which
    on Python 3.12+ warns when the thread has none; the tests run with warnings as errors.
    Like the implicit loop, it is left open: closing it would destroy the mocks' leftover
    tasks and turn their "never awaited" warnings into errors of the last test. It is kept
    referenced here: the SDK may set a loop of its own, and an unreferenced open loop would
    be collected, with a ResourceWarning, during whatever test runs then.
    """
    loop = asyncio.new_event_loop()
    _SESSION_LOOPS.append(loop)
    asyncio.set_event_loop(loop)


@pytest.fixture(autouse=True)
def _restore_pulumi_settings() -> Iterator[None]:
    """Undo set_mocks after a test: the SDK keeps its runtime settings and root in globals."""
    from pulumi.runtime import settings

    yield
    # configure() copies the fields of a fresh, engine-less bag into the global one.
    settings.configure(settings.Settings(project="project", stack="stack"))
    # set_mocks makes a root Stack only when there is none: each test gets its own program run.
    settings.ROOT.set(None)
