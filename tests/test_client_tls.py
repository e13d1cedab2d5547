"""A private deployment: the client over TLS with a private CA, and through an HTTP proxy.

The emulator serves https with a certificate of the test's own CA; proxies, relays and
handshake-only servers run in threads on loopback. What another attempt cannot mend (a
certificate refused, a handshake failed, a proxy refusing the tunnel) fails at once, in one
line naming the host (or the proxy, without its credentials), the reason and the fix; the
trust store and the proxy come from the environment, as httpx reads them.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import ssl
import subprocess
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pulumi_genauth import ConfigurationError, GenAuthClient, TransportError
from pulumi_genauth._exceptions import ProxyRefusedError, TLSError
from pulumi_genauth._refusals import (
    FIX_CLIENT_CERTIFICATE,
    FIX_NAME_MISMATCH,
    FIX_NO_COMMON_PROTOCOL,
    FIX_NOT_TLS,
    FIX_PROXY_CREDENTIALS,
    FIX_PROXY_POLICY,
    FIX_UNTRUSTED_CA,
    FIX_VALIDITY,
)
from pulumi_genauth.emulator.server import EmulatorServer, TlsFiles

from .support import FAST_RETRY, SleepRecorder, config_calls, request_for
from .tls_support import (
    CERT_NAME,
    LOOPBACK,
    PROXY_PASSWORD,
    PROXY_USER,
    HandshakeServer,
    PrivateCA,
    ProxyFactory,
    RelayFactory,
    https_url,
    port_of,
    server_context,
)

pytest_plugins = ["tests.tls_fixtures"]

TOKEN_PATH = "/api/v3/get-management-token"
UNTRUSTED = "certificate verify failed: self-signed certificate in certificate chain"
LONG_AGO = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def sleeps() -> SleepRecorder:
    """Records the retry pauses instead of waiting."""
    return SleepRecorder()


@pytest.fixture
def trusted(private_ca: PrivateCA, network_environ: pytest.MonkeyPatch) -> Path:
    """SSL_CERT_FILE names the private CA: this process trusts it (and nothing else)."""
    network_environ.setenv("SSL_CERT_FILE", str(private_ca.ca_file))
    return private_ca.ca_file


HandshakeFactory = Callable[[ssl.SSLContext | None], HandshakeServer]


@pytest.fixture
def handshake_server() -> Iterator[HandshakeFactory]:
    """Start TLS servers that only handshake (None: close each connection at once)."""
    started: list[HandshakeServer] = []

    def start(context: ssl.SSLContext | None) -> HandshakeServer:
        server = HandshakeServer(context)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def client_of(emulator: EmulatorServer, host: str, sleeps: SleepRecorder) -> GenAuthClient:
    """A client of pool-a's key at ``host``, built now (so with the environment's proxies)."""
    pool = emulator.pools[0]
    return GenAuthClient(
        host=host,
        access_key_id=pool.access_key_id,
        access_key_secret=pool.access_key_secret,
        retry=FAST_RETRY,
        sleep=sleeps,
    )


def failure(client: GenAuthClient) -> TransportError:
    """What a configuration call through ``client`` raises."""
    with client, pytest.raises(TransportError) as info:
        client.config_email_provider(request_for("custom"))
    return info.value


def certificate_line(host: str, reason: str, fix: str) -> str:
    """The line of a certificate that failed verification."""
    return (
        f"POST {TOKEN_PATH}: the TLS certificate of {host} was not accepted ({reason}): {fix}; "
        "nothing was sent to GenAuth"
    )


def handshake_line(host: str, reason: str, fix: str) -> str:
    """The line of a TLS handshake that failed."""
    return (
        f"POST {TOKEN_PATH}: the TLS handshake with {host} failed ({reason}): {fix}; "
        "nothing was sent to GenAuth"
    )


def refusal_line(proxy: str, host: str, reason: str, fix: str) -> str:
    """The line of a proxy that refused the tunnel."""
    return (
        f"POST {TOKEN_PATH}: the proxy {proxy} refused the tunnel to {host} ({reason}): {fix}; "
        "nothing was sent to GenAuth"
    )


# -- the certificate -------------------------------------------------------------------------


def test_an_untrusted_certificate_fails_at_once_naming_the_host_and_the_fix(
    tls_emulator: EmulatorServer, relay: RelayFactory, sleeps: SleepRecorder
) -> None:
    """A private CA's certificate: one connection, no retry, one line with reason and fix."""
    counted = relay(port_of(tls_emulator.url))
    host = https_url(counted.port)

    error = failure(client_of(tls_emulator, host, sleeps))

    assert isinstance(error, TLSError)
    assert str(error) == certificate_line(host, UNTRUSTED, FIX_UNTRUSTED_CA)
    assert "SSL_CERT_FILE" in str(error)
    assert (error.host, error.certificate, error.attempts) == (host, True, 1)
    assert counted.connections == 1
    assert sleeps.pauses == []
    assert tls_emulator.requests() == []
    assert tls_emulator.stored("pool-a") is None


