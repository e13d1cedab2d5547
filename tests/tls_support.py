"""A private deployment on loopback: a private CA, an HTTP CONNECT proxy, a counting relay.

What the TLS and proxy tests (fast and engine) stand GenAuth up with:

* :class:`PrivateCA`: a throw-away CA nobody trusts until told (``ca_file``, for
  ``SSL_CERT_FILE``), and the emulator's certificate files for ``localhost``, served with the
  CA's own certificate after it, as servers of a corporate CA commonly send their chain;
* :class:`ConnectProxy`: an HTTP proxy that opens ``CONNECT`` tunnels, records each target
  and the credentials it was offered, or refuses every tunnel with a status of its choosing;
* :class:`TcpRelay`: forwards TCP connections to a port and counts them, so that a test can
  tell one attempt from five without a clock.

Fixtures over these are in ``tls_fixtures``.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import socket
import socketserver
import ssl
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import trustme

from pulumi_genauth.emulator.server import TlsFiles

LOOPBACK: Final = "127.0.0.1"
# The name the emulator's certificate holds; 127.0.0.1 is another name, not in it.
CERT_NAME: Final = "localhost"
# Proxy credentials planted in HTTPS_PROXY URLs: no message may show them.
PROXY_USER: Final = "proxy-user-4a1f"
PROXY_PASSWORD: Final = "canary-proxy-pass-93d7"
REASONS: Final = {403: "Forbidden", 407: "Proxy Authentication Required", 502: "Bad Gateway"}
CHUNK: Final = 65536
IO_TIMEOUT_SECONDS: Final = 30.0
POLL_SECONDS: Final = 0.02  # how soon a server notices it is asked to stop


@dataclass(frozen=True)
class PrivateCA:
    """A CA of the test's own, its certificate file, and the emulator's certificate files."""

    ca: trustme.CA
    ca_file: Path
    tls: TlsFiles
    folder: Path

    @classmethod
    def make(cls, folder: Path) -> PrivateCA:
        """A new CA, and a server certificate for ``localhost``."""
        ca = trustme.CA(organization_name="pulumi-genauth test corporate CA")
        ca_file = folder / "corporate-ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        made = cls(ca=ca, ca_file=ca_file, tls=TlsFiles("", ""), folder=folder)
        return dataclasses.replace(made, tls=made.issue(CERT_NAME))

    def issue(self, name: str, *, valid: tuple[dt.datetime, dt.datetime] | None = None) -> TlsFiles:
        """Certificate files for ``name``: the chain (the server's, then the CA's) and key."""
        if valid is None:
            leaf = self.ca.issue_cert(name)
        else:
            leaf = self.ca.issue_cert(name, not_before=valid[0], not_after=valid[1])
        stem = f"{name}-{uuid.uuid4().hex[:8]}"
        cert_file, key_file = self.folder / f"{stem}-chain.pem", self.folder / f"{stem}-key.pem"
        chain = b"".join(pem.bytes() for pem in leaf.cert_chain_pems) + self.ca.cert_pem.bytes()
        cert_file.write_bytes(chain)
        leaf.private_key_pem.write_to_path(str(key_file))
        return TlsFiles(str(cert_file), str(key_file))


def server_context(tls: TlsFiles) -> ssl.SSLContext:
    """A server-side TLS context serving ``tls``'s certificate chain."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls.cert_file, tls.key_file)
    return context


def https_url(port: int, host: str = CERT_NAME) -> str:
    """The https URL of a loopback port, by a name (``localhost``) or an address."""
    return f"https://{host}:{port}"


def port_of(url: str) -> int:
    """The port of a ``scheme://host:port`` URL."""
    return int(url.rsplit(":", 1)[1].rstrip("/"))


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes one way until either side closes, then close both."""
    try:
        while data := source.recv(CHUNK):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _splice(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways between two connected sockets until both are done."""
    other = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
    other.start()
    _pipe(client, upstream)
    other.join(IO_TIMEOUT_SECONDS)
    upstream.close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Threaded:
    """A socketserver in a daemon thread on a loopback port; a context manager."""

    _server: _Server

    def _start(self, handler: type[socketserver.BaseRequestHandler]) -> None:
        self._server = _Server((LOOPBACK, 0), handler)
        self._server.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_SECONDS,), daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The loopback port it listens on."""
        port: int = self._server.server_address[1]
        return port

    def close(self) -> None:
        """Stop serving (tunnels still open end with their connections)."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(IO_TIMEOUT_SECONDS)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class Tunnel:
    """One CONNECT request the proxy received."""

    target: str
    """``host:port`` as the client asked for it."""
    user: str | None
    """The user name of its Proxy-Authorization (Basic), if it sent one."""


