"""Shared fixtures: one GenAuth emulator per test session, reset before each test; and for
the ``verify_smtp`` tests, a trusted throw-away CA and loopback SMTP servers (the servers
themselves are in ``smtp_support``). The engine tests' own are in ``engine/conftest.py``.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from pulumi_genauth.emulator import Pool
from pulumi_genauth.emulator.server import EmulatorServer

from .smtp_support import (
    LOOPBACK,
    Cert,
    Certificates,
    Mode,
    Script,
    ScriptedServer,
    ScriptedServerFactory,
    SmtpServer,
    SmtpServerFactory,
)

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


# -- verify_smtp: a CA the process trusts, SMTP servers on loopback ---------------------------


@pytest.fixture(scope="session")
def smtp_certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """Two throw-away CAs and their server certificates, made once per session."""
    return Certificates.make(tmp_path_factory.mktemp("smtp-ca"))


@pytest.fixture
def trust_test_ca(smtp_certificates: Certificates, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make this process, and every process it starts, trust the test CA (and only it).

    ``ssl.create_default_context()`` reads ``SSL_CERT_FILE`` each time it is called, and the
    Pulumi CLI passes the environment on to the plugin process.
    """
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_certificates.ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return smtp_certificates.ca_file


@pytest.fixture
def smtp_server(
    smtp_certificates: Certificates,
    trust_test_ca: Path,  # noqa: ARG001 (every server is one the process trusts)
) -> Iterator[SmtpServerFactory]:
    """Start SMTP servers on loopback: ``smtp_server(Mode.STARTTLS, {login: password})``.

    ``certificate=`` picks another :class:`Cert` (one nobody trusts, one for another name),
    ``host=`` another address to listen on. Every server started is stopped after the test.
    """
    started: list[SmtpServer] = []

    def start(
        mode: Mode,
        accounts: Mapping[str, str],
        *,
        certificate: Cert = Cert.TRUSTED,
        host: str = LOOPBACK,
    ) -> SmtpServer:
        leaf = smtp_certificates.leaves[certificate]
        server = SmtpServer(mode, leaf, dict(accounts), host=host).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def scripted_smtp(
    smtp_certificates: Certificates,
    trust_test_ca: Path,  # noqa: ARG001 (its implicit TLS is trusted, as a real server's would be)
) -> Iterator[ScriptedServerFactory]:
    """Start servers that play a script: ``scripted_smtp({"EHLO": [...]}, tls=True)``.

    ``tls=True`` speaks implicit TLS with the trusted certificate for the loopback names.
    Every server started is stopped after the test.
    """
    started: list[ScriptedServer] = []

    def start(script: Script, *, tls: bool = False) -> ScriptedServer:
        context = None
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            smtp_certificates.leaves[Cert.TRUSTED].configure_cert(context)
        server = ScriptedServer(script, tls=context).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind((LOOPBACK, 0))
        listener.listen(8)
        port: int = listener.getsockname()[1]
        yield port
