"""The native provider's schema and methods, in process (the engine tests run it for real).

The schema is written by hand; these tests hold it to the core it fronts: every property is a
core name in camelCase, every secret field the core's. The methods are called as the SDK's
server calls them, with property values as the engine sends them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Mapping
from typing import Any, cast

import pytest
from pulumi.runtime import rpc

from pulumi_genauth import PoolClaimedError, PoolMismatchError, TransportError, _client
from pulumi_genauth._client import GenAuthClient, UnreachableHosts
from pulumi_genauth._credentials import Credentials
from pulumi_genauth._exceptions import ConfigurationError
from pulumi_genauth._fields import CONFIG_FIELDS, CONFIG_RULES, SECRET_FIELD_BY_CONFIG
from pulumi_genauth._pool_clients import ClientFactory, default_client
from pulumi_genauth.emulator.server import EmulatorServer
from pulumi_genauth.native import _properties as names
from pulumi_genauth.native._protocol import (
    CheckRequest,
    ConfigureRequest,
    CreateRequest,
    DeleteRequest,
    DiffRequest,
    PropertyDiffKind,
    ReadRequest,
    UpdateRequest,
)
from pulumi_genauth.native._provider import API_THREADS, GenAuthProvider
from pulumi_genauth.native._schema import RESOURCE_INPUTS, RESOURCE_TOKEN, schema
from pulumi_genauth.native._values import Computed, PropertyValue

from .native_support import (
    DEFAULT_PROVIDER_URN,
    EXPLICIT_PROVIDER_URN,
    SMTP,
    URN,
    Warnings,
    applying,
    create,
    plain_values,
    provider,
    run,
    values,
)


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
        (
            {"type": "smtp"},
            [
                (
                    "",
                    "type must be one of 'custom', 'ali', 'qq', 'sendgrid' (got 'smtp'): did you "
                    "mean 'custom'?",
                )
            ],
        ),
        (
            {"type": "custom", "smtpConfig": SMTP, "poolname": "a"},
            [("", "poolname is not a property of EmailProvider")],
        ),
    ],
)
def test_check_names_the_field_as_the_program_wrote_it(
    inputs: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    """Each failure names its camelCase path and the rule, as the dynamic resource does."""
    checked = run(provider().check(CheckRequest(URN, {}, values(inputs), b"")))
    assert [(f.property, f.reason) for f in checked.failures] == expected


def bare_provider(urn: str | None) -> GenAuthProvider:
    """A provider with no keys, configured as the engine configures the provider ``urn``
    (None: by an engine that sends no URN)."""
    bare = GenAuthProvider(environ={})
    run(bare.configure(ConfigureRequest({}, {}, True, True, urn or "")))
    return bare


@pytest.mark.parametrize(
    ("urn", "message"),
    [
        (
            None,
            "GenAuth credentials are missing: set the provider's accessKeyId and "
            "accessKeySecret (the properties of an explicit genauth provider; "
            "genauth:accessKeyId and --secret genauth:accessKeySecret in the stack config for "
            "the default one), or $GENAUTH_ACCESS_KEY_ID and $GENAUTH_ACCESS_KEY_SECRET",
        ),
        (
            DEFAULT_PROVIDER_URN,
            "GenAuth credentials are missing: set genauth:accessKeyId (or "
            "$GENAUTH_ACCESS_KEY_ID) and genauth:accessKeySecret (or $GENAUTH_ACCESS_KEY_SECRET), "
            "e.g. `pulumi config set genauth:accessKeyId <id>` and `pulumi config set --secret "
            "genauth:accessKeySecret <secret>`",
        ),
        (
            EXPLICIT_PROVIDER_URN,
            "GenAuth credentials are missing: set the accessKeyId and accessKeySecret of "
            "provider 'all', or $GENAUTH_ACCESS_KEY_ID and $GENAUTH_ACCESS_KEY_SECRET",
        ),
    ],
    ids=["either provider", "the default provider", "an explicit provider"],
)
def test_check_without_credentials_says_how_to_set_them_in_the_provider_s_terms(
    urn: str | None, message: str
) -> None:
    """No keys in the provider config nor the environment fails the preview, naming where to
    set them for the provider the resource is on, and nothing about `pulumi import`."""
    bare = bare_provider(urn)
    news = values({"type": "custom", "smtpConfig": SMTP})
    checked = run(bare.check(CheckRequest(URN, {}, news, b"")))
    bare.close()
    assert checked.inputs is not None
    assert "accessKeyId" not in checked.inputs  # no key to record
    assert [(f.property, f.reason) for f in checked.failures] == [("", message)]


IMPORT_ADVICE = (
    "; `pulumi import` through an explicit provider needs that provider in the state first: "
    "`pulumi up --target <its URN>`"
)


@pytest.mark.parametrize("urn", [None, EXPLICIT_PROVIDER_URN])
def test_a_read_without_credentials_says_how_to_set_them_and_how_to_import(
    urn: str | None,
) -> None:
    """`pulumi import` through a provider not in the state: Read says what to do."""
    bare = bare_provider(urn)
    with pytest.raises(ConfigurationError) as error:
        run(bare.read(ReadRequest(URN, "pool-a", {}, {})))
    bare.close()
    assert str(error.value).startswith("GenAuth credentials are missing: set ")
    assert str(error.value).endswith(IMPORT_ADVICE)


def test_a_refresh_without_credentials_gives_no_import_advice() -> None:
    """A Read of a resource in the state (a refresh) is no import: no advice about one."""
    bare = bare_provider(EXPLICIT_PROVIDER_URN)
    state = values({"type": "custom", "smtpConfig": SMTP})
    with pytest.raises(ConfigurationError) as error:
        run(bare.read(ReadRequest(URN, "pool-a", state, state)))
    bare.close()
    assert "pulumi import" not in str(error.value)


def test_check_leaves_credentials_not_known_yet_to_the_apply() -> None:
    """A provider config from another resource's output (unknown in a preview) is no failure."""
    pending = GenAuthProvider(environ={})
    args = values({"host": rpc.UNKNOWN, "accessKeyId": rpc.UNKNOWN,
                   "accessKeySecret": rpc.UNKNOWN})  # fmt: skip
    run(pending.configure(ConfigureRequest({}, args, True, True)))
    news = values({"type": "custom", "smtpConfig": SMTP})
    previewed = run(pending.check(CheckRequest(URN, {}, news, b"")))
    assert previewed.failures == []
    assert previewed.inputs is not None
    assert set(previewed.inputs) == set(news)  # no key is known yet: none is recorded
    # Configured again with the values known (the apply): the credentials are the real ones.
    run(pending.configure(ConfigureRequest({}, values({"host": "http://127.0.0.1:1"}), True, True)))
    checked = run(pending.check(CheckRequest(URN, {}, news, b"")))
    assert [f.reason.split(":")[0] for f in checked.failures] == ["GenAuth credentials are missing"]


