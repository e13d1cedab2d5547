"""Fixtures of the ``verify_smtp`` tests: a trusted throw-away CA and loopback SMTP servers.

Loaded with ``pytest_plugins = ["tests.smtp_fixtures"]`` (never imported directly, so that
pytest rewrites its asserts); the server itself is in ``smtp_support``.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

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
