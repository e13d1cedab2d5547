"""verify_smtp: create and update log in to the mail server before GenAuth is told anything.

A real SMTP server (aiosmtpd) on loopback, with TLS by a throw-away CA that the process trusts
through ``SSL_CERT_FILE``, and the provider's methods called directly against the emulator,
as in test_dynamic_provider. Each failure must be one line naming what failed, must leave
GenAuth untouched (no request at all, nothing stored), and must not carry the password: the declared
password is a canary searched for in the error, the logs and the captured output.
"""

from __future__ import annotations

import base64
import errno
import logging
import os
import re
import smtplib
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from pulumi.runtime import rpc

from pulumi_genauth import GenAuthError, _smtp_preflight
from pulumi_genauth._fields import SETTING_KEYS
from pulumi_genauth._plugin_errors import one_line
from pulumi_genauth._provider import EmailProviderProvider
from pulumi_genauth._smtp_preflight import (
    ALI_SMTP,
    ALI_SMTP_ENV,
    DEADLINE_SECONDS,
    QQ_SMTP,
    QQ_SMTP_ENV,
    SmtpPreflightError,
    Target,
    target_of,
)
from pulumi_genauth._validation import VERIFY_SMTP_KEY
from pulumi_genauth.emulator.server import EmulatorServer

from .dynamic_support import configured_provider, next_deployment, props_for
from .smtp_support import (
    LOOPBACK,
    Act,
    Attempt,
    Cert,
    Mode,
    Pause,
    Script,
    ScriptedServerFactory,
    SmtpServer,
    SmtpServerFactory,
    free_port,
)
from .support import ALI_PASSWORD, CASES, SMTP_PASSWORD, TENCENT_PASSWORD, config_calls, where

pytest_plugins = ["tests.smtp_fixtures"]

SENDER = CASES["custom"][0]["smtp_config"]["sender"]
# What the test servers accept; the declared password (the canary) is another one.
SERVER_PASSWORD = "the-password-the-server-accepts"
ACCOUNTS = {SENDER: SMTP_PASSWORD}


@pytest.fixture
def provider(emulator: EmulatorServer) -> Iterator[EmailProviderProvider]:
    provider = configured_provider(emulator)
    yield provider
    provider.close()


@pytest.fixture(autouse=True)
def _no_override_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ali / qq servers are what each test sets, not what the shell had."""
    monkeypatch.delenv(ALI_SMTP_ENV, raising=False)
    monkeypatch.delenv(QQ_SMTP_ENV, raising=False)


def custom(port: int, *, secure: bool, host: str = LOOPBACK, **changes: Any) -> dict[str, Any]:
    """The custom test case pointed at a loopback server, with verify_smtp on."""
    props = props_for("custom", verify_smtp=True)
    props["smtp_config"].update(smtp_host=host, smtp_port=float(port), secure=secure, **changes)
    return props


def assert_nothing_reached_genauth(emulator: EmulatorServer) -> None:
    assert emulator.requests() == []  # not even a management token
    assert emulator.stored("pool-a") is None


def secret_forms(password: str, sender: str = SENDER) -> list[str]:
    """The password as text, and base64 as SMTP AUTH (PLAIN, LOGIN) carries it."""
    plain = f"\0{sender}\0{password}".encode()
    return [
        password,
        base64.b64encode(password.encode()).decode(),
        base64.b64encode(plain).decode(),
    ]


def assert_password_nowhere(
    error: BaseException,
    password: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The password is in no form in the error, our logs or the output; the test server's
    own log (``mail.log``, which records the AUTH line it received) is left out."""
    captured = capsys.readouterr()
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))
    texts = [str(error), repr(error), one_line(error), repr(error.args), ours]
    texts += [captured.out, captured.err, caplog.text]
    for form in secret_forms(password):
        for text in texts[:-1]:
            assert form not in text
    assert password not in caplog.text  # the server logs base64, never the plain password


