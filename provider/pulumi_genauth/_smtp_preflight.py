"""SMTP preflight (``verify_smtp``): prove the mail credentials work before GenAuth uses them.

A wrong SMTP password is accepted by GenAuth without complaint; the first sign of it is users
who never get their verification codes. With ``verify_smtp=True`` the provider's ``create``
and ``update`` call :func:`verify` first, before any GenAuth API call: it connects to the mail
server, logs in with the declared sender and password, and says goodbye (no mail is sent). A
failure raises :class:`SmtpPreflightError`, one line saying what failed, so that nothing is
sent to GenAuth and the user pool is left as it was. Preview (``check`` / ``diff``) never
imports this module, so it stays free of network access.

What is checked, per type:

* ``custom``: ``smtp_config``'s ``smtp_host:smtp_port``, login ``sender``, ``sender_pass``;
* ``ali``: ``smtp.qiye.aliyun.com:465``, ``qq``: ``smtp.exmail.qq.com:465`` (their public
  SMTP servers, implicit TLS), with the config's ``sender`` and ``sender_pass``. The
  environment variables ``PULUMI_GENAUTH_SMTP_ALI`` and ``PULUMI_GENAUTH_SMTP_QQ`` replace that
  address with ``host:port`` (``[::1]:465`` for IPv6), for tests or a relay; implicit TLS is
  kept;
* ``sendgrid``: nothing. An API key is not an SMTP login this check could try.

How it connects:

* implicit TLS (SMTPS) when ``secure`` is true or the port is 465;
* otherwise a plain connection upgraded with STARTTLS. A server that does not offer STARTTLS
  fails the check, and the password is **not** sent: logging in would put it on the network
  in clear text, which a check that exists to protect a credential must not do. Turn
  ``verify_smtp`` off for such a server.

Certificates are verified against the system's trust store with
``ssl.create_default_context()`` (so the standard ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``
environment variables choose the authorities), host name included. Every network wait (the
connection, a TLS handshake, each server reply) lasts at most :data:`TIMEOUT_SECONDS`, and the
whole check at most :data:`DEADLINE_SECONDS`.

The password never reaches a message, a log or a repr: this module logs nothing, the target's
repr leaves the password out, and a server reply quoted in an error is stripped of the
password (and of its base64 forms, which is how SMTP AUTH carries it) before it is shown.

Only the standard library is used (``smtplib``, ``ssl``), so that the check can serve any
front end of the package without pulling in its API client.
"""

from __future__ import annotations

import base64
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ._exceptions import SmtpPreflightError
from ._fields import (
    CONFIG_FIELD_BY_TYPE,
    PORT_MAX,
    PORT_MIN,
    VERIFY_SMTP_KEY,
    EmailProviderType,
)

# The longest any one network wait may take: connecting, a TLS handshake, one server reply.
# Generous, because mail servers deliberately delay their greeting or a refused login.
TIMEOUT_SECONDS: Final = 10.0
# The longest the whole check may take (a server answering each step just in time).
DEADLINE_SECONDS: Final = 30.0

IMPLICIT_TLS_PORT: Final = 465

# The public SMTP servers of the enterprise mail services, and the variables that replace them.
ALI_SMTP: Final = ("smtp.qiye.aliyun.com", IMPLICIT_TLS_PORT)
QQ_SMTP: Final = ("smtp.exmail.qq.com", IMPLICIT_TLS_PORT)
ALI_SMTP_ENV: Final = "PULUMI_GENAUTH_SMTP_ALI"
QQ_SMTP_ENV: Final = "PULUMI_GENAUTH_SMTP_QQ"
_SERVICES: Final = {
    kind: (CONFIG_FIELD_BY_TYPE[kind][0], address, variable)
    for kind, address, variable in (
        (EmailProviderType.ALI, ALI_SMTP, ALI_SMTP_ENV),
        (EmailProviderType.QQ, QQ_SMTP, QQ_SMTP_ENV),
    )
}
_SMTP_CONFIG: Final = CONFIG_FIELD_BY_TYPE[EmailProviderType.CUSTOM][0]

# A server reply is quoted in an error, but only so much of it.
_MAX_REPLY_CHARS: Final = 200


@dataclass(frozen=True)
class Target:
    """The server to log in to, and how."""

    host: str
    port: int
    implicit_tls: bool
    sender: str
    # Left out of the repr: a Target may end up in a debugger or a traceback's locals.
    password: str = field(repr=False)


