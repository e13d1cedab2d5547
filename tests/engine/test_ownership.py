"""A pool that only its owner switches off, through the real engine.

The email provider is a singleton of the user pool. A destroy must disable only the setting
its resource applied; a rename without an alias must leave the pool configured; two
resources on one pool in one deployment must fail, naming the pool, instead of overwriting
each other in turn.
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import config_calls, sdk_client
from .support import (
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    program,
    secret_key,
    set_pool_entry,
)

pytestmark = pytest.mark.engine

TAKEOVER_SECRET = "takeover-sendgrid-key-61c0e2"
PLANTED_SMTP_PASSWORD = "planted-smtp-pass-3b7d90"


def test_destroy_leaves_a_pool_another_stack_took_over(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Stack B takes the pool from stack A; destroying A leaves B's mail on, and says why."""
    first = new_stack(program(Mail.of("custom")))
    first.up()
    takeover = Mail.of("sendgrid")
    second = new_stack(program(takeover))
    second.set_secret(secret_key("sendgrid"), TAKEOVER_SECRET)
    second.up()
    assert "already sends mail" in second.text  # the takeover warning

    destroy = first.destroy()

    assert changes(destroy.summary.resource_changes) == {"delete": 2}
    assert emulator.stored("pool-a") == takeover.expected(TAKEOVER_SECRET)
    left = [line for line in first.output if "is left as it is" in line]
    assert left, first.text
    assert (
        left[0]
        .rstrip()
        .endswith(
            "user pool 'pool-a' is left as it is: its live email provider is not the setting this "
            "resource applied (type is 'sendgrid' live, 'custom' applied); another stack or a "
            "person has changed it since"
        )
    ), left
    assert_no_secret_leaked(first, canaries=[TAKEOVER_SECRET])


def test_up_over_the_same_type_with_other_fields_warns_naming_them(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Another stack's SMTP server on the pool: the takeover warning names the host and the
    sender it replaces, once, and never the password planted with them."""
    answer = sdk_client(emulator).config_email_provider(
        type="custom",
        enabled=True,
        smtp_config={
            "smtp_host": "smtp.other.example",
            "smtp_port": 465,
            "sender": "x@other.example",
            "senderPass": PLANTED_SMTP_PASSWORD,
            "secure": True,
        },
    )
    assert answer["statusCode"] == 200, answer["message"]
    mail = Mail.of("custom")
    engine = new_stack(program(mail))

    up = engine.up()

    warning = (
        "user pool pool-a already sends mail through a third-party provider (type 'custom', "
        "smtp_config.smtp_host 'smtp.other.example', smtp_config.sender 'x@other.example', "
        "a different smtp_config.sender_pass); it is replaced by the declared setting"
    )
    # Progress lines repeat a resource's last diagnostic; the Diagnostics section lists each
    # once, under the resource or the stack.
    assert "Diagnostics:" in up.stdout, up.stdout
    diagnostics = up.stdout.split("Diagnostics:", 1)[1].split("\nOutputs:", 1)[0]
    assert diagnostics.count(warning) == 1, up.stdout
    assert emulator.stored("pool-a") == mail.expected()
    assert_no_secret_leaked(engine, canaries=[PLANTED_SMTP_PASSWORD])


def test_a_rename_without_alias_leaves_the_pool_configured(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Create under the new name, delete under the old: the pool keeps sending through it."""
    mail = Mail.of("qq")
    engine = new_stack(program(mail))
    engine.up()
    engine.set_program(program(Mail.of("qq", name="renamed")))

    up = engine.up()

    assert changes(up.summary.resource_changes) == {"create": 1, "delete": 1, "same": 1}
    assert emulator.stored("pool-a") == mail.expected()
    assert "another EmailProvider of this deployment configured it" in engine.text
    assert_no_secret_leaked(engine)


def test_two_resources_on_one_pool_in_a_program_fail_in_one_line(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """The same `pool` twice: the program fails naming both resources, before either applies."""
    engine = new_stack(program(Mail.of("custom"), Mail.of("sendgrid", name="other")))

    with pytest.raises(auto.errors.CommandError) as failure:
        engine.preview()

    text = str(failure.value)
    assert (
        "EmailProviders 'mail' and 'other' both configure the user pool of the stack's "
        "default credentials: a user pool has one email provider setting, so declare one "
        "EmailProvider per pool"
    ) in text
    assert "Traceback" not in text
    assert emulator.requests() == []
    assert_no_secret_leaked(engine)


def test_two_resources_reaching_one_pool_by_two_keys_fail_before_the_second_applies(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Two keys of pool-a, one per resource: the second create fails naming the pool."""
    first, second = Mail.of("custom"), Mail.of("sendgrid", name="other", pool="same")
    engine = new_stack(program(first, second))
    set_pool_entry(engine, "same", emulator.pools[0])

    with pytest.raises(auto.errors.CommandError) as failure:
        engine.up()

    text = str(failure.value)
    assert "user pool 'pool-a' is already configured by another EmailProvider" in text
    assert "Traceback" not in text
    assert len(config_calls(emulator)) == 1
    stored = emulator.stored("pool-a")
    assert stored in (first.expected(), second.expected())
    assert_no_secret_leaked(engine)