# -- it works -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "secure"),
    [(Mode.IMPLICIT_TLS, True), (Mode.STARTTLS, False)],
    ids=["implicit TLS (secure)", "STARTTLS"],
)
def test_good_credentials_log_in_then_create_applies(
    provider: EmailProviderProvider,
    emulator: EmulatorServer,
    smtp_server: SmtpServerFactory,
    *,
    mode: Mode,
    secure: bool,
) -> None:
    """The login succeeds over TLS, no mail is sent, and the setting reaches GenAuth."""
    server = smtp_server(mode, ACCOUNTS)

    result = provider.create(custom(server.port, secure=secure))

    assert result.id == "pool-a"
    assert [(a.login, a.accepted, a.encrypted) for a in server.attempts] == [(SENDER, True, True)]
    assert server.messages == []
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored["smtpConfig"]["senderPass"] == SMTP_PASSWORD
    assert VERIFY_SMTP_KEY not in stored
    assert result.outs is not None
    assert VERIFY_SMTP_KEY not in result.outs


def test_port_465_means_implicit_tls_even_without_secure() -> None:
    """`secure` or port 465: either asks for implicit TLS; anything else is STARTTLS."""
    assert target_of(custom(465, secure=False), {}) == Target(
        LOOPBACK, 465, True, SENDER, SMTP_PASSWORD
    )
    assert target_of(custom(587, secure=False), {}) == Target(
        LOOPBACK, 587, False, SENDER, SMTP_PASSWORD
    )
    secure = target_of(custom(2525, secure=True), {})
    assert secure is not None
    assert secure.implicit_tls is True


def test_an_ipv6_literal_host_is_reached(
    provider: EmailProviderProvider, smtp_server: SmtpServerFactory
) -> None:
    """smtp_host spells IPv6 in brackets; the check connects to, and verifies, the bare address."""
    try:
        server = smtp_server(Mode.IMPLICIT_TLS, ACCOUNTS, host="::1")
    except OSError as error:
        pytest.skip(f"no IPv6 loopback here: {error}")
    provider.create(custom(server.port, secure=True, host="[::1]"))
    assert [a.accepted for a in server.attempts] == [True]


@pytest.mark.parametrize(
    ("kind", "env", "password"),
    [("ali", ALI_SMTP_ENV, ALI_PASSWORD), ("qq", QQ_SMTP_ENV, TENCENT_PASSWORD)],
)
def test_ali_and_qq_log_in_to_their_server_over_implicit_tls(
    provider: EmailProviderProvider,
    emulator: EmulatorServer,
    smtp_server: SmtpServerFactory,
    *,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    env: str,
    password: str,
) -> None:
    """The enterprise types log in with their sender and password, at the address of the
    override variable (their public server otherwise); a wrong password stops the create."""
    sender = CASES[kind][0][{"ali": "ali_exmail_config", "qq": "tencent_exmail_config"}[kind]]
    server = smtp_server(Mode.IMPLICIT_TLS, {sender["sender"]: password})
    monkeypatch.setenv(env, f"{LOOPBACK}:{server.port}")

    provider.create(props_for(kind, verify_smtp=True))
    assert [(a.login, a.accepted) for a in server.attempts] == [(sender["sender"], True)]

    emulator.reset()
    server.accounts = {sender["sender"]: SERVER_PASSWORD}
    with pytest.raises(SmtpPreflightError, match=r"authentication rejected.*: 535 "):
        provider.create(props_for(kind, verify_smtp=True))
    assert_nothing_reached_genauth(emulator)


def test_ali_and_qq_default_to_their_public_servers() -> None:
    """Without an override: smtp.qiye.aliyun.com:465 and smtp.exmail.qq.com:465, implicit TLS."""
    ali = target_of(props_for("ali", verify_smtp=True), {})
    qq = target_of(props_for("qq", verify_smtp=True), {})
    assert ali is not None
    assert qq is not None
    assert (ali.host, ali.port, ali.implicit_tls) == (*ALI_SMTP, True)
    assert (qq.host, qq.port, qq.implicit_tls) == (*QQ_SMTP, True)
    assert ALI_SMTP == ("smtp.qiye.aliyun.com", 465)
    assert QQ_SMTP == ("smtp.exmail.qq.com", 465)