def verify(props: Mapping[str, Any], *, environ: Mapping[str, str] | None = None) -> None:
    """Log in to the mail server of ``props`` when they ask for ``verify_smtp``.

    Does nothing when ``verify_smtp`` is not true, or for ``sendgrid``. ``props`` are the
    resource's properties at apply time (known and validated by ``check``).

    Raises:
        SmtpPreflightError: the server could not be reached, TLS failed, it offers no
            STARTTLS on a plain port, or it refused the login.
    """
    if props.get(VERIFY_SMTP_KEY) is not True:
        return
    target = target_of(props, os.environ if environ is None else environ)
    if target is not None:
        login(target)


def target_of(props: Mapping[str, Any], environ: Mapping[str, str]) -> Target | None:
    """The server and login ``props`` describe; ``None`` for a type with no SMTP login."""
    kind = props.get("type")
    if kind == EmailProviderType.CUSTOM:
        config = _config(props, _SMTP_CONFIG)
        host, port = str(config["smtp_host"]), int(config["smtp_port"])
        implicit = config.get("secure") is True or port == IMPLICIT_TLS_PORT
    elif kind in _SERVICES:
        name, (host, port), variable = _SERVICES[kind]
        config = _config(props, name)
        if environ.get(variable):
            host, port = _parse_address(variable, environ[variable], default=(host, port))
        # Their servers speak implicit TLS; an override keeps it, so tests prove the same path.
        implicit = True
    else:
        return None
    sender = config.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        # check() refuses this for smtp_config; the enterprise types require a sender anyway.
        raise SmtpPreflightError(
            "no sender is declared, and the sender is the login the password is tried with",
            host=host,
            port=port,
        )
    return Target(host, port, implicit, sender, str(config["sender_pass"]))