def test_a_ca_trusted_through_ssl_cert_file_is_accepted(
    tls_emulator: EmulatorServer, trusted: Path, sleeps: SleepRecorder
) -> None:
    """With SSL_CERT_FILE naming the private CA, the same host configures and reads back."""
    assert trusted.exists()
    with client_of(tls_emulator, https_url(port_of(tls_emulator.url)), sleeps) as client:
        client.config_email_provider(request_for("custom"))
        assert client.get_email_provider().type == "custom"
    assert len(config_calls(tls_emulator)) == 1


def test_a_ca_trusted_through_ssl_cert_dir_is_accepted(
    tls_emulator: EmulatorServer,
    private_ca: PrivateCA,
    network_environ: pytest.MonkeyPatch,
    tmp_path: Path,
    sleeps: SleepRecorder,
) -> None:
    """SSL_CERT_DIR, a folder of CA certificates under their OpenSSL hash names, works too."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to name the CA file by its subject hash")
    subject_hash = subprocess.run(
        [openssl, "x509", "-hash", "-noout", "-in", str(private_ca.ca_file)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    shutil.copy(private_ca.ca_file, tmp_path / f"{subject_hash}.0")
    network_environ.setenv("SSL_CERT_DIR", str(tmp_path))

    with client_of(tls_emulator, https_url(port_of(tls_emulator.url)), sleeps) as client:
        assert client.userpool_id == "pool-a"


@dataclass(frozen=True)
class Refused:
    """A certificate of the trusted CA that fails verification, and the line it gets."""

    name: str
    """The name the certificate holds."""
    asked: str
    """The name the client asks for."""
    reason: str
    fix: str
    expired: bool = False


REFUSED_CERTIFICATES = [
    pytest.param(
        Refused(
            CERT_NAME,
            LOOPBACK,
            "certificate verify failed: IP address mismatch, certificate is not valid for "
            "'127.0.0.1'",
            FIX_NAME_MISMATCH,
        ),
        id="another-address",
    ),
    pytest.param(
        Refused(
            "genauth.internal.test",
            CERT_NAME,
            "certificate verify failed: Hostname mismatch, certificate is not valid for "
            "'localhost'",
            FIX_NAME_MISMATCH,
        ),
        id="another-name",
    ),
    pytest.param(
        Refused(
            CERT_NAME,
            CERT_NAME,
            "certificate verify failed: certificate has expired",
            FIX_VALIDITY,
            expired=True,
        ),
        id="expired",
    ),
]


@pytest.mark.usefixtures("trusted")
@pytest.mark.parametrize("case", REFUSED_CERTIFICATES)
def test_a_trusted_ca_s_certificate_that_fails_verification_fails_at_once(
    private_ca: PrivateCA,
    handshake_server: HandshakeFactory,
    emulator: EmulatorServer,
    sleeps: SleepRecorder,
    case: Refused,
) -> None:
    """Another name, another address or an expired certificate: its own reason and fix."""
    valid = (LONG_AGO, LONG_AGO + dt.timedelta(days=1)) if case.expired else None
    server = handshake_server(server_context(private_ca.issue(case.name, valid=valid)))
    host = https_url(server.port, case.asked)

    error = failure(client_of(emulator, host, sleeps))

    assert str(error) == certificate_line(host, case.reason, case.fix)
    assert server.connections == 1
    assert sleeps.pauses == []


# -- the handshake ---------------------------------------------------------------------------


def test_a_plain_http_server_at_an_https_url_fails_the_handshake_at_once(
    emulator: EmulatorServer, network_environ: pytest.MonkeyPatch, sleeps: SleepRecorder
) -> None:
    """The plain emulator's port written https://: it does not speak TLS; said once."""
    del network_environ
    host = https_url(port_of(emulator.url), LOOPBACK)

    error = failure(client_of(emulator, host, sleeps))

    assert isinstance(error, TLSError)
    assert str(error) == handshake_line(host, "wrong version number", FIX_NOT_TLS)
    assert error.certificate is False
    assert sleeps.pauses == []
    assert emulator.requests() == []


