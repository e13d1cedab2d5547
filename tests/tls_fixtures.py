"""Fixtures of the private-deployment tests: the emulator over TLS, proxies, relays.

Loaded with ``pytest_plugins = ["tests.tls_fixtures"]`` (never imported directly, so that
pytest rewrites its asserts); what they serve is in ``tls_support``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from .tls_support import (
    TRUST_VARIABLES,
    ConnectProxy,
    PrivateCA,
    ProxyFactory,
    RelayFactory,
    TcpRelay,
    proxy_variables,
)


@pytest.fixture(scope="session")
def private_ca(tmp_path_factory: pytest.TempPathFactory) -> PrivateCA:
    """A CA nobody trusts until told, and the emulator's certificate for localhost."""
    return PrivateCA.make(tmp_path_factory.mktemp("private-ca"))


@pytest.fixture(scope="session")
def tls_emulator_server(
    private_ca: PrivateCA, emulator_server: EmulatorServer
) -> Iterator[EmulatorServer]:
    """A second emulator, serving https with the private CA's certificate, the same pools."""
    with EmulatorServer(pools=list(emulator_server.pools), tls=private_ca.tls) as server:
        yield server


@pytest.fixture
def network_environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy and no trust store from the environment, until the test sets them."""
    for name in (*proxy_variables(), *TRUST_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def tls_emulator(
    tls_emulator_server: EmulatorServer,
    emulator: EmulatorServer,
    network_environ: pytest.MonkeyPatch,  # noqa: ARG001 - the emulator's clients see a clean one
) -> EmulatorServer:
    """The https emulator with no settings, request log or faults, and the plain one's pools."""
    tls_emulator_server.reset()
    tls_emulator_server.pools = list(emulator.pools)
    return tls_emulator_server


@pytest.fixture
def connect_proxy() -> Iterator[ProxyFactory]:
    """Start CONNECT proxies on loopback (``refuse=407`` refuses every tunnel with 407)."""
    started: list[ConnectProxy] = []

    def start(refuse: int | None = None) -> ConnectProxy:
        proxy = ConnectProxy(refuse)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.close()


@pytest.fixture
def relay() -> Iterator[RelayFactory]:
    """Start counting TCP relays to loopback ports."""
    started: list[TcpRelay] = []

    def start(target_port: int) -> TcpRelay:
        made = TcpRelay(target_port)
        started.append(made)
        return made

    yield start
    for made in started:
        made.close()