@pytest.mark.parametrize(
    "value", ["smtp.example.com", "smtp.example.com:x", ":465", "h:0", "h:65536", "h:70000"]
)
def test_a_malformed_override_fails_in_one_line_naming_the_variable(value: str) -> None:
    """The override must be host:port with a port from 1 to 65535; it is quoted as given."""
    with pytest.raises(SmtpPreflightError) as failure:
        target_of(props_for("ali", verify_smtp=True), {ALI_SMTP_ENV: value})
    assert str(failure.value).startswith(
        f"SMTP preflight (verify_smtp) of smtp.qiye.aliyun.com:465 failed: {ALI_SMTP_ENV}, "
        f"which replaces this address, must be host:port, e.g. smtp.example.com:465 "
        f"(got {value!r}); "
    )
    assert "\n" not in str(failure.value)


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("relay.test:1", ("relay.test", 1)),
        ("relay.test:65535", ("relay.test", 65535)),
        (" relay.test:2525\n", ("relay.test", 2525)),
        ("[::1]:465", ("[::1]", 465)),
    ],
)
def test_an_override_names_the_server_to_log_in_to(value: str, address: tuple[str, int]) -> None:
    """Any port from 1 to 65535, an IPv6 literal in brackets, spaces around ignored; the
    override keeps implicit TLS."""
    for kind, variable in (("ali", ALI_SMTP_ENV), ("qq", QQ_SMTP_ENV)):
        target = target_of(props_for(kind, verify_smtp=True), {variable: value})
        assert target is not None
        assert (target.host, target.port, target.implicit_tls) == (*address, True)


def test_verify_reads_the_override_from_the_environment_it_is_given(
    smtp_server: SmtpServerFactory,
) -> None:
    """``verify(props, environ=...)`` takes the override from ``environ``, not the process's."""
    sender = CASES["ali"][0]["ali_exmail_config"]["sender"]
    server = smtp_server(Mode.IMPLICIT_TLS, {sender: ALI_PASSWORD})
    _smtp_preflight.verify(
        props_for("ali", verify_smtp=True), environ={ALI_SMTP_ENV: f"{LOOPBACK}:{server.port}"}
    )
    assert [(a.login, a.accepted) for a in server.attempts] == [(sender, True)]


def test_sendgrid_is_not_checked(provider: EmailProviderProvider, emulator: EmulatorServer) -> None:
    """An API key is no SMTP login: verify_smtp does nothing for sendgrid (no server here)."""
    assert target_of(props_for("sendgrid", verify_smtp=True), {}) is None
    provider.create(props_for("sendgrid", verify_smtp=True))
    assert emulator.stored("pool-a") is not None


@pytest.mark.parametrize(
    ("kind", "config", "address"),
    [
        ("custom", "smtp_config", f"{LOOPBACK}:587"),
        ("ali", "ali_exmail_config", "smtp.qiye.aliyun.com:465"),
        ("qq", "tencent_exmail_config", "smtp.exmail.qq.com:465"),
    ],
)
@pytest.mark.parametrize("sender", [None, "", "   ", 42], ids=["absent", "empty", "blank", "42"])
def test_no_sender_means_no_login_to_try(
    kind: str, config: str, address: str, sender: object
) -> None:
    """The sender is the login: without one (or with a blank one) the check fails, naming
    the server."""
    props = custom(587, secure=False) if kind == "custom" else props_for(kind, verify_smtp=True)
    if sender is None:
        del props[config]["sender"]
    else:
        props[config]["sender"] = sender
    with pytest.raises(SmtpPreflightError) as failure:
        _smtp_preflight.verify(props)
    assert str(failure.value) == (
        f"SMTP preflight (verify_smtp) of {address} failed: no sender is declared, and the "
        "sender is the login the password is tried with; nothing was sent to GenAuth, the user "
        "pool is unchanged"
    )


@pytest.mark.parametrize("kind", ["custom", "ali", "qq"])
def test_properties_that_were_not_validated_are_refused(kind: str) -> None:
    """A front end that skipped validation is told so, with the object that is missing."""
    config = {"custom": "smtp_config", "ali": "ali_exmail_config", "qq": "tencent_exmail_config"}
    props = props_for(kind, verify_smtp=True)
    props[config[kind]] = None
    with pytest.raises(TypeError) as failure:
        _smtp_preflight.verify(props)
    assert str(failure.value) == f"{config[kind]} must be an object (validate the properties first)"