def legacy_only(tls: TlsFiles) -> ssl.SSLContext:
    """A server context that offers TLS 1.0 and 1.1 only, which the client refuses."""
    context = server_context(tls)
    with warnings.catch_warnings():  # the deprecation of these versions is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    return context


def client_certificate_required(tls: TlsFiles) -> ssl.SSLContext:
    """A server context that requires a client certificate (TLS 1.3: refused after it)."""
    context = server_context(tls)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=Path(tls.cert_file).read_text())
    return context


@dataclass(frozen=True)
class Disagreement:
    """A server's TLS context that no handshake with the client agrees on, and the line."""

    server: Callable[[TlsFiles], ssl.SSLContext]
    reason: str
    fix: str


@pytest.mark.usefixtures("trusted")
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            Disagreement(legacy_only, "tlsv1 alert protocol version", FIX_NO_COMMON_PROTOCOL),
            id="legacy",
        ),
        pytest.param(
            Disagreement(
                client_certificate_required,
                "tlsv13 alert certificate required",
                FIX_CLIENT_CERTIFICATE,
            ),
            id="client-certificate",
        ),
    ],
)
def test_a_handshake_the_two_sides_cannot_agree_on_fails_at_once(
    private_ca: PrivateCA,
    handshake_server: HandshakeFactory,
    emulator: EmulatorServer,
    sleeps: SleepRecorder,
    case: Disagreement,
) -> None:
    """No common protocol version, or a client certificate asked for: one line, one try."""
    started = handshake_server(case.server(private_ca.tls))
    host = https_url(started.port)

    error = failure(client_of(emulator, host, sleeps))

    assert str(error) == handshake_line(host, case.reason, case.fix)
    assert started.connections == 1
    assert sleeps.pauses == []


def test_a_handshake_cut_off_is_retried_like_a_connect_error(
    handshake_server: HandshakeFactory,
    emulator: EmulatorServer,
    network_environ: pytest.MonkeyPatch,
    sleeps: SleepRecorder,
) -> None:
    """A server that closes during the handshake may be restarting: that is worth retrying."""
    del network_environ
    server = handshake_server(None)
    host = https_url(server.port)

    error = failure(client_of(emulator, host, sleeps))

    assert not isinstance(error, TLSError)
    assert str(error) == (
        f"POST {TOKEN_PATH}: could not reach {host} (ConnectError) "
        f"(after {FAST_RETRY.max_attempts} attempt(s))"
    )
    assert server.connections == FAST_RETRY.max_attempts


