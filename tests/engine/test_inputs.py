"""What the real engine does with the program's inputs: refusals at preview, credentials, pools.

Bad inputs must fail ``pulumi preview`` with a message naming the property, before any call
that changes a pool; a value not known until another resource exists must pass preview; a
resource with ``pool=`` uses that entry of ``genauth:pools`` and leaves the other pool alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

import pulumi_genauth as genauth
from pulumi_genauth.emulator.server import EmulatorServer

from ..support import CANARIES, config_calls
from .support import (
    UNKNOWN,
    EngineStack,
    Mail,
    PulumiCli,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    create_stack,
    plain_fields,
    program,
    secret_key,
    set_pool_entry,
    stack_config,
)

pytestmark = pytest.mark.engine

Declaration = Callable[[pulumi.Config], dict[str, Any]]


def smtp(config: pulumi.Config, **changed: Any) -> dict[str, Any]:
    """A valid smtp_config as a plain dict, with some fields changed."""
    secret = config.require_secret(secret_key("custom"))
    return {**plain_fields("custom"), "sender_pass": secret, **changed}


def sendgrid(config: pulumi.Config, **changed: Any) -> dict[str, Any]:
    """A valid send_grid_config as a plain dict, with some fields changed."""
    secret = config.require_secret(secret_key("sendgrid"))
    return {**plain_fields("sendgrid"), "apikey": secret, **changed}


def exmail(config: pulumi.Config, kind: str, **changed: Any) -> dict[str, Any]:
    """A valid ali_exmail_config or tencent_exmail_config as a plain dict, some fields changed."""
    secret = config.require_secret(secret_key(kind))
    return {**plain_fields(kind), "sender_pass": secret, **changed}


def without(config: dict[str, Any], key: str) -> dict[str, Any]:
    """A config dict without one of its keys."""
    return {name: value for name, value in config.items() if name != key}


def custom(c: pulumi.Config, **changed: Any) -> dict[str, Any]:
    """EmailProvider arguments of type custom, the SMTP config changed."""
    return {"type": "custom", "smtp_config": smtp(c, **changed)}


# id, the EmailProvider's arguments, the property the failure must name, words of its reason.
BAD_INPUTS: list[tuple[str, Declaration, str, str]] = [
    ("port-0", lambda c: custom(c, smtp_port=0), "smtp_config.smtp_port", "1 to 65535"),
    ("port-70000", lambda c: custom(c, smtp_port=70000), "smtp_config.smtp_port", "1 to 65535"),
    ("fractional-port", lambda c: custom(c, smtp_port=46.5), "smtp_config.smtp_port", "whole"),
    ("empty-password", lambda c: custom(c, sender_pass=""), "smtp_config.sender_pass", "empty"),
    (
        "host-with-scheme",
        lambda c: custom(c, smtp_host="smtp://x"),
        "smtp_config.smtp_host",
        "no scheme",
    ),
    (
        "host-with-port",
        lambda c: custom(c, smtp_host="smtp.example.com:465"),
        "smtp_config.smtp_host",
        "the port goes in smtp_port",
    ),
    (
        "unknown-key",
        lambda c: {
            "type": "custom",
            "smtp_config": {**without(smtp(c), "smtp_host"), "smtpHost": "smtp.example.com"},
        },
        "smtp_config.smtpHost",
        "not a property",
    ),
    (
        "type-smtp",
        lambda c: {"type": "smtp", "smtp_config": smtp(c)},
        "type",
        "must be one of",
    ),
    (
        "custom-without-smtp-config",
        lambda _c: {"type": "custom"},
        "smtp_config",
        "required when type is 'custom'",
    ),
    (
        "sendgrid-with-smtp-config",
        lambda c: {"type": "sendgrid", "send_grid_config": sendgrid(c), "smtp_config": smtp(c)},
        "smtp_config",
        "does not go with type 'sendgrid'",
    ),
    (
        "empty-apikey",
        lambda c: {"type": "sendgrid", "send_grid_config": sendgrid(c, apikey="")},
        "send_grid_config.apikey",
        "empty",
    ),
    (
        "empty-sendgrid-sender",
        lambda c: {"type": "sendgrid", "send_grid_config": sendgrid(c, sender="")},
        "send_grid_config.sender",
        "empty",
    ),
    (
        "ali-without-sender",
        lambda c: {"type": "ali", "ali_exmail_config": without(exmail(c, "ali"), "sender")},
        "ali_exmail_config.sender",
        "required",
    ),
    (
        "qq-empty-password",
        lambda c: {"type": "qq", "tencent_exmail_config": exmail(c, "qq", sender_pass="")},
        "tencent_exmail_config.sender_pass",
        "empty",
    ),
    (
        "enabled-not-a-bool",
        lambda c: {**custom(c), "enabled": "yes"},
        "enabled",
        "true or false",
    ),
    ("port-true", lambda c: custom(c, smtp_port=True), "smtp_config.smtp_port", "(got True)"),
    ("secure-yes", lambda c: custom(c, secure="yes"), "smtp_config.secure", "true or false"),
    (
        "blank-password",
        lambda c: custom(c, sender_pass="   "),
        "smtp_config.sender_pass",
        "only white space",
    ),
    (
        "ipv4-with-port",
        lambda c: custom(c, smtp_host="10.0.0.5:587"),
        "smtp_config.smtp_host",
        "the port goes in smtp_port",
    ),
    (
        "host-with-newline",
        lambda c: custom(c, smtp_host="smtp.example.com\n"),
        "smtp_config.smtp_host",
        "no white space",
    ),
    (
        "sendgrid-sender-not-an-address",
        lambda c: {"type": "sendgrid", "send_grid_config": sendgrid(c, sender="no-reply")},
        "send_grid_config.sender",
        "must be an email address",
    ),
    (
        "type-as-a-list",
        lambda c: {"type": ["custom"], "smtp_config": smtp(c)},
        "type",
        "must be one of",
    ),
    (
        "config-as-text",
        lambda _c: {"type": "custom", "smtp_config": "smtp.example.com:465"},
        "smtp_config",
        "must be a SmtpConfigArgs or a dict of its fields, not a str",
    ),
    (
        "unknown-pool",
        lambda c: {**custom(c), "pool": "staging"},
        "pool",
        "not an entry of the stack config genauth:pools",
    ),
]


def names(line: str, path: str) -> bool:
    """Whether a line names the property path itself (not a longer path that starts with it)."""
    return re.search(rf"(?<![\w.]){re.escape(path)}(?![\w.])", line) is not None


def declaring(declaration: Declaration) -> auto.PulumiFn:
    """A program declaring one EmailProvider "mail" with the given arguments."""

    def run() -> None:
        genauth.EmailProvider("mail", **declaration(pulumi.Config()))

    return run


@pytest.fixture(scope="module")
def table_stack(
    pulumi_cli: PulumiCli,
    _engine_environ: None,
    emulator_server: EmulatorServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> EngineStack:
    """One stack for the whole bad-input table: each case swaps the program and previews."""
    root = tmp_path_factory.mktemp("bad-inputs")
    return create_stack(pulumi_cli, root, program(), stack_config(emulator_server))


@pytest.mark.parametrize(
    ("declaration", "path", "words"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_fails_preview_naming_the_property(
    table_stack: EngineStack,
    emulator: EmulatorServer,
    declaration: Declaration,
    path: str,
    words: str,
) -> None:
    """Each bad input fails preview with a line naming its property path; no pool is changed."""
    table_stack.set_program(declaring(declaration))

    with pytest.raises(auto.errors.CommandError) as failure:
        table_stack.preview()

    text = str(failure.value)
    named = [line for line in text.splitlines() if "error:" in line and names(line, path)]
    assert named, text
    assert all(words in line for line in named), named
    assert "Traceback" not in text
    for canary in CANARIES:
        assert canary not in text
        assert canary not in table_stack.text
    assert config_calls(emulator) == []


def test_missing_credentials_fail_preview_naming_the_config_keys(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Without an access key in stack config or environment, preview says which keys to set."""
    engine = new_stack(program(Mail.of("custom")), credentials=False)

    with pytest.raises(auto.errors.CommandError) as failure:
        engine.preview()

    text = str(failure.value)
    assert "genauth:accessKeyId" in text
    assert "genauth:accessKeySecret" in text
    assert emulator.requests() == []
    assert_no_secret_leaked(engine)