def diff(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, PropertyDiffKind]:
    """Diff's changes by path; and what holds for every diff: it says whether anything
    changes (a replacement cannot even be said: see the server's tests), and a path of the
    inputs is an input diff (a key of another front end's state, which only the old outputs
    hold, is not)."""
    answer = run(provider().diff(DiffRequest(URN, "pool-a", values(olds), values(news), [])))
    assert answer.changes is bool(answer.detailed_diff)
    for path, change in answer.detailed_diff.items():
        # (accessKeyId is an input too: Check adds the provider's key id.)
        assert change.input_diff is (path.split(".")[0] in RESOURCE_INPUTS | {"accessKeyId"}), path
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
    """A senderPass not known in a preview: a change, named by its path."""
    old = {"type": "custom", "enabled": True, "smtpConfig": SMTP}
    new = {"type": "custom", "smtpConfig": {**SMTP, "senderPass": rpc.UNKNOWN}}
    assert diff(old, new) == {"smtpConfig.senderPass": PropertyDiffKind.UPDATE}


def test_diff_with_a_whole_config_unknown_names_the_config() -> None:
    """A config object not known in a preview (another resource's output): the config."""
    old = {"type": "custom", "enabled": True, "smtpConfig": SMTP}
    new = {"type": "custom", "smtpConfig": rpc.UNKNOWN}
    assert diff(old, new) == {"smtpConfig": PropertyDiffKind.UPDATE}


def test_diff_of_a_secret_the_state_does_not_hold_names_that_secret_alone() -> None:
    """After an import or a refresh that found another secret, the state's secret is null:
    the first preview names senderPass, as an update, and nothing else."""
    old = {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "senderPass": None}}
    new = {"type": "custom", "smtpConfig": SMTP}
    assert diff(old, new) == {"smtpConfig.senderPass": PropertyDiffKind.UPDATE}
    drifted = {**old, "smtpConfig": {**SMTP, "senderPass": None, "smtpPort": 25.0}}
    assert diff(drifted, new) == {
        "smtpConfig.senderPass": PropertyDiffKind.UPDATE,
        "smtpConfig.smtpPort": PropertyDiffKind.UPDATE,
    }


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


