"""A real SMTP server on loopback for the ``verify_smtp`` tests: aiosmtpd, TLS by a throw-away CA.

:class:`SmtpServer` runs aiosmtpd in a thread, in one of three ways (:class:`Mode`): implicit
TLS (SMTPS, like port 465), plain with STARTTLS offered (like 587), or plain with no TLS at
all but AUTH offered anyway (the server the preflight must refuse to send a password to). It
accepts the logins it is given and records every login attempt (mechanism, login, accepted,
encrypted), never the password tried; and every mail, of which there must be none.

:class:`ScriptedServer` is the server that misbehaves on cue: it answers each command with the
lines its script gives, pauses, hangs up or resets the connection, for the failures aiosmtpd
will not produce (a refused STARTTLS, a reply cut off, a greeting that comes too late).

Certificates come from :class:`Certificates`: a trustme CA that the tests make the process
trust through ``SSL_CERT_FILE`` (the fixtures in ``smtp_fixtures``), and a second CA that
nobody trusts, for the certificate failure.
"""

from __future__ import annotations

import enum
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOOPBACK: Final = "127.0.0.1"
# The names the server certificates are valid for.
CERTIFICATE_NAMES: Final = ("localhost", LOOPBACK, "::1")


class Mode(enum.Enum):
    """How the server speaks TLS."""

    IMPLICIT_TLS = "implicit TLS"
    STARTTLS = "STARTTLS"
    PLAIN = "plain, no STARTTLS"


@dataclass(frozen=True)
class Attempt:
    """One AUTH attempt the server saw (the password tried is not kept)."""

    mechanism: str
    login: str
    accepted: bool
    encrypted: bool


class Cert(enum.Enum):
    """Which certificate a server shows."""

    TRUSTED = "from the trusted CA, for the loopback names"
    UNTRUSTED = "from a CA nobody trusts"
    OTHER_NAME = "from the trusted CA, for another host name only"


@dataclass(frozen=True)
class Certificates:
    """The CA the tests trust (``ca_file``), and a server certificate of each :class:`Cert`."""

    ca_file: Path
    leaves: Mapping[Cert, trustme.LeafCert]

    @classmethod
    def make(cls, folder: Path) -> Certificates:
        """Two throw-away CAs; only the first one's certificate is written to ``ca_file``."""
        ca, stranger = trustme.CA(), trustme.CA()
        ca_file = folder / "smtp-test-ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        leaves = {
            Cert.TRUSTED: ca.issue_cert(*CERTIFICATE_NAMES),
            Cert.UNTRUSTED: stranger.issue_cert(*CERTIFICATE_NAMES),
            Cert.OTHER_NAME: ca.issue_cert("mail.example.test"),
        }
        return cls(ca_file=ca_file, leaves=leaves)


def free_port() -> int:
    """A loopback port nothing listens on (aiosmtpd's Controller cannot bind port 0)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


class _Handler:
    """Keeps every mail that reaches DATA: the preflight must send none."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@dataclass