def login(target: Target) -> None:
    """Connect, secure the connection, log in, quit; raise :class:`SmtpPreflightError` if not."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    context = ssl.create_default_context()
    # A bracketed IPv6 literal is how smtp_host spells it; sockets and TLS want it bare.
    host = target.host[1:-1] if target.host.startswith("[") else target.host
    smtp: smtplib.SMTP = (
        smtplib.SMTP_SSL(timeout=_remaining(deadline), context=context)
        if target.implicit_tls
        else smtplib.SMTP(timeout=_remaining(deadline))
    )
    # The name TLS verifies the certificate against. smtplib sets it only in a constructor
    # that also connects, and that constructor leaves its socket open when the greeting
    # fails; so the connection is made below, and the name is set as it would have set it.
    smtp._host = host  # type: ignore[attr-defined]
    steps = ["connecting"]  # what was being done, for the message if it fails
    try:
        _converse(smtp, target, host=host, context=context, deadline=deadline, steps=steps)
    except SmtpPreflightError:
        raise
    except (smtplib.SMTPException, OSError, UnicodeError) as error:
        failure, cause = _explain(error, target, steps[-1])
        raise failure from cause
    finally:
        # After QUIT the socket is closed already; on failure this drops it without a word.
        smtp.close()


def _converse(
    smtp: smtplib.SMTP,
    target: Target,
    *,
    host: str,
    context: ssl.SSLContext,
    deadline: float,
    steps: list[str],
) -> None:
    """The SMTP conversation; ``steps`` grows with each step begun."""
    code, message = smtp.connect(host, target.port)
    if code != 220:
        # smtplib hands a refusing greeting back instead of raising (only its constructor
        # checks); going on to EHLO would report a later, vaguer failure.
        raise smtplib.SMTPConnectError(code, message)
    if not target.implicit_tls:
        steps.append("greeting the server (EHLO)")
        _arm(smtp, deadline)
        smtp.ehlo()
        if not smtp.has_extn("starttls"):
            raise _failure(
                target,
                "the server does not offer STARTTLS on this port, and the password is not "
                "sent in clear text: use the server's TLS port (465, or secure=true), or "
                "turn verify_smtp off",
            )
        steps.append("starting TLS (STARTTLS)")
        _arm(smtp, deadline)
        smtp.starttls(context=context)
    steps.append("logging in")
    _arm(smtp, deadline)
    smtp.login(target.sender, target.password)
    _quit_politely(smtp, deadline)


def _explain(
    error: smtplib.SMTPException | OSError | UnicodeError, target: Target, step: str
) -> tuple[SmtpPreflightError, BaseException | None]:
    """The one-line failure for ``error``, and the cause to chain to it.

    A server's reply is quoted cleaned of the password, and its exception is not chained
    (its raw text would ride along in a debug traceback); errors of the network and of TLS
    come from this machine and are chained for ``PULUMI_GENAUTH_DEBUG=1``.
    """
    if isinstance(error, smtplib.SMTPAuthenticationError):
        reply = _reply(error.smtp_code, error.smtp_error, target)
        return _failure(
            target,
            f"authentication rejected for sender {target.sender!r}: {reply}",
            code=error.smtp_code,
        ), None
    if isinstance(error, UnicodeError):
        # smtplib sends logins as ASCII; its error would quote a character of the password.
        return _failure(
            target,
            "the sender or password has characters other than ASCII, which this check cannot "
            "send (Python's smtplib); turn verify_smtp off for this account",
        ), None
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return _failure(target, "the server offers no login (SMTP AUTH) on this connection"), None
    if isinstance(error, smtplib.SMTPResponseException):
        reply = _reply(error.smtp_code, error.smtp_error, target)
        return _failure(
            target, f"the server answered {reply} while {step}", code=error.smtp_code
        ), None
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # smtplib reports a reply that never came as a disconnection; say what it was.
        if isinstance(error.__context__, TimeoutError):
            return _timed_out(target, step), error.__context__
        return _failure(target, f"the server closed the connection while {step}"), None
    if isinstance(error, smtplib.SMTPException):
        return _failure(target, f"{_clean(str(error), target)} (while {step})"), None
    if isinstance(error, TimeoutError):
        return _timed_out(target, step), error
    if isinstance(error, ConnectionRefusedError):
        return _failure(target, "connection refused"), error
    if isinstance(error, socket.gaierror):
        return _failure(target, f"the host name does not resolve ({error.strerror})"), error
    if isinstance(error, ssl.SSLCertVerificationError):
        return _failure(
            target,
            f"TLS certificate not accepted while {step}: {error.verify_message} (the "
            "certificate must name the host and come from an authority this machine trusts)",
        ), error
    if isinstance(error, ssl.SSLError):
        # Only a handshake gets here (later TLS errors reach smtplib as a disconnection): with
        # implicit TLS, the one made while connecting, where a plain port is the likely cause.
        hint = (
            " (implicit TLS is used because secure is true or the port is 465: is this a "
            "plain or STARTTLS port?)"
            if target.implicit_tls
            else ""
        )
        return _failure(
            target, f"TLS handshake failed while {step}: {error.reason or error}{hint}"
        ), error
    return _failure(target, f"{error.strerror or error} while {step}"), error


def _quit_politely(smtp: smtplib.SMTP, deadline: float) -> None:
    """Say QUIT after a good login; the login proved the point, so a failure here is no error."""
    try:
        _arm(smtp, deadline)
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass  # close() in login's finally drops the connection either way


def _config(props: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    config = props.get(name)
    if not isinstance(config, Mapping):
        raise TypeError(f"{name} must be an object (validate the properties first)")
    return config


def _parse_address(variable: str, value: str, *, default: tuple[str, int]) -> tuple[str, int]:
    """``host:port`` (or ``[v6]:port``) from the override variable of ``default``."""
    host, _, port = value.strip().rpartition(":")
    if not host or not port.isdigit() or not PORT_MIN <= int(port) <= PORT_MAX:
        raise SmtpPreflightError(
            f"{variable}, which replaces this address, must be host:port, e.g. "
            f"smtp.example.com:465 (got {value!r})",
            host=default[0],
            port=default[1],
        )
    return host, int(port)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the SMTP preflight ran out of time")
    return min(TIMEOUT_SECONDS, left)


def _arm(smtp: smtplib.SMTP, deadline: float) -> None:
    """Give the next step what is left of the deadline (at most TIMEOUT_SECONDS)."""
    if smtp.sock is not None:
        smtp.sock.settimeout(_remaining(deadline))


def _timed_out(target: Target, step: str) -> SmtpPreflightError:
    hint = (
        " (a server that speaks TLS from the start waits for the client to begin: if this is "
        "an implicit-TLS port, set secure=true)"
        if step == "connecting" and not target.implicit_tls
        else ""
    )
    return _failure(
        target,
        f"timed out while {step}: no answer within {TIMEOUT_SECONDS:g} s (or "
        f"{DEADLINE_SECONDS:g} s for the whole check){hint}",
    )


def _failure(target: Target, reason: str, code: int | None = None) -> SmtpPreflightError:
    return SmtpPreflightError(reason, host=target.host, port=target.port, code=code)


def _reply(code: int, text: bytes | str, target: Target) -> str:
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {_clean(raw, target)}".strip()


def _clean(text: str, target: Target) -> str:
    """Server text as one short line with the password removed in every form AUTH sends it."""
    line = " ".join(text.split())
    for secret in _secret_forms(target):
        line = line.replace(secret, "[redacted]")
    if len(line) > _MAX_REPLY_CHARS:
        line = line[:_MAX_REPLY_CHARS] + "..."
    return line


def _secret_forms(target: Target) -> list[str]:
    password = target.password.encode("utf-8")
    plain = b"\0" + target.sender.encode("utf-8") + b"\0" + password
    forms = [target.password, *(base64.b64encode(b).decode() for b in (password, plain))]
    return [form for form in forms if form]
