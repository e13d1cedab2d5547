"""verify_smtp: create and update log in to the mail server before GenAuth is told anything.

A real SMTP server (aiosmtpd) on loopback, with TLS by a throw-away CA that the process trusts
through ``SSL_CERT_FILE``, and the provider's methods called directly against the emulator,
as in test_provider. Each failure must be one line naming what failed, must leave GenAuth
untouched (no request at all, nothing stored), and must not carry the password: the declared
password is a canary searched for in the error, the logs and the captured output.
"""

from __future__ import annotations

import base64
import logging
import os
import smtplib
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi.runtime import rpc

from pulumi_genauth import GenAuthError, _smtp_preflight
from pulumi_genauth._plugin_errors import one_line
from pulumi_genauth._provider import SETTING_KEYS, EmailProviderProvider
from pulumi_genauth._smtp_preflight import (
    ALI_SMTP,
    ALI_SMTP_ENV,
    QQ_SMTP,
    QQ_SMTP_ENV,
    SmtpPreflightError,
    Target,
    target_of,
)
from pulumi_genauth._validation import VERIFY_SMTP_KEY
from pulumi_genauth.emulator.server import EmulatorServer

from ._cases import ALI_PASSWORD, CASES, SMTP_PASSWORD, TENCENT_PASSWORD, where
from .smtp_support import (
    LOOPBACK,
    Attempt,
    Cert,
    Mode,
    SmtpServer,
    SmtpServerFactory,
    free_port,
)
from .test_provider import config_calls, configured_provider, next_deployment, props_for

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


@pytest.mark.parametrize("value", ["smtp.example.com", "smtp.example.com:x", ":465", "h:70000"])
def test_a_malformed_override_fails_in_one_line_naming_the_variable(value: str) -> None:
    with pytest.raises(SmtpPreflightError) as failure:
        target_of(props_for("ali", verify_smtp=True), {ALI_SMTP_ENV: value})
    assert str(failure.value).startswith(
        f"SMTP preflight (verify_smtp) of smtp.qiye.aliyun.com:465 failed: {ALI_SMTP_ENV}, "
        "which replaces this address, must be host:port"
    )
    assert "\n" not in str(failure.value)


def test_sendgrid_is_not_checked(provider: EmailProviderProvider, emulator: EmulatorServer) -> None:
    """An API key is no SMTP login: verify_smtp does nothing for sendgrid (no server here)."""
    assert target_of(props_for("sendgrid", verify_smtp=True), {}) is None
    provider.create(props_for("sendgrid", verify_smtp=True))
    assert emulator.stored("pool-a") is not None


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


FAILURES: list[tuple[str, Scenario, str]] = [
    (
        "wrong password",
        wrong_password,
        f"authentication rejected for sender {SENDER!r}: 535 5.7.8",
    ),
    ("server down", server_down, "connection refused"),
    (
        "implicit TLS on a plain port",
        implicit_tls_on_a_plain_port,
        "TLS handshake failed while connecting",
    ),
    ("untrusted certificate", untrusted_certificate, "TLS certificate not accepted"),
    (
        "untrusted certificate after STARTTLS",
        untrusted_certificate_after_starttls,
        "TLS certificate not accepted while starting TLS (STARTTLS)",
    ),
    (
        "certificate for another name",
        certificate_for_another_name,
        "TLS certificate not accepted while connecting: IP address mismatch",
    ),
    ("STARTTLS not offered", starttls_not_offered, "does not offer STARTTLS"),
    ("no answer", no_answer, "timed out while connecting"),
]


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
    _, scenario, words = case
    monkeypatch.setattr(_smtp_preflight, "TIMEOUT_SECONDS", 0.5)  # "no answer" waits this
    caplog.set_level(logging.DEBUG)
    props = scenario(smtp_server, silent_port)

    with pytest.raises(SmtpPreflightError) as failure:
        provider.create(props)

    error = failure.value
    assert isinstance(error, GenAuthError)
    assert words in str(error)
    assert str(error).startswith(f"SMTP preflight (verify_smtp) of {LOOPBACK}:")
    assert str(error).endswith("nothing was sent to GenAuth, the user pool is unchanged")
    assert one_line(error) == str(error)
    assert "\n" not in str(error)
    assert_nothing_reached_genauth(emulator)
    assert_password_nowhere(error, SMTP_PASSWORD, caplog, capsys)


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
    with pytest.raises(SmtpPreflightError, match="other than ASCII") as failure:
        _smtp_preflight.verify(custom(server.port, secure=True, sender_pass=password))
    assert "ä" not in str(failure.value)
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
    assert [(where(f), f.reason) for f in failures] == [("verify_smtp", "must be true or false")]
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
from pulumi_genauth._provider import SETTING_KEYS, EmailProviderProvider
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
