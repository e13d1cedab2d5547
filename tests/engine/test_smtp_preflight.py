"""verify_smtp through the real engine: `pulumi up` logs in to the mail server first.

The plugin process the CLI starts must trust the throw-away CA of the test SMTP server: the
``trust_test_ca`` fixture sets ``SSL_CERT_FILE`` in this process's environment, which the
Automation API passes to the CLI (``os.environ`` merged with the stack's variables) and the
CLI to the plugin.
"""

from __future__ import annotations

import pulumi
import pytest
from pulumi import automation as auto

import pulumi_genauth as genauth
from pulumi_genauth.emulator.server import EmulatorServer

from ..smtp_support import LOOPBACK, Mode, SmtpServerFactory
from ..support import SMTP_PASSWORD, config_calls
from .support import (
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    secret_key,
)

pytest_plugins = ["tests.smtp_fixtures"]
pytestmark = pytest.mark.engine

SENDER = "no-reply@example.com"


def verifying_program(mail: Mail) -> auto.PulumiFn:
    """A program declaring ``mail`` (a custom SMTP server) with ``verify_smtp=True``."""

    def run() -> None:
        secret = pulumi.Config().require_secret(secret_key(mail.kind))
        genauth.EmailProvider(
            mail.name,
            type=mail.kind,
            smtp_config=genauth.SmtpConfigArgs(**mail.fields, sender_pass=secret),
            verify_smtp=True,
        )

    return run


def loopback_mail(port: int) -> Mail:
    """The custom test case at a loopback server; its password is the stack's canary,
    SMTP_PASSWORD."""
    return Mail.of("custom", smtp_host=LOOPBACK, smtp_port=port, sender=SENDER, secure=True)


def test_a_wrong_smtp_password_fails_up_before_genauth(
    new_stack: StackFactory, emulator: EmulatorServer, smtp_server: SmtpServerFactory
) -> None:
    """The server refuses the declared password: `up` fails in one line naming the refusal
    and its code, GenAuth receives nothing, and the password is nowhere."""
    server = smtp_server(Mode.IMPLICIT_TLS, {SENDER: "the-password-the-server-accepts"})
    engine = new_stack(verifying_program(loopback_mail(server.port)))

    with pytest.raises(auto.errors.CommandError) as failure:
        engine.up()

    text = str(failure.value)
    assert (
        f"SMTP preflight (verify_smtp) of {LOOPBACK}:{server.port} failed: authentication "
        f"rejected for sender {SENDER!r}: 535 5.7.8"
    ) in text
    assert "Traceback" not in text
    assert config_calls(emulator) == []
    assert emulator.stored("pool-a") is None
    assert [attempt.accepted for attempt in server.attempts] != []
    assert not any(attempt.accepted for attempt in server.attempts)
    assert server.messages == []
    assert_no_secret_leaked(engine)


def test_good_smtp_credentials_let_up_apply_the_setting(
    new_stack: StackFactory, emulator: EmulatorServer, smtp_server: SmtpServerFactory
) -> None:
    """The server accepts the declared password: `up` applies exactly the declared setting."""
    server = smtp_server(Mode.IMPLICIT_TLS, {SENDER: SMTP_PASSWORD})
    mail = loopback_mail(server.port)
    engine = new_stack(verifying_program(mail))

    up = engine.up()

    assert changes(up.summary.resource_changes) == {"create": 2}
    assert emulator.stored("pool-a") == mail.expected()
    assert [(a.login, a.accepted, a.encrypted) for a in server.attempts] == [(SENDER, True, True)]
    assert server.messages == []
    assert_no_secret_leaked(engine)
