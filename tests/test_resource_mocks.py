"""The program side under the SDK's mocks: argument handling and secret wrapping.

The mocks stand in for the engine, so these pin what the resource *sends*: property names,
values, and which of them travel as secrets, whatever the user passed.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

import pulumi_genauth as genauth
from pulumi_genauth import _lifecycle
from pulumi_genauth._fields import APPLIED_KEY
from pulumi_genauth._provider import EmailProviderProvider

from .support import SENDGRID_KEY, SMTP_PASSWORD, RecordingMocks

# What the resource reads back: the id and userpool_id of pool-a.
POOL_A: dict[str, Any] = {"resource_id": "pool-a", "userpool_id": "pool-a"}


@pytest.fixture
def mocks() -> RecordingMocks:
    recording = RecordingMocks(**POOL_A)
    pulumi.runtime.set_mocks(recording, preview=False)
    return recording


def unwrap(value: Any) -> tuple[bool, Any]:
    """(whether the value travelled as a secret, its plain value)."""
    return rpc.is_rpc_secret(value), rpc.unwrap_rpc_secret(value)


@pulumi.runtime.test
def test_typed_args_are_sent_with_the_password_as_a_secret(mocks: RecordingMocks) -> Any:
    """A plain-text password in SmtpConfigArgs still reaches the engine as a secret."""
    mail = genauth.EmailProvider(
        "mail",
        type=genauth.EmailProviderType.CUSTOM,
        smtp_config=genauth.SmtpConfigArgs("smtp.example.com", 465, SMTP_PASSWORD, secure=True),
    )

    def check(_: Any) -> None:
        sent = mocks.inputs("mail")
        assert sent["type"] == "custom"
        assert sent["enabled"] is True
        secret, config = unwrap(sent["smtp_config"])
        assert secret
        assert config == {
            "smtp_host": "smtp.example.com",
            "smtp_port": 465,
            "sender_pass": SMTP_PASSWORD,
            "secure": True,
        }
        for other in ("send_grid_config", "ali_exmail_config", "tencent_exmail_config", "pool"):
            assert sent.get(other) is None
        assert "__provider" in sent

    return mail.urn.apply(check)


@pulumi.runtime.test
def test_dict_configs_and_string_types_are_accepted(mocks: RecordingMocks) -> Any:
    """A config given as a dict and a type given as a string work like the typed forms."""
    mail = genauth.EmailProvider(
        "grid",
        type="sendgrid",
        enabled=False,
        send_grid_config={"sender": "mail@example.com", "apikey": SENDGRID_KEY},
        pool="second",
    )

    def check(_: Any) -> None:
        sent = mocks.inputs("grid")
        assert (sent["type"], sent["enabled"], sent["pool"]) == ("sendgrid", False, "second")
        secret, config = unwrap(sent["send_grid_config"])
        assert secret
        assert config == {"sender": "mail@example.com", "apikey": SENDGRID_KEY}

    return mail.urn.apply(check)


@pulumi.runtime.test
def test_a_config_known_only_later_is_sent_as_a_secret(mocks: RecordingMocks) -> Any:
    """A whole config passed as an Output is marked secret as a whole."""
    config = pulumi.Output.from_input(
        genauth.TencentExmailConfigArgs(sender="mail@example.cn", sender_pass="p")
    )
    mail = genauth.EmailProvider("qq", type="qq", tencent_exmail_config=config)

    def check(_: Any) -> None:
        secret, sent = unwrap(mocks.inputs("qq")["tencent_exmail_config"])
        assert secret
        assert sent == {"sender": "mail@example.cn", "sender_pass": "p"}

    return mail.urn.apply(check)


@pytest.mark.usefixtures("mocks")
def test_outputs_are_declared() -> None:
    """Every output the provider returns is an Output of the resource, and registered.

    The names come from the provider's own outputs, so an output added there and not
    declared on the resource (where a program could not read it) fails this test.
    """
    props = {
        "type": "ali",
        "enabled": True,
        "pool": None,
        "ali_exmail_config": {"sender": "mail@example.cn", "sender_pass": "p"},
    }
    returned = _lifecycle.outputs("pool-a", props, props, "key-a")
    internal = {APPLIED_KEY}  # what delete reads; not for programs
    mail = genauth.EmailProvider(
        "ali",
        type=genauth.EmailProviderType.ALI,
        ali_exmail_config=genauth.AliExmailConfigArgs("mail@example.cn", "p"),
    )
    for name in set(returned) - internal:
        assert isinstance(getattr(mail, name), pulumi.Output), name
    assert not hasattr(mail, APPLIED_KEY)


@pulumi.runtime.test
@pytest.mark.usefixtures("mocks")
def test_config_outputs_reach_the_program_as_plain_dicts() -> Any:
    """The config outputs are typed as TypedDicts and arrive as dicts, the secret one secret.

    The SDK converts outputs by the annotations of the resource class and fails on a dict
    for a TypedDict there: this is the program that would stop if they moved onto it.
    """
    mail = genauth.EmailProvider(
        "mail",
        type=genauth.EmailProviderType.CUSTOM,
        smtp_config=genauth.SmtpConfigArgs("smtp.example.com", 465, SMTP_PASSWORD),
    )
    configs = (
        mail.smtp_config,
        mail.send_grid_config,
        mail.ali_exmail_config,
        mail.tencent_exmail_config,
    )

    def check(values: list[Any]) -> None:
        smtp, *others = values
        assert type(smtp) is dict
        assert smtp["smtp_host"] == "smtp.example.com"
        assert smtp["sender_pass"] == SMTP_PASSWORD
        assert others == [None, None, None]

    return pulumi.Output.all(*configs, mail.smtp_config.is_secret()).apply(
        lambda values: (check(values[:4]), _assert_equal(values[4], True))
    )


def _assert_equal(actual: Any, expected: Any) -> None:
    assert actual == expected


@pytest.mark.usefixtures("mocks")
@pytest.mark.parametrize("config", ["smtp.example.com:465", ["smtp.example.com", 465], 42])
def test_a_config_of_the_wrong_kind_is_refused_in_the_program(config: Any) -> None:
    """Neither an Args object nor a dict: a RunError naming the argument and the class."""
    with pytest.raises(genauth.DeclarationError) as refused:
        genauth.EmailProvider("mail", type="custom", smtp_config=config)
    assert isinstance(refused.value, pulumi.RunError)  # printed as one line, no traceback
    assert str(refused.value) == (
        "EmailProvider 'mail': smtp_config must be a SmtpConfigArgs or a dict of its fields, "
        f"not a {type(config).__name__}"
    )


def sendgrid(name: str, pool: pulumi.Input[str] | None = None) -> genauth.EmailProvider:
    config = genauth.SendGridConfigArgs(sender="mail@example.com", apikey=SENDGRID_KEY)
    return genauth.EmailProvider(name, type="sendgrid", send_grid_config=config, pool=pool)


@pytest.mark.usefixtures("mocks")
@pytest.mark.parametrize(
    ("pool", "which"),
    [(None, "the stack's default credentials"), ("staff", "the genauth:pools entry 'staff'")],
)
def test_a_second_resource_on_the_same_pool_is_refused_where_it_is_declared(
    pool: str | None, which: str
) -> None:
    """The same `pool` twice in one program: a RunError naming both, before it registers."""
    sendgrid("first", pool)
    with pytest.raises(genauth.DeclarationError) as refused:
        sendgrid("second", pool)
    assert isinstance(refused.value, pulumi.RunError)  # printed as one line, no traceback
    assert str(refused.value) == (
        f"EmailProviders 'first' and 'second' both configure the user pool of {which}: a user "
        "pool has one email provider setting, so declare one EmailProvider per pool"
    )


@pytest.mark.usefixtures("mocks")
def test_resources_on_different_pools_are_accepted() -> None:
    """One resource per pool, and a pool known only later, are left to the provider."""
    sendgrid("default")
    sendgrid("staff", "staff")
    sendgrid("later", pulumi.Output.from_input("staff"))


@pytest.mark.usefixtures("mocks")
def test_a_pool_known_only_later_is_left_to_the_provider() -> None:
    """Two resources on one Output pool are not compared in the program: the provider decides."""
    pool = pulumi.Output.from_input("staff")
    sendgrid("first", pool)
    sendgrid("second", pool)


@pytest.mark.usefixtures("mocks")
def test_import_option_is_refused_where_it_is_declared() -> None:
    """import_ cannot work for a dynamic resource: one line that says to leave it out."""
    with pytest.raises(genauth.DeclarationError) as refused:
        genauth.EmailProvider(
            "mail",
            type="sendgrid",
            send_grid_config={"sender": "mail@example.com", "apikey": SENDGRID_KEY},
            opts=pulumi.ResourceOptions(import_="pool-a"),
        )
    assert str(refused.value) == (
        "EmailProvider 'mail': ResourceOptions(import_=...) does not work for a dynamic "
        "provider (pulumi/pulumi#16175); remove import_: `pulumi up` adopts the pool's current "
        "setting, with a warning that says what it replaces"
    )


@pulumi.runtime.test
def test_defaults_and_the_provider_reference_are_sent(mocks: RecordingMocks) -> Any:
    """enabled defaults to true, verify_smtp to false, and __provider is the class reference."""
    mail = sendgrid("mail")

    def check(_: Any) -> None:
        sent = mocks.inputs("mail")
        assert (sent["enabled"], sent["verify_smtp"]) == (True, False)
        # The plugin unpickles this: its import path is a contract with existing stacks.
        assert unwrap(sent["__provider"])[1] == serialize_provider(EmailProviderProvider())

    return mail.urn.apply(check)


@pulumi.runtime.test
def test_verify_smtp_is_sent_under_its_name(mocks: RecordingMocks) -> Any:
    """verify_smtp=True reaches the provider as the `verify_smtp` input it reads."""
    mail = genauth.EmailProvider(
        "mail",
        type="custom",
        smtp_config=genauth.SmtpConfigArgs("smtp.example.com", 465, SMTP_PASSWORD),
        verify_smtp=True,
    )
    return mail.urn.apply(lambda _: _assert_equal(mocks.inputs("mail")["verify_smtp"], True))


@pulumi.runtime.test
@pytest.mark.usefixtures("mocks")
def test_resource_options_reach_the_engine() -> Any:
    """opts are passed on: a parent shows in the resource's URN."""
    parent = pulumi.ComponentResource("acme:mail:Mailer", "mailer")
    mail = genauth.EmailProvider(
        "mail",
        type="sendgrid",
        send_grid_config={"sender": "mail@example.com", "apikey": SENDGRID_KEY},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return mail.urn.apply(
        lambda urn: _assert_equal(
            urn.split("::")[2], "acme:mail:Mailer$pulumi-python:dynamic/genauth:EmailProvider"
        )
    )


@pytest.mark.usefixtures("mocks")
def test_a_config_output_of_the_wrong_kind_is_refused_naming_the_argument() -> None:
    """A config known only later that is neither an Args object nor a dict: the same message."""

    @pulumi.runtime.test
    def program() -> Any:
        config = pulumi.Output.from_input("smtp.example.com:465")
        return genauth.EmailProvider("mail", type="custom", smtp_config=config).urn

    with pytest.raises(genauth.DeclarationError) as refused:
        program()
    assert str(refused.value) == (
        "EmailProvider 'mail': smtp_config must be a SmtpConfigArgs or a dict of its fields, "
        "not a str"
    )


class FloatingMocks(RecordingMocks):
    """Answers as the engine does: every number a float (the port 465.0)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        pool, outputs = super().new_resource(args)
        config = rpc.unwrap_rpc_secret(outputs.get("smtp_config"))
        if isinstance(config, dict):
            outputs["smtp_config"] = {**config, "smtp_port": float(config["smtp_port"])}
        return pool, outputs


@pulumi.runtime.test
def test_the_port_output_is_an_int() -> Any:
    """The engine's 465.0 reaches the program as 465, as SmtpConfigOutput types it."""
    pulumi.runtime.set_mocks(FloatingMocks(**POOL_A), preview=False)
    mail = genauth.EmailProvider(
        "mail",
        type="custom",
        smtp_config=genauth.SmtpConfigArgs("smtp.example.com", 465, SMTP_PASSWORD),
    )

    def check(config: Any) -> None:
        assert type(config["smtp_port"]) is int
        assert config["smtp_port"] == 465

    return mail.smtp_config.apply(check)


class PortlessMocks(RecordingMocks):
    """Answers an smtp_config without its port, as a refresh reads a service that leaves it out."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        pool, outputs = super().new_resource(args)
        config = rpc.unwrap_rpc_secret(outputs.get("smtp_config"))
        if isinstance(config, dict):
            outputs["smtp_config"] = {k: v for k, v in config.items() if k != "smtp_port"}
        return pool, outputs


@pulumi.runtime.test
def test_an_smtp_config_output_without_a_port_reaches_the_program_as_it_is() -> Any:
    """No port to make whole: the config reaches the program unchanged, with no port in it."""
    pulumi.runtime.set_mocks(PortlessMocks(**POOL_A), preview=False)
    mail = genauth.EmailProvider(
        "mail",
        type="custom",
        smtp_config=genauth.SmtpConfigArgs("smtp.example.com", 465, SMTP_PASSWORD),
    )

    def check(config: Any) -> None:
        assert config == {"smtp_host": "smtp.example.com", "sender_pass": SMTP_PASSWORD}

    return mail.smtp_config.apply(check)