@pytest.mark.parametrize("flag", [False, None], ids=["verify_smtp=False", "absent"])
def test_without_verify_smtp_nothing_is_checked(
    provider: EmailProviderProvider, emulator: EmulatorServer, flag: bool | None
) -> None:
    """The default: no connection is tried (the server here is down), and create applies."""
    props = custom(free_port(), secure=True)
    if flag is None:
        del props[VERIFY_SMTP_KEY]
    else:
        props[VERIFY_SMTP_KEY] = flag
    provider.create(props)
    assert emulator.stored("pool-a") is not None


# -- it fails, in one line, before GenAuth ---------------------------------------------------

# A scenario starts what it needs and returns the properties to create with.
Scenario = Callable[[SmtpServerFactory, int], dict[str, Any]]


def wrong_password(start: SmtpServerFactory, _silent: int) -> dict[str, Any]:
    server = start(Mode.IMPLICIT_TLS, {SENDER: SERVER_PASSWORD})
    return custom(server.port, secure=True)


def server_down(_start: SmtpServerFactory, _silent: int) -> dict[str, Any]:
    return custom(free_port(), secure=True)


def implicit_tls_on_a_plain_port(start: SmtpServerFactory, _silent: int) -> dict[str, Any]:
    server = start(Mode.STARTTLS, ACCOUNTS)
    return custom(server.port, secure=True)


def untrusted_certificate(start: SmtpServerFactory, _silent: int) -> dict[str, Any]:
    server = start(Mode.IMPLICIT_TLS, ACCOUNTS, certificate=Cert.UNTRUSTED)
    return custom(server.port, secure=True)


def untrusted_certificate_after_starttls(start: SmtpServerFactory, _silent: int) -> dict[str, Any]:
    server = start(Mode.STARTTLS, ACCOUNTS, certificate=Cert.UNTRUSTED)
    return custom(server.port, secure=False)


def certificate_for_another_name(start: SmtpServerFactory, _silent: int) -> dict[str, Any]:
    server = start(Mode.IMPLICIT_TLS, ACCOUNTS, certificate=Cert.OTHER_NAME)
    return custom(server.port, secure=True)


def starttls_not_offered(start: SmtpServerFactory, _silent: int) -> dict[str, Any]:
    server = start(Mode.PLAIN, ACCOUNTS)
    return custom(server.port, secure=False)


def no_answer(_start: SmtpServerFactory, silent: int) -> dict[str, Any]:
    return custom(silent, secure=False)


def no_answer_to_the_tls_handshake(_start: SmtpServerFactory, silent: int) -> dict[str, Any]:
    return custom(silent, secure=True)


def unresolvable_host(_start: SmtpServerFactory, _silent: int) -> dict[str, Any]:
    return custom(465, secure=True, host="smtp.invalid")  # .invalid never resolves (RFC 2606)


# A reason as the error's `reason` must read it, whole (see assert_reason for what the system
# words: an OpenSSL reason code, a resolver's message, which the check passes on as they are).
FAILURES: list[tuple[str, Scenario, str]] = [
    (
        "wrong password",
        wrong_password,
        f"authentication rejected for sender {SENDER!r}: "
        "535 5.7.8 Authentication credentials invalid",
    ),
    ("server down", server_down, "connection refused"),
    (
        "implicit TLS on a plain port",
        implicit_tls_on_a_plain_port,
        "TLS handshake failed while connecting: {openssl} (implicit TLS is used because secure "
        "is true or the port is 465: is this a plain or STARTTLS port?)",
    ),
    (
        "untrusted certificate",
        untrusted_certificate,
        "TLS certificate not accepted while connecting: unable to get local issuer certificate "
        "(the certificate must name the host and come from an authority this machine trusts)",
    ),
    (
        "untrusted certificate after STARTTLS",
        untrusted_certificate_after_starttls,
        "TLS certificate not accepted while starting TLS (STARTTLS): unable to get local issuer "
        "certificate (the certificate must name the host and come from an authority this "
        "machine trusts)",
    ),
    (
        "certificate for another name",
        certificate_for_another_name,
        f"TLS certificate not accepted while connecting: IP address mismatch, certificate is "
        f"not valid for '{LOOPBACK}'. (the certificate must name the host and come from an "
        "authority this machine trusts)",
    ),
    (
        "STARTTLS not offered",
        starttls_not_offered,
        "the server does not offer STARTTLS on this port, and the password is not sent in "
        "clear text: use the server's TLS port (465, or secure=true), or turn verify_smtp off",
    ),
    (
        "no answer",
        no_answer,
        "timed out while connecting: no answer within 0.5 s (or 30 s for the whole check) (a "
        "server that speaks TLS from the start waits for the client to begin: if this is an "
        "implicit-TLS port, set secure=true)",
    ),
    (
        "no answer to the TLS handshake",
        no_answer_to_the_tls_handshake,
        "timed out while connecting: no answer within 0.5 s (or 30 s for the whole check)",
    ),
    ("unresolvable host", unresolvable_host, "the host name does not resolve (…)"),
]


