"""What the user reads when something fails, through the real engine: one line, and the fix.

API and transport failures at up, refresh and destroy print one line with the API's
requestId and no traceback; a stack pointed at another pool's keys says how to get out; bad
connection settings and typos in the genauth: namespace fail the preview, with no API call;
`import_` says what to do instead.
"""

from __future__ import annotations

import pulumi
import pytest
from pulumi import automation as auto

import pulumi_genauth as genauth
from pulumi_genauth.emulator.server import EmulatorServer

from ..support import config_calls
from .support import (
    TRACEBACK,
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    failing,
    program,
    secret_key,
    set_pool_entry,
    use_keys_of,
)

pytestmark = pytest.mark.engine

GET_PATH = "/api/v3/get-email-provider"
CONFIG_PATH = "/api/v3/config-email-provider"


@pytest.mark.parametrize(
    ("operation", "path"),
    [("up", CONFIG_PATH), ("refresh", GET_PATH), ("destroy", GET_PATH)],
)
def test_an_api_failure_is_one_line_with_the_request_id(
    new_stack: StackFactory, emulator: EmulatorServer, operation: str, path: str
) -> None:
    """A 503 that outlasts the retries: one error line with status and requestId, no traceback."""
    engine = new_stack(program(Mail.of("custom")))
    if operation != "up":
        engine.up()
    emulator.add_fault(path=path, status=503, times=100)

    text = failing(engine, getattr(engine, operation))

    assert TRACEBACK not in text
    lines = [line for line in text.splitlines() if f"{path} failed" in line]
    assert lines, text
    assert "HTTP 503" in lines[0]
    assert "requestId" in lines[0]
    assert "requestId none" not in lines[0]
    assert len([r for r in emulator.requests() if r["path"] == path]) > 1  # retried first
    if operation == "up":
        assert emulator.stored("pool-a") is None
    assert_no_secret_leaked(engine)


def test_an_unreachable_host_is_one_line_naming_it(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Nothing listening at the host: one line that names it, no traceback."""
    engine = new_stack(program(Mail.of("ali")))
    engine.stack.set_config("genauth:host", auto.ConfigValue("http://127.0.0.1:9"))

    text = failing(engine, engine.up)

    assert TRACEBACK not in text
    assert "could not reach http://127.0.0.1:9" in text
    assert emulator.requests() == []
    assert_no_secret_leaked(engine)


def test_a_stack_left_with_another_pools_keys_says_how_out(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """After an up refused for pool-b's keys, and the keys set back, --run-program gets out."""
    mail = Mail.of("custom")
    engine = new_stack(program(mail))
    engine.up()
    own = emulator.pools[0]
    other = emulator.pools[1]
    for pool in (other, own):  # to pool-b's keys, a refused up, and back to pool-a's
        use_keys_of(engine, pool)
        if pool is other:
            engine.set_program(program(mail.changed(smtp_port=587)))
            failing(engine, engine.up)
            engine.set_program(program(mail))

    text = failing(engine, engine.refresh)

    assert TRACEBACK not in text
    assert "`pulumi refresh --run-program` / `pulumi destroy --run-program`" in text
    refresh = engine.refresh(run_program=True)
    assert changes(refresh.summary.resource_changes) == {"same": 2}
    engine.destroy(run_program=True)
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored["enabled"] is False
    assert emulator.stored("pool-b") is None
    assert_no_secret_leaked(engine)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("genauth:host", "api.genauth.ai", "is not a URL: write it as https://"),
        ("genauth:host", "http://api.example.com", "only allowed for loopback hosts"),
        ("genauth:host", "https://user:pw@api.example.com", "with no query, fragment or user"),
        ("genauth:accesskeyId", "x", "did you mean genauth:accessKeyId?"),
        ("genauth:pools.default.hots", "x", "genauth:pools"),
    ],
)
def test_bad_connection_settings_fail_preview_naming_the_key(
    new_stack: StackFactory, emulator: EmulatorServer, key: str, value: str, words: str
) -> None:
    """Host rules and typos in the genauth: namespace fail at preview, with no API call."""
    pooled = key.startswith("genauth:pools.")
    engine = new_stack(program(Mail.of("sendgrid", pool="default" if pooled else None)))
    if pooled:
        set_pool_entry(engine, "default", emulator.pools[0], **{key.rsplit(".", 1)[1]: value})
    else:
        engine.stack.set_config(key, auto.ConfigValue(value))

    text = failing(engine, engine.preview)

    errors = [line for line in text.splitlines() if words in line]
    assert errors, text
    assert key.split(".", maxsplit=1)[0] in errors[0]
    assert TRACEBACK not in text
    assert emulator.requests() == []
    assert_no_secret_leaked(engine)


def test_import_option_says_what_to_do_instead(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """`ResourceOptions(import_=...)` fails in one line pointing at adoption by `up`."""

    def importing() -> None:
        genauth.EmailProvider(
            "mail",
            type="sendgrid",
            send_grid_config=genauth.SendGridConfigArgs(
                sender="mail@example.com",
                apikey=pulumi.Config().require_secret(secret_key("sendgrid")),
            ),
            opts=pulumi.ResourceOptions(import_="pool-a"),
        )

    engine = new_stack(importing)

    text = failing(engine, engine.up)

    assert (
        "EmailProvider 'mail': ResourceOptions(import_=...) does not work for a dynamic "
        "provider (pulumi/pulumi#16175); remove import_: `pulumi up` adopts the pool's "
        "current setting, with a warning that says what it replaces"
    ) in text
    assert TRACEBACK not in text
    assert config_calls(emulator) == []
    assert_no_secret_leaked(engine)
