"""The native provider's schema and methods, in process (the engine tests run it for real).

The schema is written by hand; these tests hold it to the core it fronts: every property is a
core name in camelCase, every secret field the core's. The methods are called as the SDK's
server calls them, with property values as the engine sends them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckRequest,
    ConfigureRequest,
    DiffRequest,
    PropertyDiffKind,
)
from pulumi.runtime import rpc

from pulumi_genauth._fields import CONFIG_FIELDS, CONFIG_RULES, SECRET_FIELD_BY_CONFIG
from pulumi_genauth.native import _properties as names
from pulumi_genauth.native._provider import GenAuthProvider
from pulumi_genauth.native._schema import RESOURCE_TOKEN, schema

T = TypeVar("T")
URN = f"urn:pulumi:dev::p::{RESOURCE_TOKEN}::mail"
SMTP = {
    "smtpHost": "smtp.example.com",
    "smtpPort": 465.0,
    "sender": "a@example.com",
    "senderPass": "pw-1",
    "secure": True,
}


def run(call: Coroutine[Any, Any, T]) -> T:
    """Run one provider method on a loop of its own (asyncio.run would unset the session's)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(call)
    finally:
        loop.close()


def values(plain: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """Plain values as the engine's property values (numbers as floats)."""

    def one(item: Any) -> PropertyValue:
        if isinstance(item, Mapping):
            return PropertyValue({key: one(value) for key, value in item.items()})
        return PropertyValue(float(item) if type(item) is int else item)

    return {key: one(item) for key, item in plain.items()}


def provider() -> GenAuthProvider:
    """A provider configured with keys (no call to GenAuth is made by these tests)."""
    made = GenAuthProvider(environ={})
    args = values({"host": "http://127.0.0.1:1", "accessKeyId": "id", "accessKeySecret": "s"})
    run(made.configure(ConfigureRequest({}, args, True, True)))
    return made


def test_every_config_type_and_field_is_the_core_s_in_camel_case() -> None:
    """The schema's config types have exactly the core's fields; secrets are the core's."""
    resource = schema()["resources"][RESOURCE_TOKEN]
    for config in CONFIG_FIELDS:
        prop = resource["inputProperties"][names.camel(config)]
        declared = schema()["types"][prop["$ref"].removeprefix("#/types/")]
        assert set(declared["properties"]) == {names.camel(f) for f in CONFIG_RULES[config]}
        secrets = {k for k, v in declared["properties"].items() if v.get("secret")}
        assert secrets == {names.camel(SECRET_FIELD_BY_CONFIG[config])}
        required = {names.camel(f) for f, rule in CONFIG_RULES[config].items() if rule.required}
        assert set(declared["required"]) == required


def test_the_type_enum_is_the_four_types() -> None:
    """type takes custom, ali, qq and sendgrid, as the core does."""
    enum = schema()["types"]["genauth:index:EmailProviderType"]["enum"]
    assert {entry["value"] for entry in enum} == {"custom", "ali", "qq", "sendgrid"}


@pytest.mark.parametrize(
    ("core", "schema_name"),
    [("smtp_config", "smtpConfig"), ("send_grid_config", "sendGridConfig"),
     ("sender_pass", "senderPass"), ("userpool_id", "userpoolId"), ("type", "type")],
)  # fmt: skip
def test_names_convert_both_ways(core: str, schema_name: str) -> None:
    """camel and snake are each other's inverse on the resource's names."""
    assert names.camel(core) == schema_name
    assert names.snake(schema_name) == core


def test_a_message_is_respelled_but_a_quoted_value_is_not() -> None:
    """Property names become camelCase; a host name with an underscore stays as written."""
    text = "smtp_config.smtp_host must be a host name (got 'my_host.example.com')"
    assert names.respell(text) == (
        "smtpConfig.smtpHost must be a host name (got 'my_host.example.com')"
    )


def test_outputs_mark_each_config_secret_and_nothing_else() -> None:
    """to_engine marks senderPass/apikey secret, whatever the config, and ports are floats."""
    out = names.to_engine(
        {
            "type": "custom",
            "smtp_config": {"smtp_host": "h", "smtp_port": 465, "sender_pass": "pw"},
            "send_grid_config": None,
        }
    )
    smtp = out["smtpConfig"].value
    assert isinstance(smtp, Mapping)
    assert smtp["senderPass"].is_secret
    assert not smtp["smtpHost"].is_secret
    assert smtp["smtpPort"].value == 465.0
    assert out["sendGridConfig"].value is None
    assert not out["type"].is_secret


def test_check_marks_a_plain_secret_input_secret() -> None:
    """A senderPass passed in plain comes back from Check marked secret (YAML marks no nested)."""
    news = values({"type": "custom", "smtpConfig": SMTP})
    checked = run(provider().check(CheckRequest(URN, {}, news, b"")))
    assert checked.failures == []
    assert checked.inputs is not None
    smtp = checked.inputs["smtpConfig"].value
    assert isinstance(smtp, Mapping)
    assert smtp["senderPass"].is_secret


PORT_70000 = "smtpConfig.smtpPort must be a port number from 1 to 65535 (got 70000)"
WRONG_CONFIG = [
    "smtpConfig is required when type is 'custom' (sendGridConfig is set, which goes with "
    "type 'sendgrid')",
    "sendGridConfig does not go with type 'custom': type 'custom' reads smtpConfig; set "
    "smtpConfig instead, or set type to 'sendgrid' to use sendGridConfig",
]


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"type": "custom", "smtpConfig": {**SMTP, "smtpPort": 70000.0}}, [("", PORT_70000)]),
        (
            {"type": "custom", "smtpConfig": {**SMTP, "smtpPrt": 25.0}},
            [("", "smtpConfig.smtpPrt is not a property of this config")],
        ),
        (
            {"type": "custom", "sendGridConfig": {"sender": "a@example.com", "apikey": "k"}},
            [("", reason) for reason in WRONG_CONFIG],
        ),
        ({"type": "smtp"}, [("type", "must be one of 'custom', 'ali', 'qq', 'sendgrid'")]),
        (
            {"type": "custom", "smtpConfig": SMTP, "pool": "a"},
            [("pool", "is not a property of EmailProvider")],
        ),
    ],
)
def test_check_names_the_field_as_the_program_wrote_it(
    inputs: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    """Each failure names its camelCase path and the rule, as the dynamic resource does."""
    checked = run(provider().check(CheckRequest(URN, {}, values(inputs), b"")))
    assert [(f.property, f.reason) for f in checked.failures] == expected


def test_check_without_credentials_says_how_to_set_them() -> None:
    """No keys in the provider config nor the environment fails the preview, naming both."""
    bare = GenAuthProvider(environ={})
    news = values({"type": "custom", "smtpConfig": SMTP})
    checked = run(bare.check(CheckRequest(URN, {}, news, b"")))
    assert [f.reason.split(":")[0] for f in checked.failures] == ["GenAuth credentials are missing"]


def diff(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, PropertyDiffKind]:
    answer = run(provider().diff(DiffRequest(URN, "pool-a", values(olds), values(news), [])))
    assert answer.replaces == []
    return {path: change.kind for path, change in answer.detailed_diff.items()}


def test_diff_names_a_rotated_secret_by_its_path() -> None:
    """Only smtpConfig.senderPass changes: that path, as an update."""
    old = {"type": "custom", "enabled": True, "smtpConfig": SMTP}
    new = {"type": "custom", "smtpConfig": {**SMTP, "senderPass": "pw-2"}}
    assert diff(old, new) == {"smtpConfig.senderPass": PropertyDiffKind.UPDATE}


def test_diff_of_the_same_setting_is_empty_defaults_included() -> None:
    """Omitted enabled/sender/secure equal their defaults: no change."""
    old = {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "sender": "", "secure": False}}
    new = {
        "type": "custom",
        "smtpConfig": {k: v for k, v in SMTP.items() if k not in ("sender", "secure")},
    }
    assert diff(old, new) == {}