def assert_reason(error: SmtpPreflightError, expected: str) -> None:
    """``error.reason`` is ``expected``, whole: "{openssl}" stands for OpenSSL's reason code,
    as the chained SSLError gives it; "…" for any text of the system's (no parentheses)."""
    if "{openssl}" in expected:
        assert isinstance(error.__cause__, ssl.SSLError)
        expected = expected.replace("{openssl}", error.__cause__.reason)
    pattern = "[^()]+".join(re.escape(part) for part in expected.split("…"))
    assert re.fullmatch(pattern, error.reason), error.reason


@pytest.mark.parametrize("case", FAILURES, ids=[case[0] for case in FAILURES])
def test_a_failed_check_stops_create_before_genauth(
    provider: EmailProviderProvider,
    emulator: EmulatorServer,
    smtp_server: SmtpServerFactory,
    *,
    silent_port: int,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, Scenario, str],
) -> None:
    """One line saying what failed; no request to GenAuth; the password nowhere."""
    _, scenario, reason = case
    monkeypatch.setattr(_smtp_preflight, "TIMEOUT_SECONDS", 0.5)  # "no answer" waits this
    caplog.set_level(logging.DEBUG)
    props = scenario(smtp_server, silent_port)

    with pytest.raises(SmtpPreflightError) as failure:
        provider.create(props)

    error = failure.value
    assert isinstance(error, GenAuthError)
    assert_reason(error, reason)
    address = f"{props['smtp_config']['smtp_host']}:{int(props['smtp_config']['smtp_port'])}"
    assert str(error) == (
        f"SMTP preflight (verify_smtp) of {address} failed: {error.reason}; "
        "nothing was sent to GenAuth, the user pool is unchanged"
    )
    assert one_line(error) == str(error)
    assert "\n" not in str(error)
    assert_nothing_reached_genauth(emulator)
    assert_password_nowhere(error, SMTP_PASSWORD, caplog, capsys)


# -- a server that misbehaves: each way named ----------------------------------------------

EHLO_STARTTLS = ["250-mail.test", "250-STARTTLS", "250 AUTH PLAIN"]
EHLO_AUTH_PLAIN = ["250-mail.test", "250 AUTH PLAIN"]
LONG = "x" * 200  # as much of a reply as is quoted


def refused(reply: str | bytes) -> Script:
    """An implicit-TLS server that answers the login with ``reply``."""
    return {"EHLO": EHLO_AUTH_PLAIN, "AUTH": [reply]}


@dataclass(frozen=True)
class Conversation:
    """A server's script, and the failure it must give: ``reason`` whole (see assert_reason),
    the server's ``code``, the verbs the server saw; ``secure``: the client asks for implicit
    TLS, which the server speaks unless ``server_tls`` is False."""

    name: str
    script: Script
    reason: str
    code: int | None = None
    commands: tuple[str, ...] = ()
    secure: bool = True
    server_tls: bool | None = None


