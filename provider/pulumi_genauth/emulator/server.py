"""Run the emulator: in a thread of this process, or anywhere, and steer it over HTTP.

:class:`EmulatorServer` starts uvicorn in a daemon thread on a real loopback port (0 picks a
free one) and returns once the server accepts connections. :class:`EmulatorControl` drives
the ``/_emulator/`` test hooks of any running emulator (in-process or a subprocess) by URL;
the server offers the same methods.

    with EmulatorServer(pools=[Pool("pool-a", "key-a", "secret-a")]) as emulator:
        client = GenAuthClient(host=emulator.url, access_key_id="key-a", ...)
        emulator.add_fault(path="/api/v3/config-email-provider", status=503, times=2)

Given :class:`TlsFiles` (a certificate chain and its key), it serves https instead, as a
private GenAuth deployment does; the hooks then trust exactly that certificate.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Self

import httpx
import uvicorn

from . import DEFAULT_HOST, DEFAULT_POOL, DEFAULT_TOKEN_TTL_SECONDS, Pool
from .app import HOOKS_PREFIX, create_app
from .service import EmailProviderService
from .store import IN_MEMORY, EmulatorStore

STARTUP_TIMEOUT_SECONDS: Final = 10.0
SHUTDOWN_TIMEOUT_SECONDS: Final = 10.0
CONTROL_TIMEOUT: Final = httpx.Timeout(10.0)


class ReadyServer(uvicorn.Server):
    """A uvicorn server that calls back once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start serving, then report readiness (unless startup failed)."""
        await super().startup(sockets)
        if not self.should_exit:
            self._on_ready()


@dataclass(frozen=True)
class TlsFiles:
    """PEM files to serve https with: the certificate chain (server's first) and its key."""

    cert_file: str
    key_file: str

    def pinned_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly this certificate, whatever names it holds."""
        context = ssl.create_default_context(cafile=self.cert_file)
        # The served certificate itself is the trust anchor (not its CA), and a test may
        # serve it under a name it does not hold on purpose.
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        context.check_hostname = False
        return context


def uvicorn_config(service: EmailProviderService, tls: TlsFiles | None = None) -> uvicorn.Config:
    """The uvicorn settings for the emulator: HTTP/1.1 (over TLS if given), quiet."""
    return uvicorn.Config(
        create_app(service),
        http="h11",
        ws="none",
        lifespan="off",
        log_level="warning",
        access_log=False,
        ssl_certfile=tls.cert_file if tls else None,
        ssl_keyfile=tls.key_file if tls else None,
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on ``host:port`` (port 0: a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio turns Nagle off only on sockets it knows are TCP,
    # and with Nagle on every keep-alive answer waits 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def url_of(sock: socket.socket, scheme: str = "http") -> str:
    """The URL a bound socket answers on (``https`` when served over TLS)."""
    host, port = sock.getsockname()[:2]
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


class _Hooks:
    """The test hooks, called over HTTP; subclasses provide the client."""

    def _hooks_http(self) -> httpx.Client:
        raise NotImplementedError

    def _call(self, method: str, hook: str, body: Any = None) -> Any:
        response = self._hooks_http().request(method, f"{HOOKS_PREFIX}/{hook}", json=body)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """Forget settings, the request log, faults and the mask switch; keep pools."""
        self._call("POST", "reset")

    def requests(self) -> list[dict[str, Any]]:
        """The served API requests, oldest first (hook calls are not logged)."""
        entries: list[dict[str, Any]] = self._call("GET", "requests")
        return entries

    def add_fault(
        self,
        *,
        path: str | None = None,
        status: int | None = None,
        times: int = 1,
        retry_after: str | None = None,
        latency_seconds: float = 0.0,
        malformed: bool = False,
        envelope_status: int | None = None,
    ) -> None:
        """Queue a fault for the next ``times`` requests to ``path`` (any API path if None)."""
        body = {
            "path": path,
            "status": status,
            "times": times,
            "retry_after": retry_after,
            "latency_seconds": latency_seconds,
            "malformed": malformed,
            "envelope_status": envelope_status,
        }
        self._call("POST", "faults", body)

    def expire_tokens(self) -> None:
        """Reject every management token issued so far, as expired."""
        self._call("POST", "expire-tokens")

    def mask_secrets(self, mask: bool = True) -> None:
        """Make read answers show secrets as ``******`` (or stop doing so)."""
        self._call("POST", "settings", {"mask_secrets": mask})

    def stored(self, pool_id: str) -> dict[str, Any] | None:
        """The pool's email provider setting as stored (secrets in plain); None if unset."""
        setting: dict[str, Any] | None = self._call("GET", f"pools/{pool_id}/email-provider")
        return setting

    def add_pool(self, pool: Pool) -> None:
        """Serve one more pool (or give an existing pool a new access key)."""
        body = {
            "id": pool.id,
            "accessKeyId": pool.access_key_id,
            "accessKeySecret": pool.access_key_secret,
        }
        self._call("POST", "pools", body)


class EmulatorControl(_Hooks):
    """The test hooks of an emulator running at ``url``."""

    def __init__(self, url: str, verify: ssl.SSLContext | bool = True) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=CONTROL_TIMEOUT, verify=verify)

    def _hooks_http(self) -> httpx.Client:
        return self._http

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class EmulatorServer(_Hooks):
    """The emulator in a thread of this process, on a real loopback port."""

    def __init__(
        self,
        pools: Sequence[Pool] = (DEFAULT_POOL,),
        *,
        db_path: str = IN_MEMORY,
        token_ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS,
        host: str = DEFAULT_HOST,
        port: int = 0,
        tls: TlsFiles | None = None,
    ) -> None:
        self.pools: list[Pool] = list(pools)
        self.db_path = db_path
        self.token_ttl_seconds = token_ttl_seconds
        self.host = host
        self.port = port
        self.tls = tls
        self._url: str | None = None
        self._control: EmulatorControl | None = None
        self._server: ReadyServer | None = None
        self._thread: threading.Thread | None = None
        self._store: EmulatorStore | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (``https://`` with TLS)."""
        if self._url is None:
            raise RuntimeError("the emulator is not running: call start() first")
        return self._url

    @property
    def control(self) -> EmulatorControl:
        """The hook client of the running server."""
        if self._control is None:
            raise RuntimeError("the emulator is not running: call start() first")
        return self._control

    def _hooks_http(self) -> httpx.Client:
        return self.control._hooks_http()

    def start(self) -> Self:
        """Start serving; return once connections are accepted."""
        if self._thread is not None:
            raise RuntimeError("the emulator is already running")
        store = EmulatorStore(self.db_path)
        for pool in self.pools:
            store.put_pool(pool)
        service = EmailProviderService(store, token_ttl_seconds=self.token_ttl_seconds)
        ready = threading.Event()
        server = ReadyServer(uvicorn_config(service, self.tls), on_ready=ready.set)
        sock = bind(self.host, self.port)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="genauth-emulator", daemon=True
        )
        thread.start()
        if not ready.wait(STARTUP_TIMEOUT_SECONDS):
            server.should_exit = True
            thread.join(SHUTDOWN_TIMEOUT_SECONDS)
            sock.close()
            store.close()
            raise RuntimeError("the emulator did not start in time")
        self._store, self._server, self._thread = store, server, thread
        self._url = url_of(sock, "https" if self.tls else "http")
        self._control = EmulatorControl(self._url, self.tls.pinned_context() if self.tls else True)
        return self

    def stop(self) -> None:
        """Stop serving and close the database."""
        # The hooks' kept-alive connection first: over TLS, uvicorn waits for its close_notify
        # answer, which nobody would read while this thread waits for the server's.
        if self._control is not None:
            self._control.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(SHUTDOWN_TIMEOUT_SECONDS)
        if self._store is not None:
            self._store.close()
        self._server = self._thread = self._control = self._store = None
        self._url = None

    def add_pool(self, pool: Pool) -> None:
        """Serve one more pool, and list it in :attr:`pools`."""
        super().add_pool(pool)
        self.pools = [p for p in self.pools if p.id != pool.id] + [pool]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