def test_an_unreadable_ssl_cert_file_is_a_configuration_error(
    network_environ: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SSL_CERT_FILE naming no CA file: a ConfigurationError naming the variable, nothing sent."""
    missing = tmp_path / "no-such-ca.pem"
    network_environ.setenv("SSL_CERT_FILE", str(missing))
    with pytest.raises(ConfigurationError) as info:
        GenAuthClient(host="https://api.genauth.ai", access_key_id="id", access_key_secret="s")
    assert str(info.value) == (
        f"SSL_CERT_FILE={str(missing)!r} could not be loaded as CA certificates (No such file "
        "or directory): point it at a PEM file of CA certificates (SSL_CERT_DIR: a folder of "
        "them), or unset it"
    )


# -- the proxy -------------------------------------------------------------------------------


def test_a_proxy_from_https_proxy_carries_the_calls(
    tls_emulator: EmulatorServer,
    trusted: Path,
    connect_proxy: ProxyFactory,
    network_environ: pytest.MonkeyPatch,
    sleeps: SleepRecorder,
) -> None:
    """HTTPS_PROXY set: every connection to the host is a tunnel through the proxy."""
    assert trusted.exists()
    proxy = connect_proxy()
    network_environ.setenv("HTTPS_PROXY", proxy.url)
    host = https_url(port_of(tls_emulator.url))

    with client_of(tls_emulator, host, sleeps) as client:
        client.config_email_provider(request_for("custom"))
        client.get_email_provider()

    target = f"{CERT_NAME}:{port_of(host)}"
    assert proxy.targets() == [target]  # one kept-alive tunnel for the token and both calls
    assert len(config_calls(tls_emulator)) == 1


def test_no_proxy_skips_the_proxy(
    tls_emulator: EmulatorServer,
    trusted: Path,
    connect_proxy: ProxyFactory,
    network_environ: pytest.MonkeyPatch,
    sleeps: SleepRecorder,
) -> None:
    """The host listed in NO_PROXY is reached directly, HTTPS_PROXY notwithstanding."""
    assert trusted.exists()
    proxy = connect_proxy()
    network_environ.setenv("HTTPS_PROXY", proxy.url)
    network_environ.setenv("NO_PROXY", f"example.com,{CERT_NAME}")

    with client_of(tls_emulator, https_url(port_of(tls_emulator.url)), sleeps) as client:
        client.config_email_provider(request_for("custom"))

    assert proxy.targets() == []
    assert len(config_calls(tls_emulator)) == 1


@pytest.mark.parametrize(
    "refusal",
    [
        (407, "407 Proxy Authentication Required", FIX_PROXY_CREDENTIALS),
        (403, "403 Forbidden", FIX_PROXY_POLICY),
    ],
)
def test_a_proxy_refusing_the_tunnel_fails_at_once_naming_it_without_credentials(
    tls_emulator: EmulatorServer,
    connect_proxy: ProxyFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    refusal: tuple[int, str, str],
) -> None:
    """A 407 or 403 to CONNECT: one line naming the proxy, its answer and the fix; no secret."""
    status, reason, fix = refusal
    caplog.set_level(logging.DEBUG)
    proxy = connect_proxy(refuse=status)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url_with_credentials())  # tls_emulator cleaned it
    host = https_url(port_of(tls_emulator.url))
    sleeps = SleepRecorder()

    error = failure(client_of(tls_emulator, host, sleeps))

    assert isinstance(error, ProxyRefusedError)
    assert str(error) == refusal_line(proxy.url, host, reason, fix.format(variable="HTTPS_PROXY"))
    assert (error.proxy, error.host, error.attempts) == (proxy.url, host, 1)
    assert [tunnel.user for tunnel in proxy.tunnels] == [PROXY_USER]  # the URL's credentials
    assert sleeps.pauses == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (PROXY_PASSWORD, PROXY_USER):
        assert secret not in str(error)
        assert secret not in repr(error)
        assert secret not in logged
    assert tls_emulator.requests() == []


def test_a_proxy_that_cannot_reach_the_host_is_retried_and_named(
    connect_proxy: ProxyFactory,
    handshake_server: HandshakeFactory,
    emulator: EmulatorServer,
    network_environ: pytest.MonkeyPatch,
    sleeps: SleepRecorder,
) -> None:
    """A 502 to CONNECT (the host unreachable from the proxy) is retried, then named."""
    proxy = connect_proxy()
    network_environ.setenv("HTTPS_PROXY", proxy.url_with_credentials())
    closed = handshake_server(None)
    port = closed.port
    closed.close()  # nothing listens there any more
    host = https_url(port)

    error = failure(client_of(emulator, host, sleeps))

    assert str(error) == (
        f"POST {TOKEN_PATH}: the proxy {proxy.url} could not reach {host} (502 Bad Gateway) "
        f"(after {FAST_RETRY.max_attempts} attempt(s))"
    )
    assert len(proxy.tunnels) == FAST_RETRY.max_attempts
    assert PROXY_PASSWORD not in str(error)


def test_an_untrusted_certificate_behind_a_proxy_fails_the_same_way(
    tls_emulator: EmulatorServer,
    connect_proxy: ProxyFactory,
    network_environ: pytest.MonkeyPatch,
    sleeps: SleepRecorder,
) -> None:
    """Through the tunnel, the host's certificate is checked as directly: the same line."""
    proxy = connect_proxy()
    network_environ.setenv("HTTPS_PROXY", proxy.url)
    host = https_url(port_of(tls_emulator.url))

    error = failure(client_of(tls_emulator, host, sleeps))

    assert str(error) == certificate_line(host, UNTRUSTED, FIX_UNTRUSTED_CA)
    assert len(proxy.tunnels) == 1
    assert sleeps.pauses == []