CONVERSATIONS = [
    Conversation(
        "STARTTLS refused",
        {"EHLO": EHLO_STARTTLS, "STARTTLS": ["454 4.7.0 TLS not available"]},
        "the server answered 454 4.7.0 TLS not available while starting TLS (STARTTLS)",
        454,
        ("EHLO", "STARTTLS"),
        secure=False,
    ),
    Conversation(
        "STARTTLS answered with plain text",
        {
            "EHLO": EHLO_STARTTLS,
            "STARTTLS": ["220 2.0.0 Go ahead", Act.AWAIT_CLIENT, "hello?", Act.HANG_UP],
        },
        "TLS handshake failed while starting TLS (STARTTLS): {openssl}",
        None,
        ("EHLO", "STARTTLS"),
        secure=False,
    ),
    Conversation(
        "greeting cut off",
        {"CONNECT": [Act.HANG_UP]},
        "the server closed the connection while connecting",
        secure=False,
    ),
    Conversation(
        "greeting refused",
        {"CONNECT": ["554 5.3.2 no service here"]},
        "the server answered 554 5.3.2 no service here while connecting",
        554,
        secure=False,
    ),
    Conversation(
        "EHLO cut off",
        {"EHLO": [Act.HANG_UP]},
        "the server closed the connection while greeting the server (EHLO)",
        None,
        ("EHLO",),
        secure=False,
    ),
    Conversation(
        "TLS handshake reset",
        {"CONNECT": [Act.AWAIT_CLIENT, Act.RESET]},  # the ClientHello, answered with a RST
        f"{os.strerror(errno.ECONNRESET)} while connecting",
        server_tls=False,
    ),
    Conversation(
        "a reply line too long for smtplib",
        {"EHLO": [f"250 {'x' * 9000}"]},  # smtplib reads at most 8192 bytes a line
        "the server answered 500 Line too long. while greeting the server (EHLO)",
        500,
        ("EHLO",),
        secure=False,
    ),
    Conversation(
        "no AUTH offered",
        {"EHLO": ["250-mail.test", "250 SIZE 1000000"]},
        "the server offers no login (SMTP AUTH) on this connection",
        None,
        ("EHLO",),
    ),
    Conversation(
        "no AUTH mechanism smtplib speaks",
        {"EHLO": ["250-mail.test", "250 AUTH GSSAPI NTLM"]},
        "No suitable authentication method found. (while logging in)",
        None,
        ("EHLO",),
    ),
    Conversation(
        "cut off at the login",
        {"EHLO": EHLO_AUTH_PLAIN, "AUTH": [Act.HANG_UP]},
        "the server closed the connection while logging in",
        None,
        ("EHLO", "AUTH"),
    ),
    Conversation(
        "a reply of 200 characters",
        refused(f"535 {LONG}"),
        f"authentication rejected for sender {SENDER!r}: 535 {LONG}",
        535,
        ("EHLO", "AUTH"),
    ),
    Conversation(
        "a longer reply",
        refused(f"535 {LONG}yz"),
        f"authentication rejected for sender {SENDER!r}: 535 {LONG}...",
        535,
        ("EHLO", "AUTH"),
    ),
    Conversation(
        "a reply that is not UTF-8",
        refused("535 5.7.8 Mot de passe refusé".encode("latin-1")),
        f"authentication rejected for sender {SENDER!r}: 535 5.7.8 Mot de passe refus\ufffd",
        535,
        ("EHLO", "AUTH"),
    ),
]


@pytest.mark.parametrize("case", CONVERSATIONS, ids=[case.name for case in CONVERSATIONS])
def test_a_misbehaving_server_is_named_in_one_line(
    scripted_smtp: ScriptedServerFactory, case: Conversation
) -> None:
    """Each way a server can fail the check has its own reason, with the server's code if it
    gave one; a reply is quoted up to 200 characters, undecodable bytes replaced."""
    tls = case.secure if case.server_tls is None else case.server_tls
    server = scripted_smtp(case.script, tls=tls)
    with pytest.raises(SmtpPreflightError) as failure:
        _smtp_preflight.verify(custom(server.port, secure=case.secure))
    assert_reason(failure.value, case.reason)
    assert failure.value.code == case.code
    assert tuple(server.commands) == case.commands