def test_diff_of_a_type_switch_names_type_and_both_configs() -> None:
    """custom to sendgrid: type updated, smtpConfig deleted, sendGridConfig added."""
    old = {"type": "custom", "enabled": True, "smtpConfig": SMTP}
    new = {"type": "sendgrid", "sendGridConfig": {"sender": "a@example.com", "apikey": "k"}}
    assert diff(old, new) == {
        "type": PropertyDiffKind.UPDATE,
        "smtpConfig": PropertyDiffKind.DELETE,
        "sendGridConfig": PropertyDiffKind.ADD,
    }


def test_diff_with_an_unknown_value_is_a_change() -> None:
    """A senderPass not known in a preview: a change, named by its config."""
    old = {"type": "custom", "enabled": True, "smtpConfig": SMTP}
    new = {"type": "custom", "smtpConfig": {**SMTP, "senderPass": rpc.UNKNOWN}}
    assert diff(old, new) == {"smtpConfig": PropertyDiffKind.UPDATE}


def test_diff_of_a_state_the_dynamic_resource_wrote_is_an_update_of_its_shape() -> None:
    """The same setting under the dynamic resource's names: an update that drops them."""
    old = {
        "type": "custom",
        "enabled": True,
        "smtp_config": {"smtp_host": "smtp.example.com", "smtp_port": 465.0,
                        "sender": "a@example.com", "sender_pass": "pw-1", "secure": True},
        "userpool_id": "pool-a",
        "__provider": "pickled",
    }  # fmt: skip
    new = {"type": "custom", "smtpConfig": SMTP}
    assert diff(old, new) == {
        "smtp_config": PropertyDiffKind.DELETE,
        "userpool_id": PropertyDiffKind.DELETE,
        "__provider": PropertyDiffKind.DELETE,
    }