def test_diff_of_a_new_access_key_names_the_key_alone() -> None:
    """The provider's key is another than the one the setting was applied with: an update
    of accessKeyId; a state that records none (as pulumi-genauth 0.2.0 wrote it) says nothing
    of it."""
    old = {"type": "custom", "enabled": True, "smtpConfig": SMTP, "accessKeyId": "key-1"}
    new = {"type": "custom", "smtpConfig": SMTP, "accessKeyId": "key-2"}
    assert diff(old, new) == {"accessKeyId": PropertyDiffKind.UPDATE}
    assert diff(old, {**new, "accessKeyId": "key-1"}) == {}
    assert diff({k: v for k, v in old.items() if k != "accessKeyId"}, new) == {}


def test_diff_of_enabled_alone_names_enabled() -> None:
    """Turning the setting off is an update of enabled and nothing else."""
    old = {"type": "custom", "enabled": True, "smtpConfig": SMTP}
    assert diff(old, {**old, "enabled": False}) == {"enabled": PropertyDiffKind.UPDATE}


def test_diff_between_two_later_configs_names_both() -> None:
    """ali to qq (configs after smtpConfig in the schema): both are named, not only the first."""
    old = {
        "type": "ali",
        "enabled": True,
        "aliExmailConfig": {"sender": "a@x.cn", "senderPass": "p"},
    }
    new = {"type": "qq", "tencentExmailConfig": {"sender": "a@x.cn", "senderPass": "p"}}
    assert diff(old, new) == {
        "type": PropertyDiffKind.UPDATE,
        "aliExmailConfig": PropertyDiffKind.DELETE,
        "tencentExmailConfig": PropertyDiffKind.ADD,
    }


def test_diff_of_an_incomplete_old_state_names_what_is_missing() -> None:
    """An old state that is no complete setting: what it lacks is added, nothing else."""
    old = {"type": "custom", "enabled": True}  # no smtpConfig
    new = {"type": "custom", "smtpConfig": SMTP}
    assert diff(old, new) == {"smtpConfig": PropertyDiffKind.ADD}
    no_host = {**old, "smtpConfig": {k: v for k, v in SMTP.items() if k != "smtpHost"}}
    assert diff(no_host, new) == {"smtpConfig.smtpHost": PropertyDiffKind.ADD}


# -- the provider config ----------------------------------------------------------------------


def check_config(inputs: dict[str, Any], urn: str = DEFAULT_PROVIDER_URN) -> list[tuple[str, str]]:
    checked = run(provider().check_config(CheckRequest(urn, {}, values(inputs), b"")))
    # The config is taken as written, but for the keys' secrets, kept secret.
    secret = {"accessKeySecret", "pools"}
    assert checked.inputs == {
        key: value.with_secret(key in secret) for key, value in values(inputs).items()
    }
    return [(f.property, f.reason) for f in checked.failures]


KNOWN_KEYS = (
    "genauth:host, genauth:accessKeyId, genauth:accessKeySecret, genauth:brand, genauth:pools"
)


@pytest.mark.parametrize(
    ("inputs", "urn", "expected"),
    [
        ({"host": "h", "accessKeyId": "i", "accessKeySecret": "s", "brand": "authing"},
         DEFAULT_PROVIDER_URN, []),
        # The engine's own keys are tolerated; pools is this provider's (several pools).
        ({"version": "1.0.0", "pluginDownloadURL": "https://x", "pools": "{}"},
         DEFAULT_PROVIDER_URN, []),
        (
            {"acessKeyId": "i"},
            DEFAULT_PROVIDER_URN,
            [("", "the stack config key genauth:acessKeyId is not one of pulumi-genauth's: "
                  "did you mean genauth:accessKeyId?")],
        ),
        (
            {"region": "cn"},
            DEFAULT_PROVIDER_URN,
            [("", "the stack config key genauth:region is not one of pulumi-genauth's: "
                  f"the known keys are {KNOWN_KEYS}")],
        ),
        # An explicit provider's config is its properties, not the stack config.
        (
            {"acessKeyId": "i"},
            EXPLICIT_PROVIDER_URN,
            [("", "the provider property acessKeyId is not one of pulumi-genauth's: "
                  "did you mean accessKeyId?")],
        ),
    ],
    ids=["known keys", "the engine's keys", "a typo", "no key near", "explicit provider"],
)  # fmt: skip
def test_check_config_refuses_unknown_keys_naming_the_nearest(
    inputs: dict[str, Any], urn: str, expected: list[tuple[str, str]]
) -> None:
    """A provider key of no meaning fails (a typo would silently fall back), with a hint."""
    assert check_config(inputs, urn) == expected