def test_the_whole_check_has_a_deadline(
    scripted_smtp: ScriptedServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that answers each step within the step's timeout is still stopped once the
    whole check's time is up: each step waits only for what is left of it."""
    monkeypatch.setattr(_smtp_preflight, "TIMEOUT_SECONDS", 0.8)
    monkeypatch.setattr(_smtp_preflight, "DEADLINE_SECONDS", 0.95)
    server = scripted_smtp(
        {
            "CONNECT": [Pause(0.5), "220 mail.test ESMTP"],
            "EHLO": [Pause(0.6), "250 mail.test"],  # in time for a step, not for the check
        }
    )
    with pytest.raises(SmtpPreflightError) as failure:
        _smtp_preflight.verify(custom(server.port, secure=False))
    assert failure.value.reason == (
        "timed out while greeting the server (EHLO): no answer within 0.8 s (or 0.95 s for the "
        "whole check)"
    )


def test_a_step_due_after_the_deadline_is_not_begun(
    scripted_smtp: ScriptedServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time spent between two steps counts too: with the deadline reached (to the tick), the
    next step is not sent; the debug cause says the check ran out of time."""
    server = scripted_smtp({})
    start = 1000.0
    ticks = iter([start, start])  # the deadline, the connection's timeout; then it is spent
    clock = SimpleNamespace(monotonic=lambda: next(ticks, start + DEADLINE_SECONDS))
    monkeypatch.setattr(_smtp_preflight, "time", clock)
    with pytest.raises(SmtpPreflightError) as failure:
        _smtp_preflight.verify(custom(server.port, secure=False))
    assert failure.value.reason == (
        "timed out while greeting the server (EHLO): no answer within 10 s (or 30 s for the "
        "whole check)"
    )
    assert str(failure.value.__cause__) == "the SMTP preflight ran out of time"
    assert server.commands == []


def test_the_password_is_not_sent_where_starttls_is_not_offered(
    smtp_server: SmtpServerFactory,
) -> None:
    """A server that offers AUTH in clear text never sees a login attempt."""
    server = smtp_server(Mode.PLAIN, ACCOUNTS)
    with pytest.raises(SmtpPreflightError, match="password is not sent in clear text"):
        _smtp_preflight.verify(custom(server.port, secure=False))
    assert server.attempts == []


def test_wrong_password_names_the_server_code(smtp_server: SmtpServerFactory) -> None:
    """The rejection carries the server's code, also as an attribute."""
    server = smtp_server(Mode.STARTTLS, {SENDER: SERVER_PASSWORD})
    with pytest.raises(SmtpPreflightError) as failure:
        _smtp_preflight.verify(custom(server.port, secure=False))
    assert failure.value.code == 535
    assert (failure.value.host, failure.value.port) == (LOOPBACK, server.port)
    assert all(not attempt.accepted and attempt.encrypted for attempt in server.attempts)


def test_update_checks_before_it_applies(
    provider: EmailProviderProvider,
    emulator: EmulatorServer,
    smtp_server: SmtpServerFactory,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A rotated password the server refuses: the update fails, the pool keeps the old one;
    once the server takes it, the update applies."""
    server = smtp_server(Mode.IMPLICIT_TLS, ACCOUNTS)
    olds = provider.create(custom(server.port, secure=True)).outs
    assert olds is not None
    before = emulator.stored("pool-a")
    calls = len(config_calls(emulator))
    rotated = "canary-rotated-smtp-pass-5d1e"
    news = custom(server.port, secure=True, sender_pass=rotated)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SmtpPreflightError, match="authentication rejected") as failure:
        next_deployment(provider).update("pool-a", olds, news)

    assert len(config_calls(emulator)) == calls
    assert emulator.stored("pool-a") == before
    assert_password_nowhere(failure.value, rotated, caplog, capsys)

    server.accounts = {SENDER: rotated}
    next_deployment(provider).update("pool-a", olds, news)
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored["smtpConfig"]["senderPass"] == rotated


def test_a_non_ascii_password_fails_in_one_line_without_quoting_it(
    smtp_server: SmtpServerFactory,
) -> None:
    """smtplib sends logins as ASCII; its own error would quote a character of the password."""
    password = "canary-pässwörd-9a8b"
    server = smtp_server(Mode.IMPLICIT_TLS, {SENDER: password})
    with pytest.raises(SmtpPreflightError) as failure:
        _smtp_preflight.verify(custom(server.port, secure=True, sender_pass=password))
    assert failure.value.reason == (
        "the sender or password has characters other than ASCII, which this check cannot send "
        "(Python's smtplib); turn verify_smtp off for this account"
    )
    assert failure.value.__cause__ is None


def test_a_server_reply_that_echoes_the_password_is_cleaned() -> None:
    """Whatever the server answers is quoted without the password, in any AUTH form."""
    target = Target(LOOPBACK, 465, True, SENDER, SMTP_PASSWORD)
    echoed = " / ".join(secret_forms(SMTP_PASSWORD)).encode()
    failure, cause = _smtp_preflight._explain(
        smtplib.SMTPAuthenticationError(535, b"5.7.8 bad: " + echoed), target, "logging in"
    )
    assert "535 5.7.8 bad: [redacted] / [redacted] / [redacted]" in str(failure)
    assert cause is None
    assert SMTP_PASSWORD not in repr(target)


# -- preview: never checked, never compared, never sent ---------------------------------------


def test_check_refuses_a_verify_smtp_that_is_not_a_bool(provider: EmailProviderProvider) -> None:
    failures = provider.check({}, props_for("custom", verify_smtp="yes")).failures
    assert [(where(f), f.reason) for f in failures] == [
        ("verify_smtp", "verify_smtp must be true or false (got 'yes')")
    ]
    assert provider.check({}, props_for("custom", verify_smtp=rpc.UNKNOWN)).failures == []


def test_check_wants_a_custom_sender_to_log_in_with(provider: EmailProviderProvider) -> None:
    """The custom SMTP sender is optional, unless the check is to log in with it."""
    props = props_for("custom", verify_smtp=True)
    del props["smtp_config"]["sender"]
    failures = provider.check({}, props).failures
    assert [where(f) for f in failures] == ["smtp_config.sender"]
    assert "required when verify_smtp is true" in failures[0].reason
    props["verify_smtp"] = False
    assert provider.check({}, props).failures == []


def test_check_and_diff_make_no_connection(
    provider: EmailProviderProvider, smtp_server: SmtpServerFactory
) -> None:
    """Preview never logs in, even with verify_smtp on."""
    server: SmtpServer = smtp_server(Mode.IMPLICIT_TLS, ACCOUNTS)
    news = custom(server.port, secure=True)
    olds = {**news, VERIFY_SMTP_KEY: False}
    assert provider.check({}, news).failures == []
    provider.diff("pool-a", olds, news)
    assert server.attempts == []


def test_verify_smtp_is_not_part_of_the_setting(provider: EmailProviderProvider) -> None:
    """Turning it on or off alone changes nothing (nothing to apply)."""
    # (SETTING_KEYS as _provider has them, wherever they are defined: _validation, _fields.)
    assert VERIFY_SMTP_KEY not in SETTING_KEYS
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    for flag in (True, False):
        diff = provider.diff("pool-a", olds, props_for("custom", verify_smtp=flag))
        assert (diff.changes, diff.replaces) == (False, [])


def test_the_property_names_agree() -> None:
    """_smtp_preflight spells the property itself (it must not import pydantic)."""
    assert _smtp_preflight.VERIFY_SMTP_KEY == VERIFY_SMTP_KEY


def test_preview_does_not_load_the_check() -> None:
    """check and diff, in a fresh interpreter, import neither the check nor smtplib."""
    code = """
import sys
from pulumi_genauth._fields import SETTING_KEYS
from pulumi_genauth._provider import EmailProviderProvider
provider = EmailProviderProvider()
props = {"type": "sendgrid", "enabled": True, "verify_smtp": True,
         "send_grid_config": {"sender": "mail@example.com", "apikey": "k"}}
provider.check({}, props)
provider.diff("pool-a", props, props)
loaded = [m for m in ("pulumi_genauth._smtp_preflight", "smtplib") if m in sys.modules]
print(loaded)
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENAUTH_")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_attempts_keep_no_password() -> None:
    """The test server's own record cannot leak what it is meant to catch."""
    assert set(Attempt.__dataclass_fields__) == {
        "mechanism",
        "login",
        "accepted",
        "encrypted",
    }