class _ProxyHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        proxy: ConnectProxy = self.server.owner  # type: ignore[attr-defined]
        self.connection.settimeout(IO_TIMEOUT_SECONDS)
        request_line = self.rfile.readline(CHUNK).decode("latin-1").split()
        headers: dict[str, str] = {}
        while (line := self.rfile.readline(CHUNK)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if len(request_line) != 3 or request_line[0] != "CONNECT":
            self._answer(405, "Method Not Allowed")
            return
        tunnel = Tunnel(request_line[1], _basic_user(headers.get("proxy-authorization")))
        proxy.tunnels.append(tunnel)
        if proxy.refuse is not None:
            self._answer(proxy.refuse, REASONS.get(proxy.refuse, "Refused"))
            return
        host, _, port = tunnel.target.rpartition(":")
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), IO_TIMEOUT_SECONDS)
        except OSError:
            self._answer(502, REASONS[502])
            return
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        _splice(self.connection, upstream)

    def _answer(self, status: int, reason: str) -> None:
        extra = 'Proxy-Authenticate: Basic realm="test"\r\n' if status == 407 else ""
        self.wfile.write(
            f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: 0\r\n"
            "Connection: close\r\n\r\n".encode()
        )


def _basic_user(authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    decoded = base64.b64decode(authorization.split(None, 1)[1]).decode()
    return decoded.partition(":")[0]


class ConnectProxy(_Threaded):
    """An HTTP proxy on loopback that tunnels ``CONNECT``, or refuses each with ``refuse``."""

    def __init__(self, refuse: int | None = None) -> None:
        self.refuse = refuse
        self.tunnels: list[Tunnel] = []
        self._start(_ProxyHandler)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: what HTTPS_PROXY names, and what a message may show."""
        return f"http://{LOOPBACK}:{self.port}"

    def url_with_credentials(self) -> str:
        """The proxy's URL with a user name and a (planted) password in it."""
        return f"http://{PROXY_USER}:{PROXY_PASSWORD}@{LOOPBACK}:{self.port}"

    def targets(self) -> list[str]:
        """The ``host:port`` of every tunnel asked for, in order."""
        return [tunnel.target for tunnel in self.tunnels]


class _RelayHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        relay: TcpRelay = self.server.owner  # type: ignore[attr-defined]
        with relay.lock:
            relay.connections += 1
        upstream = socket.create_connection((LOOPBACK, relay.target_port), IO_TIMEOUT_SECONDS)
        _splice(self.request, upstream)


class TcpRelay(_Threaded):
    """Forwards every TCP connection to ``target_port`` on loopback, and counts them."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.connections = 0
        self.lock = threading.Lock()
        self._start(_RelayHandler)


def proxy_variables() -> Iterator[str]:
    """Every spelling of the variables that choose a proxy (httpx reads both cases)."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        yield name
        yield name.upper()


TRUST_VARIABLES: Final = ("SSL_CERT_FILE", "SSL_CERT_DIR")

ProxyFactory = Callable[..., ConnectProxy]
"""``connect_proxy(refuse=None)``: a CONNECT proxy on loopback, closed after the test."""
RelayFactory = Callable[[int], TcpRelay]
"""``relay(port)``: a counting TCP relay to a loopback port, closed after the test."""


class _HandshakeHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: HandshakeServer = self.server.owner  # type: ignore[attr-defined]
        with server.lock:
            server.connections += 1
        if server.context is None:
            return  # closed before any TLS: the client's handshake is cut off
        self.request.settimeout(IO_TIMEOUT_SECONDS)
        # The handshake fails: that is the client's failure under test, not the server's.
        with (
            contextlib.suppress(OSError),
            server.context.wrap_socket(self.request, server_side=True) as tls,
        ):
            tls.recv(CHUNK)


class HandshakeServer(_Threaded):
    """A TLS server on loopback that only handshakes (``context`` None: closes at once)."""

    def __init__(self, context: ssl.SSLContext | None) -> None:
        self.context = context
        self.connections = 0
        self.lock = threading.Lock()
        self._start(_HandshakeHandler)