class RefusedError(Exception):
    """Raised by a client factory that only records the credentials it is given."""


@pytest.mark.parametrize("unset", [PropertyValue(""), PropertyValue(Computed())])
def test_an_empty_or_unknown_provider_key_falls_back_to_the_environment(
    unset: PropertyValue,
) -> None:
    """accessKeyId given as "" (or not known yet) is not a key: $GENAUTH_ACCESS_KEY_ID is."""
    seen: list[Credentials] = []

    def factory(credentials: Credentials) -> GenAuthClient:
        seen.append(credentials)
        raise RefusedError

    made = GenAuthProvider(environ={"GENAUTH_ACCESS_KEY_ID": "env-id"}, client_factory=factory)
    args = {"host": PropertyValue("http://127.0.0.1:1"), "accessKeyId": unset,
            "accessKeySecret": PropertyValue("s")}  # fmt: skip
    run(made.configure(ConfigureRequest({}, args, True, True)))
    news = values({"type": "custom", "smtpConfig": SMTP})
    with pytest.raises(RefusedError):
        run(made.create(CreateRequest(URN, news, 60, False)))
    made.close()
    assert [credentials.access_key_id for credentials in seen] == ["env-id"]


# -- the engine's property values ---------------------------------------------------------------


def test_a_list_where_a_number_goes_is_named_with_its_items() -> None:
    """smtpPort [25]: the failure quotes the value the program wrote, items included."""
    smtp = {**values(SMTP), "smtpPort": PropertyValue((PropertyValue(25.0),))}
    news = {"type": PropertyValue("custom"), "smtpConfig": PropertyValue(smtp)}
    checked = run(provider().check(CheckRequest(URN, {}, news, b"")))
    assert [(f.property, f.reason) for f in checked.failures] == [
        ("", "smtpConfig.smtpPort must be a whole number from 1 to 65535 (got [25.0])")
    ]


def test_a_config_not_known_yet_passes_check_unchanged() -> None:
    """A whole smtpConfig unknown in a preview: no failure, and Check returns it as it came
    (with the provider's key id, which a new key shows as an update)."""
    news = {"type": PropertyValue("custom"), "smtpConfig": PropertyValue(Computed())}
    checked = run(provider().check(CheckRequest(URN, {}, news, b"")))
    assert checked.failures == []
    assert checked.inputs == {**news, "accessKeyId": PropertyValue("id")}


# -- apply: create, update, read, delete against the emulator ---------------------------------


@pytest.fixture
def warnings() -> Warnings:
    return []


@pytest.fixture
def native(emulator: EmulatorServer, warnings: Warnings) -> Iterator[GenAuthProvider]:
    """A provider for pool-a, as one deployment's plugin process; closed after the test."""
    made = applying(emulator, warnings)
    yield made
    made.close()


SENDGRID = {"sender": "a@example.com", "apikey": "k"}
SMTP_WIRE = {"smtp_host": "smtp.example.com", "smtp_port": 465, "sender": "a@example.com",
             "senderPass": "pw-1", "secure": True}  # fmt: skip


def outputs_of(config: str, fields: dict[str, Any], kind: str = "custom") -> dict[str, Any]:
    """The outputs of pool-a's resource: the setting, its secret marked, and appliedSetting
    (secret as a whole)."""
    secret = {"smtpConfig": "senderPass", "sendGridConfig": "apikey"}[config]
    shown = {k: ("secret", v) if k == secret else v for k, v in fields.items()}
    return {
        "userpoolId": "pool-a",
        "type": kind,
        "enabled": True,
        **{names.camel(name): None for name in CONFIG_FIELDS},
        config: shown,
        "appliedSetting": (
            "secret",
            {"type": kind, config: {k: v for k, v in fields.items() if k != secret}},
        ),
        "accessKeyId": "pool-a-access-key-id",
    }