FIRST = Mail.of("custom")
SECOND = Mail.of("sendgrid", name="second-mail", pool="second")


def two_pools() -> None:
    """pool-a with default credentials; pool-b through genauth:pools.second, its sender
    derived from the first resource's pool id (unknown until that resource exists)."""
    config = pulumi.Config()
    first = FIRST.declare(config.require_secret(secret_key(FIRST.kind)))
    sender = first.userpool_id.apply(lambda pool: f"mail@{pool}.example.com")
    second = SECOND.changed(sender=sender)
    second.declare(config.require_secret(secret_key(SECOND.kind)))


def with_second_pool(engine: EngineStack, emulator: EmulatorServer) -> EngineStack:
    """Give the stack pool-b's access key as the genauth:pools entry "second"."""
    set_pool_entry(engine, "second", emulator.pools[1])
    return engine


def test_value_unknown_during_preview_passes_preview(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """A config field that is another resource's output, not known yet, passes preview."""
    engine = with_second_pool(new_stack(two_pools), emulator)
    events: list[auto.EngineEvent] = []

    preview = engine.preview(on_event=events.append)

    assert changes(preview.change_summary) == {"create": 3}
    planned = [
        event.resource_pre_event.metadata.new
        for event in events
        if event.resource_pre_event is not None
        and event.resource_pre_event.metadata.urn.endswith("::second-mail")
    ]
    assert planned, "no preview event for second-mail"
    assert planned[0] is not None
    assert planned[0].inputs is not None
    assert planned[0].inputs["send_grid_config"]["sender"] == UNKNOWN
    assert emulator.requests() == []
    assert_no_secret_leaked(engine)


def test_two_pools_are_configured_and_disabled_independently(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """`pool="second"` configures pool-b with its own key; destroy disables both pools."""
    engine = with_second_pool(new_stack(two_pools), emulator)

    up = engine.up()

    assert changes(up.summary.resource_changes) == {"create": 3}
    assert emulator.stored("pool-a") == FIRST.expected()
    assert emulator.stored("pool-b") == SECOND.changed(sender="mail@pool-a.example.com").expected()
    assert engine.resource("second-mail")["id"] == "pool-b"

    engine.destroy()

    for pool_id, kind in (("pool-a", "custom"), ("pool-b", "sendgrid")):
        setting = emulator.stored(pool_id)
        assert setting is not None
        assert (setting["type"], setting["enabled"]) == (kind, False)
    assert_no_secret_leaked(engine)