class SmtpServer:
    """An aiosmtpd server on loopback, accepting ``accounts`` (login -> password)."""

    mode: Mode
    certificate: trustme.LeafCert
    accounts: Mapping[str, str]
    host: str = LOOPBACK
    port: int = field(default_factory=free_port)
    attempts: list[Attempt] = field(default_factory=list)
    _handler: _Handler = field(default_factory=_Handler)
    _controller: Controller | None = None

    @property
    def messages(self) -> list[Any]:
        """The mails received (the preflight must never send one)."""
        return self._handler.messages

    def start(self) -> SmtpServer:
        """Listen; returns self."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.certificate.configure_cert(context)
        options: dict[str, Any] = {
            "hostname": self.host,
            "port": self.port,
            "server_hostname": "localhost",  # the greeting's name; skips a getfqdn() lookup
            "authenticator": self._authenticate,
            "ready_timeout": 10.0,
        }
        if self.mode is Mode.IMPLICIT_TLS:
            # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; this one is all TLS.
            options.update(ssl_context=context, auth_require_tls=False)
        elif self.mode is Mode.STARTTLS:
            options.update(tls_context=context, auth_require_tls=True)
        else:
            # Offers AUTH in clear text: what a client must not take up on a password.
            options.update(auth_require_tls=False)
        self._controller = Controller(self._handler, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening (idempotent)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _authenticate(
        self, _server: Any, session: Any, _envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = auth_data.login.decode("utf-8", "replace")
        accepted = self.accounts.get(login) == auth_data.password.decode("utf-8", "replace")
        encrypted = self.mode is Mode.IMPLICIT_TLS or session.ssl is not None
        self.attempts.append(Attempt(mechanism, login, accepted, encrypted))
        # handled=False: aiosmtpd answers a refusal with 535 5.7.8, as real servers do.
        return AuthResult(success=accepted, handled=False)


SmtpServerFactory = Callable[..., SmtpServer]
"""``smtp_server(mode, accounts, certificate=Cert.TRUSTED, host=LOOPBACK)``: see the fixture
of ``smtp_fixtures``."""


class Act(enum.Enum):
    """What a :class:`ScriptedServer` does besides sending a line."""

    HANG_UP = "close the connection"
    RESET = "reset the connection (RST)"
    AWAIT_CLIENT = "wait for the client to send something (a TLS ClientHello, say)"


@dataclass(frozen=True)
class Pause:
    """Wait this long before the next action."""

    seconds: float


Action = str | bytes | Pause | Act
Script = Mapping[str, Sequence[Action]]
"""Command verb (``EHLO``, ``STARTTLS``, ``AUTH``...; ``CONNECT`` for the greeting) -> actions."""


@dataclass
class ScriptedServer:
    """An SMTP server on loopback that plays ``script``, one connection at a time.

    ``tls`` makes it speak implicit TLS (the handshake comes before the ``CONNECT`` actions).
    A verb the script does not name is answered ``502``, QUIT with ``221`` and a hang-up.
    ``commands`` records the verbs received, never their arguments (AUTH carries a password).
    """

    script: Script
    tls: ssl.SSLContext | None = None
    commands: list[str] = field(default_factory=list)
    _listener: socket.socket = field(default_factory=socket.socket)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on."""
        port: int = self._listener.getsockname()[1]
        return port

    def start(self) -> ScriptedServer:
        """Listen; returns self."""
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(8)
        self._listener.settimeout(0.05)  # how often the loop looks at the stop event
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(10)
            try:
                self._converse(conn)
            except OSError:
                pass  # the client gave up or hung up: its side of the story is the test's
            finally:
                conn.close()

    def _converse(self, raw: socket.socket) -> None:
        conn = raw if self.tls is None else self.tls.wrap_socket(raw, server_side=True)
        with conn, conn.makefile("rb") as lines:
            if not self._play(conn, self.script.get("CONNECT", ["220 mail.test ESMTP"])):
                return
            while line := lines.readline():
                verb = line.split(maxsplit=1)[0].decode("ascii", "replace").upper()
                self.commands.append(verb)
                default: Sequence[Action] = (
                    ["221 2.0.0 Bye", Act.HANG_UP] if verb == "QUIT" else ["502 5.5.2 Not scripted"]
                )
                if not self._play(conn, self.script.get(verb, default)):
                    return

    @staticmethod
    def _play(conn: socket.socket, actions: Sequence[Action]) -> bool:
        """Carry out ``actions``; False once the connection is closed."""
        for action in actions:
            if isinstance(action, Pause):
                time.sleep(action.seconds)
            elif action is Act.AWAIT_CLIENT:
                conn.recv(1)
            elif action is Act.RESET:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                return False
            elif action is Act.HANG_UP:
                conn.close()
                return False
            else:
                data = action if isinstance(action, bytes) else action.encode()
                conn.sendall(data + b"\r\n")
        return True


ScriptedServerFactory = Callable[..., ScriptedServer]
"""``scripted_smtp(script, tls=False)``: see the fixture of ``smtp_fixtures``."""