def test_create_applies_the_setting_and_returns_its_outputs(
    native: GenAuthProvider, emulator: EmulatorServer, warnings: Warnings
) -> None:
    """Create sends the setting with the provider's keys; the id is the pool, secrets marked."""
    created = create(native, {"type": "custom", "smtpConfig": SMTP})

    assert created.resource_id == "pool-a"
    assert plain_values(created.properties) == outputs_of("smtpConfig", SMTP)
    assert emulator.stored("pool-a") == {"type": "custom", "enabled": True, "smtpConfig": SMTP_WIRE}
    assert warnings == []


def test_create_over_a_live_setting_warns_under_the_resource(
    emulator: EmulatorServer, warnings: Warnings
) -> None:
    """A setting already on the pool is replaced, with a warning carrying the resource's URN."""
    earlier = applying(emulator, [])
    create(earlier, {"type": "custom", "smtpConfig": SMTP})
    earlier.close()
    native = applying(emulator, warnings)

    create(native, {"type": "sendgrid", "sendGridConfig": SENDGRID})
    native.close()

    assert warnings == [
        (URN, "user pool pool-a already sends mail through a third-party provider (type "
              "'custom'); it is replaced by the declared 'sendgrid' setting"),
    ]  # fmt: skip


def test_a_warning_goes_to_stderr_by_default(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a log function (outside the server), a warning is a line on stderr."""
    earlier = applying(emulator, [])
    create(earlier, {"type": "custom", "smtpConfig": SMTP})
    earlier.close()
    pool = emulator.pools[0]
    made = GenAuthProvider(environ={})
    args = {"host": emulator.url, "accessKeyId": pool.access_key_id,
            "accessKeySecret": pool.access_key_secret}  # fmt: skip
    run(made.configure(ConfigureRequest({}, values(args), True, True)))
    capsys.readouterr()

    create(made, {"type": "sendgrid", "sendGridConfig": SENDGRID})
    made.close()

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"warning: {URN}: user pool pool-a already sends mail through a third-party provider "
        "(type 'custom'); it is replaced by the declared 'sendgrid' setting\n"
    )


def test_two_resources_of_one_deployment_cannot_share_a_pool(native: GenAuthProvider) -> None:
    """The second create for the same pool, in one plugin process, fails before any change."""
    create(native, {"type": "custom", "smtpConfig": SMTP})
    with pytest.raises(PoolClaimedError):
        create(native, {"type": "sendgrid", "sendGridConfig": SENDGRID})
    with pytest.raises(PoolClaimedError):
        run(native.update(UpdateRequest(URN, "pool-a", {}, values({"type": "custom",
                                                                      "smtpConfig": SMTP}),
                                        60, [], False)))  # fmt: skip


def test_update_applies_the_new_setting_and_returns_its_outputs(
    emulator: EmulatorServer, warnings: Warnings
) -> None:
    """Update (the next deployment) sends the declared setting; outputs as create's."""
    first = applying(emulator, warnings)
    old = create(first, {"type": "custom", "smtpConfig": SMTP}).properties
    first.close()
    native = applying(emulator, warnings)
    news = values({"type": "sendgrid", "sendGridConfig": SENDGRID})

    updated = run(native.update(UpdateRequest(URN, "pool-a", old, news, 60, [], False)))
    native.close()

    assert plain_values(updated.properties) == outputs_of("sendGridConfig", SENDGRID, "sendgrid")
    assert emulator.stored("pool-a") == {
        "type": "sendgrid", "enabled": True, "sendGridConfig": SENDGRID
    }  # fmt: skip


MISMATCH = (
    "this resource manages user pool 'pool-b', but the GenAuth credentials in use belong to "
    "user pool 'pool-a', so nothing was touched: set the provider's accessKeyId and "
    "accessKeySecret (genauth:accessKeyId and genauth:accessKeySecret of the stack for the "
    "default provider) to the keys of 'pool-b', then "
    "run `pulumi up`, or `pulumi refresh --run-program` / `pulumi destroy --run-program` (a "
    "plain refresh or destroy reuses the credentials recorded by the last deployment)"
)


@pytest.mark.parametrize("method", ["update", "read", "delete"])
def test_keys_of_another_pool_touch_nothing(
    native: GenAuthProvider, emulator: EmulatorServer, method: str
) -> None:
    """A resource of pool-b with pool-a's keys: refused, naming both pools; no config call."""
    inputs = values({"type": "custom", "smtpConfig": SMTP})
    call = {
        "update": lambda: native.update(UpdateRequest(URN, "pool-b", {}, inputs, 60, [], False)),
        "read": lambda: native.read(ReadRequest(URN, "pool-b", inputs, inputs)),
        "delete": lambda: native.delete(DeleteRequest(URN, "pool-b", inputs, 60)),
    }[method]
    with pytest.raises(PoolMismatchError) as caught:
        run(call())
    assert str(caught.value) == MISMATCH
    assert emulator.stored("pool-b") is None


def test_read_returns_the_live_setting_as_outputs_and_inputs(native: GenAuthProvider) -> None:
    """Refresh: the live setting, the secret kept from the state; no pool, no None key."""
    state = create(native, {"type": "custom", "smtpConfig": SMTP}).properties

    read = run(native.read(ReadRequest(URN, "pool-a", state, {})))

    assert read.resource_id == "pool-a"
    assert plain_values(read.properties) == outputs_of("smtpConfig", SMTP)
    assert plain_values(read.inputs) == {
        "type": "custom", "enabled": True, "smtpConfig": {**SMTP, "senderPass": ("secret", "pw-1")}
    }  # fmt: skip


def test_an_import_owns_the_live_setting_without_its_secret(
    emulator: EmulatorServer, warnings: Warnings
) -> None:
    """Read with no state (pulumi import): appliedSetting is the live one; the secret unread."""
    first = applying(emulator, warnings)
    create(first, {"type": "custom", "smtpConfig": SMTP})
    first.close()
    native = applying(emulator, warnings)

    read = run(native.read(ReadRequest(URN, "pool-a", {}, {})))
    native.close()

    unread = {**SMTP, "senderPass": ("secret", None)}
    assert plain_values(read.properties) == {
        **outputs_of("smtpConfig", SMTP), "smtpConfig": unread, "accessKeyId": None
    }  # fmt: skip
    assert plain_values(read.inputs) == {"type": "custom", "enabled": True, "smtpConfig": unread}


def test_the_import_check_of_read_inputs_accepts_the_secret_it_could_not_read() -> None:
    """`pulumi import` checks Read's inputs as old and new: a secret null there is no failure
    (the engine would call it a bug in the provider); declared by a program, it is one."""
    unread = values({"type": "custom", "smtpConfig": SMTP})
    smtp = dict(cast(Mapping[str, PropertyValue], unread["smtpConfig"].value))
    smtp["senderPass"] = PropertyValue(None, True)
    unread["smtpConfig"] = PropertyValue(smtp)
    imported = run(provider().check(CheckRequest(URN, unread, unread, b"")))
    assert imported.failures == []
    declared = run(provider().check(CheckRequest(URN, {}, unread, b"")))
    assert [(f.property, f.reason) for f in declared.failures] == [
        ("", "smtpConfig.senderPass is required")
    ]
    changed = dict(unread, enabled=PropertyValue(False))
    updated = run(provider().check(CheckRequest(URN, unread, changed, b"")))
    assert [(f.property, f.reason) for f in updated.failures] == [
        ("", "smtpConfig.senderPass is required")
    ]


def test_delete_hands_the_pool_back_disabled(emulator: EmulatorServer, warnings: Warnings) -> None:
    """Delete (its own deployment) sends the resource's setting back with enabled false."""
    first = applying(emulator, warnings)
    state = create(first, {"type": "custom", "smtpConfig": SMTP}).properties
    first.close()
    native = applying(emulator, warnings)

    run(native.delete(DeleteRequest(URN, "pool-a", state, 60)))
    native.close()

    assert emulator.stored("pool-a") == {
        "type": "custom", "enabled": False, "smtpConfig": SMTP_WIRE
    }  # fmt: skip
    assert warnings == []


def test_delete_leaves_a_setting_someone_else_put_in_place_with_a_warning(
    emulator: EmulatorServer, warnings: Warnings
) -> None:
    """The pool now holds another setting: delete leaves it, warning under the resource."""
    first = applying(emulator, warnings)
    state = create(first, {"type": "custom", "smtpConfig": SMTP}).properties
    first.close()
    other = applying(emulator, [])
    create(other, {"type": "sendgrid", "sendGridConfig": SENDGRID})
    other.close()
    native = applying(emulator, warnings)

    run(native.delete(DeleteRequest(URN, "pool-a", state, 60)))
    native.close()

    assert emulator.stored("pool-a") == {
        "type": "sendgrid", "enabled": True, "sendGridConfig": SENDGRID
    }  # fmt: skip
    assert [urn for urn, _ in warnings] == [URN]


@pytest.mark.parametrize(
    ("config_secret", "differences"),
    [
        (False, "smtpConfig.smtpHost is 'smtp.other.example' live, 'smtp.example.com' applied"),
        (True, "smtpConfig.smtpHost differs"),
    ],
    ids=["a plain config", "a config the program made secret"],
)
def test_delete_leaving_a_pool_names_the_field_that_differs_as_the_program_wrote_it(
    emulator: EmulatorServer, warnings: Warnings, config_secret: bool, differences: str
) -> None:
    """Another SMTP host on the pool: the warning names smtpConfig.smtpHost, with both values
    unless the program made the config secret (then neither value is said)."""
    first = applying(emulator, [])
    state = create(first, {"type": "custom", "smtpConfig": SMTP}).properties
    first.close()
    if config_secret:
        state = {**state, "smtpConfig": state["smtpConfig"].with_secret(True)}
    other = applying(emulator, [])
    create(other, {"type": "custom", "smtpConfig": {**SMTP, "smtpHost": "smtp.other.example"}})
    other.close()
    native = applying(emulator, warnings)

    run(native.delete(DeleteRequest(URN, "pool-a", state, 60)))
    native.close()

    assert warnings == [
        (
            URN,
            "user pool 'pool-a' is left as it is: its live email provider is not the setting "
            f"this resource applied ({differences}); another stack or a person has changed it "
            "since",
        )
    ]


def test_a_private_deployment_s_brand_is_sent(emulator: EmulatorServer, warnings: Warnings) -> None:
    """genauth:brand authing: the plugin's client sends x-authing- headers."""
    native = applying(emulator, warnings, brand="authing")
    create(native, {"type": "custom", "smtpConfig": SMTP})
    native.close()
    assert {entry["header_brand"] for entry in emulator.requests()} == {"authing"}


def test_an_unreachable_host_is_remembered_for_the_process(
    monkeypatch: pytest.MonkeyPatch, emulator: EmulatorServer, warnings: Warnings
) -> None:
    """A host another client of the process could not reach fails at once, with its error."""
    hosts = UnreachableHosts()
    monkeypatch.setattr(_client, "UNREACHABLE_HOSTS", hosts)
    refused = TransportError(
        "connection refused", method="POST", path="/api/v3/get-management-token", attempts=5
    )
    hosts.remember(emulator.url, refused)
    native = applying(emulator, warnings)
    with pytest.raises(TransportError) as caught:
        create(native, {"type": "custom", "smtpConfig": SMTP})
    native.close()
    assert str(caught.value) == (
        "POST /api/v3/get-management-token: connection refused (after 5 attempt(s))"
    )
    assert emulator.requests() == []


Notes = list[tuple[str, str]]
TOKEN_PATH = "/api/v3/get-management-token"
# The call each step makes to the email provider after the token (the one a fault retries).
STEP_PATH = {
    "create": "/api/v3/get-email-provider",
    "update": "/api/v3/config-email-provider",
    "read": "/api/v3/get-email-provider",
    "delete": "/api/v3/get-email-provider",
}


def noting(
    emulator: EmulatorServer, notes: Notes, client_factory: ClientFactory = default_client
) -> GenAuthProvider:
    """A provider for pool-a whose retry notes are recorded as (urn, line)."""
    pool = emulator.pools[0]
    made = GenAuthProvider(
        environ={},
        note=lambda urn, message: notes.append((urn, message)),
        client_factory=client_factory,
    )
    args = {"host": emulator.url, "accessKeyId": pool.access_key_id,
            "accessKeySecret": pool.access_key_secret}  # fmt: skip
    run(made.configure(ConfigureRequest({}, values(args), True, True)))
    return made


def fail_once(emulator: EmulatorServer, path: str) -> None:
    """The next request to ``path`` answers 503, to be retried at once."""
    emulator.add_fault(path=path, status=503, retry_after="0")


@pytest.mark.parametrize("step", ["create", "update", "read", "delete"])
def test_a_step_s_retries_are_told_under_its_resource(
    emulator: EmulatorServer, warnings: Warnings, step: str
) -> None:
    """A retried call to GenAuth is a note under the step's resource, whichever call it is:
    the management token's (the first, with the check of the pool) or the email provider's."""
    first = applying(emulator, warnings)
    state = create(first, {"type": "custom", "smtpConfig": SMTP}).properties
    first.close()
    notes: Notes = []
    made = noting(emulator, notes)
    fail_once(emulator, TOKEN_PATH)
    fail_once(emulator, STEP_PATH[step])
    inputs = values({"type": "custom", "smtpConfig": SMTP})
    news = values({"type": "sendgrid", "sendGridConfig": SENDGRID})
    steps = {
        "create": lambda: made.create(CreateRequest(URN, inputs, 60, False)),
        "update": lambda: made.update(UpdateRequest(URN, "pool-a", state, news, 60, [], False)),
        "read": lambda: made.read(ReadRequest(URN, "pool-a", state, state)),
        "delete": lambda: made.delete(DeleteRequest(URN, "pool-a", state, 60)),
    }
    run(steps[step]())
    made.close()

    assert [urn for urn, _ in notes] == [URN, URN]
    assert [TOKEN_PATH in line for _, line in notes] == [True, False]
    assert STEP_PATH[step] in notes[1][1]
    assert warnings == []


def test_a_client_factory_s_retries_are_told_under_the_resource(emulator: EmulatorServer) -> None:
    """Making the client is part of the step: a factory that reaches GenAuth (this one checks
    the keys at once, by fetching the token) has its retries told under the resource too."""

    def checking(credentials: Credentials) -> GenAuthClient:
        client = default_client(credentials)
        assert client.userpool_id == "pool-a"
        return client

    notes: Notes = []
    made = noting(emulator, notes, checking)
    fail_once(emulator, TOKEN_PATH)
    create(made, {"type": "custom", "smtpConfig": SMTP})
    made.close()
    assert [(urn, TOKEN_PATH in line) for urn, line in notes] == [(URN, True)]


def test_calls_to_genauth_run_on_threads_named_for_them() -> None:
    """A thread dump of the plugin (a call that hangs) names the API threads genauth-api_N."""
    made = GenAuthProvider(environ={})
    name = run(made._call(URN, lambda: threading.current_thread().name))
    made.close()
    assert name.startswith("genauth-api_")


def test_a_call_on_an_api_thread_takes_keyword_arguments() -> None:
    """_call passes the function its keyword arguments as well as its positional ones."""
    made = GenAuthProvider(environ={})
    assert run(made._call(URN, dict, [("a", 1)], b=2)) == {"a": 1, "b": 2}
    made.close()


def test_the_engine_s_parallelism_bounds_the_calls_to_genauth() -> None:
    """API_THREADS (64) calls run at once: a small default pool does not queue them."""
    made = GenAuthProvider(environ={})
    together = threading.Barrier(API_THREADS, timeout=10)

    async def all_at_once() -> list[int]:
        calls = [made._call(URN, together.wait) for _ in range(API_THREADS)]
        return await asyncio.gather(*calls)

    assert sorted(run(all_at_once())) == list(range(API_THREADS))
    made.close()


class ClosingClient:
    """Stands in for the client: records that it was closed."""

    userpool_id = "pool-a"

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_close_closes_the_client_and_does_not_wait_for_a_call_in_progress() -> None:
    """close() (the plugin exiting) closes the client and returns while a call still runs;
    the thread pool takes no new call."""
    client = ClosingClient()
    made = GenAuthProvider(environ={}, client_factory=lambda _credentials: cast(Any, client))
    args = values({"accessKeyId": "i", "accessKeySecret": "s"})
    run(made.configure(ConfigureRequest({}, args, True, True)))
    made._pool_client()
    release = threading.Event()
    loop = asyncio.new_event_loop()
    call = loop.create_task(made._call(URN, release.wait, 5))
    loop.run_until_complete(asyncio.sleep(0.05))  # the call is running on the provider's thread

    made.close()

    assert client.closed
    assert not call.done()
    release.set()
    assert loop.run_until_complete(call) is True
    with pytest.raises(RuntimeError, match="after shutdown"):
        loop.run_until_complete(made._call(URN, int))
    loop.close()


def test_close_without_a_client_closes_nothing() -> None:
    """A provider that never reached GenAuth (a preview) closes without error."""
    GenAuthProvider(environ={}).close()
