"""The engine-side provider's methods against the emulator, for all four provider types.

These call ``EmailProviderProvider`` directly, the way the dynamic-provider server does after
unpickling it and calling ``configure()``; the engine itself is exercised in tests/engine/.
"""

from __future__ import annotations

import copy
import importlib.machinery
import json
import logging
import pickle
import re
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown
from pulumi.runtime import proto, rpc

from pulumi_genauth import (
    GenAuthClient,
    PoolClaimedError,
    PoolMismatchError,
    TransportError,
    _client,
    _dynamic_server,
    _provider,
)
from pulumi_genauth._claims import PoolClaims
from pulumi_genauth._client import UnreachableHosts, normalize_host
from pulumi_genauth._constants import TOKEN_PATH
from pulumi_genauth._credentials import Credentials
from pulumi_genauth._exceptions import DYNAMIC_RESOURCE_KEYS
from pulumi_genauth._pool_clients import default_client
from pulumi_genauth._provider import EmailProviderProvider
from pulumi_genauth.emulator.server import EmulatorServer

from .dynamic_support import OPEN_PROVIDERS, configured_provider, next_deployment, props_for
from .support import CANARIES, CASES, SENDGRID_KEY, SMTP_PASSWORD, config_calls, where

TYPES = sorted(CASES)


@pytest.fixture(autouse=True)
def _close_providers() -> Iterator[None]:
    yield
    while OPEN_PROVIDERS:
        OPEN_PROVIDERS.pop().close()


@pytest.fixture
def provider(emulator: EmulatorServer) -> EmailProviderProvider:
    return configured_provider(emulator)


CONFIG_BY_TYPE = {
    "custom": "smtp_config",
    "sendgrid": "send_grid_config",
    "ali": "ali_exmail_config",
    "qq": "tencent_exmail_config",
}


@pytest.mark.parametrize("kind", TYPES)
def test_create_applies_exactly_the_declared_config(
    provider: EmailProviderProvider, emulator: EmulatorServer, kind: str
) -> None:
    """Create sends the declared setting, spelled as the API spells it, and returns its outputs."""
    wire = CASES[kind][1]
    result = provider.create(props_for(kind))
    assert result.id == "pool-a"
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored == wire  # exactly: no key more, none less
    assert result.outs is not None
    assert result.outs["userpool_id"] == "pool-a"
    assert result.outs["type"] == kind
    assert provider.diff("pool-a", result.outs, props_for(kind)).changes is False


@pytest.mark.parametrize("kind", TYPES)
def test_preview_path_makes_no_api_call(
    provider: EmailProviderProvider, emulator: EmulatorServer, kind: str
) -> None:
    """check and diff run on preview and never reach the API."""
    olds = provider.create(props_for(kind)).outs
    assert olds is not None
    emulator.reset()
    news = props_for(kind)
    assert provider.check({}, news).failures == []
    provider.diff("pool-a", olds, news)
    assert emulator.requests() == []


def test_rotated_secret_is_an_update(provider: EmailProviderProvider) -> None:
    """A new password is a change (secrets are compared), and not a replacement."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    news = props_for("custom")
    news["smtp_config"]["sender_pass"] = "rotated-password"
    diff = provider.diff("pool-a", olds, news)
    assert diff.changes is True
    assert diff.replaces == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("smtp_port", 587.0), ("sender", "other@example.com"), ("smtp_host", "mx.example.org")],
)
def test_changed_field_is_an_in_place_update(
    provider: EmailProviderProvider, emulator: EmulatorServer, field: str, value: Any
) -> None:
    """Each changed field diffs as an update; update applies it and returns full outputs."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    news = props_for("custom")
    news["smtp_config"][field] = value
    diff = provider.diff("pool-a", olds, news)
    assert (diff.changes, diff.replaces) == (True, [])
    outs = next_deployment(provider).update("pool-a", olds, news).outs
    assert outs is not None
    assert set(outs) == set(olds)
    assert outs["smtp_config"][field] == value
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored["smtpConfig"][field] == value
    assert provider.diff("pool-a", outs, news).changes is False


def test_switching_type_is_an_update(provider: EmailProviderProvider) -> None:
    """custom -> sendgrid changes the setting in place: the pool keeps one provider."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    diff = provider.diff("pool-a", olds, props_for("sendgrid"))
    assert (diff.changes, diff.replaces) == (True, [])


def test_changing_pool_is_a_replacement(provider: EmailProviderProvider) -> None:
    """Another `pool` is another user pool: the resource is replaced."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    diff = provider.diff("pool-a", olds, props_for("custom", pool="b"))
    assert diff.replaces == ["pool"]


def test_named_pool_uses_its_own_credentials(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """pool="b" configures pool-b through the genauth:pools entry, leaving pool-a alone."""
    result = provider.create(props_for("sendgrid", pool="b"))
    assert result.id == "pool-b"
    assert emulator.stored("pool-a") is None
    stored = emulator.stored("pool-b")
    assert stored is not None
    assert stored["type"] == "sendgrid"


def test_unknowns_pass_check_and_diff_as_a_change(provider: EmailProviderProvider) -> None:
    """Values not known during preview are accepted, and count as a possible change."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    news = props_for("custom")
    news["smtp_config"]["smtp_host"] = rpc.UNKNOWN
    news["smtp_config"]["sender_pass"] = rpc.UNKNOWN
    assert provider.check({}, news).failures == []
    assert provider.diff("pool-a", olds, news).changes is True
    assert provider.check({}, props_for("custom", smtp_config=rpc.UNKNOWN)).failures == []


Mutation = Callable[[dict[str, Any]], None]
BAD_INPUTS: list[tuple[str, Mutation, str, str]] = [
    (
        "port 0",
        lambda p: p["smtp_config"].update(smtp_port=0.0),
        "smtp_config.smtp_port",
        "1 to 65535",
    ),
    (
        "port 65536",
        lambda p: p["smtp_config"].update(smtp_port=65536.0),
        "smtp_config.smtp_port",
        "1 to 65535",
    ),
    (
        "fractional port",
        lambda p: p["smtp_config"].update(smtp_port=46.5),
        "smtp_config.smtp_port",
        "whole number",
    ),
    (
        "port as text",
        lambda p: p["smtp_config"].update(smtp_port="x"),
        "smtp_config.smtp_port",
        "whole number",
    ),
    (
        "port as a bool",
        lambda p: p["smtp_config"].update(smtp_port=True),
        "smtp_config.smtp_port",
        "whole number from 1 to 65535 (got True)",
    ),
    (
        "secure as text",
        lambda p: p["smtp_config"].update(secure="yes"),
        "smtp_config.secure",
        "must be true or false",
    ),
    (
        "blank password",
        lambda p: p["smtp_config"].update(sender_pass="   "),
        "smtp_config.sender_pass",
        "only white space",
    ),
    (
        "blank host",
        lambda p: p["smtp_config"].update(smtp_host=" "),
        "smtp_config.smtp_host",
        "only white space",
    ),
    (
        "blank login name",
        lambda p: p["smtp_config"].update(sender="  "),
        "smtp_config.sender",
        "only white space",
    ),
    (
        "IPv4 with port",
        lambda p: p["smtp_config"].update(smtp_host="10.0.0.5:587"),
        "smtp_config.smtp_host",
        "no port (got '10.0.0.5:587'); the port goes in smtp_port",
    ),
    (
        "name with port that looks like IPv6",
        lambda p: p["smtp_config"].update(smtp_host="feed.cafe:25"),
        "smtp_config.smtp_host",
        "no port (got 'feed.cafe:25')",
    ),
    (
        "host ending in a newline",
        lambda p: p["smtp_config"].update(smtp_host="smtp.example.com\n"),
        "smtp_config.smtp_host",
        "no white space",
    ),
    (
        "label of 300 characters",
        lambda p: p["smtp_config"].update(smtp_host="a" * 300 + ".example.com"),
        "smtp_config.smtp_host",
        "labels have at most 63 characters (one has 300)",
    ),
    (
        "name over 253 characters",
        lambda p: p["smtp_config"].update(smtp_host=".".join(["a" * 50] * 6) + ".com"),
        "smtp_config.smtp_host",
        "at most 253 characters (got 309)",
    ),
    (
        "empty label",
        lambda p: p["smtp_config"].update(smtp_host="smtp..example.com"),
        "smtp_config.smtp_host",
        "no empty label",
    ),
    (
        "a dot alone",
        lambda p: p["smtp_config"].update(smtp_host="."),
        "smtp_config.smtp_host",
        "no empty label",
    ),
    (
        "IPv4 out of range",
        lambda p: p["smtp_config"].update(smtp_host="10.0.0.256"),
        "smtp_config.smtp_host",
        "valid IPv4 address",
    ),
    (
        "bad IPv6 literal",
        lambda p: p["smtp_config"].update(smtp_host="[2001:db8::zz]"),
        "smtp_config.smtp_host",
        "valid IPv6 address in brackets",
    ),
    (
        "hyphen at the end of a label",
        lambda p: p["smtp_config"].update(smtp_host="smtp-.example.com"),
        "smtp_config.smtp_host",
        "no hyphen at either end",
    ),
    ("type as a list", lambda p: p.update(type=["custom"]), "type", "must be one of"),
    ("type as an object", lambda p: p.update(type={"kind": "custom"}), "type", "must be one of"),
    (
        "missing password",
        lambda p: p["smtp_config"].pop("sender_pass"),
        "smtp_config.sender_pass",
        "required",
    ),
    (
        "empty password",
        lambda p: p["smtp_config"].update(sender_pass=""),
        "smtp_config.sender_pass",
        "empty",
    ),
    (
        "missing host",
        lambda p: p["smtp_config"].pop("smtp_host"),
        "smtp_config.smtp_host",
        "required",
    ),
    (
        "host with scheme",
        lambda p: p["smtp_config"].update(smtp_host="smtp://mx.example.com"),
        "smtp_config.smtp_host",
        "no scheme",
    ),
    (
        "host with port",
        lambda p: p["smtp_config"].update(smtp_host="mx.example.com:465"),
        "smtp_config.smtp_host",
        "smtp_port",
    ),
    (
        "unknown field",
        lambda p: p["smtp_config"].update(smtpHost="x"),
        "smtp_config.smtpHost",
        "not a property",
    ),
    ("unknown type", lambda p: p.update(type="smtp"), "type", "one of"),
    ("missing type", lambda p: p.pop("type"), "type", "required"),
    ("enabled not a bool", lambda p: p.update(enabled="yes"), "enabled", "true or false"),
    (
        "config of another type",
        lambda p: p.update(type="sendgrid"),
        "smtp_config",
        "send_grid_config",
    ),
    (
        "missing config",
        lambda p: p.pop("smtp_config"),
        "smtp_config",
        "required when type is 'custom'",
    ),
]


def other_type(kind: str, **config: Any) -> Mutation:
    """Replace the custom bag with a valid bag of ``kind``, some config fields changed."""

    def mutate(props: dict[str, Any]) -> None:
        replacement = props_for(kind)
        replacement[CONFIG_BY_TYPE[kind]].update(config)
        props.clear()
        props.update(replacement)

    return mutate


BAD_INPUTS += [
    (
        "blank apikey",
        other_type("sendgrid", apikey="  "),
        "send_grid_config.apikey",
        "only white space",
    ),
    (
        "blank SendGrid sender",
        other_type("sendgrid", sender="    "),
        "send_grid_config.sender",
        "only white space",
    ),
    (
        "SendGrid sender not an address",
        other_type("sendgrid", sender="no-reply"),
        "send_grid_config.sender",
        "must be an email address such as mail@example.com (got 'no-reply')",
    ),
    ("blank Ali sender", other_type("ali", sender=" "), "ali_exmail_config.sender", "white space"),
    (
        "Ali sender not an address",
        other_type("ali", sender="mail@example"),
        "ali_exmail_config.sender",
        "must be an email address",
    ),
    (
        "tab as the Tencent password",
        other_type("qq", sender_pass="\t"),
        "tencent_exmail_config.sender_pass",
        "only white space",
    ),
    (
        "Tencent sender not an address",
        other_type("qq", sender="mail at example.cn"),
        "tencent_exmail_config.sender",
        "must be an email address",
    ),
]


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_a_check_failure_naming_the_field(
    provider: EmailProviderProvider,
    emulator: EmulatorServer,
    case: tuple[str, Mutation, str, str],
) -> None:
    """Each bad input is reported at check, on its property path, with the rule; no API call."""
    _, mutate, path, words = case
    props = props_for("custom")
    mutate(props)
    failures = provider.check({}, props).failures
    assert [where(f) for f in failures if where(f) == path] == [path], failures
    reason = next(f.reason for f in failures if where(f) == path)
    assert words in reason
    for failure in failures:
        for canary in CANARIES:
            assert canary not in failure.reason
    assert all(canary not in f.reason for f in failures for canary in CANARIES)
    assert emulator.requests() == []


def test_every_problem_is_its_own_failure(provider: EmailProviderProvider) -> None:
    """Several problems at once are reported together, one failure each."""
    props = props_for("custom")
    props["smtp_config"].update(smtp_port=0.0, sender_pass="", smtp_host="http://x")
    properties = sorted(where(f) for f in provider.check({}, props).failures)
    assert properties == [
        "smtp_config.sender_pass",
        "smtp_config.smtp_host",
        "smtp_config.smtp_port",
    ]


def test_missing_credentials_fail_check_naming_the_keys(emulator: EmulatorServer) -> None:
    """With no access key configured, preview fails and says which config keys to set."""
    provider = EmailProviderProvider()
    OPEN_PROVIDERS.append(provider)
    provider._environ = {}
    provider.configure(ConfigureRequest(Config({"genauth:host": emulator.url}, "p")))
    failures = provider.check({}, props_for("custom")).failures
    assert [(f.property, f.reason) for f in failures] == [("", MISSING_CREDENTIALS)]


MISSING_CREDENTIALS = (
    "GenAuth credentials are missing: set genauth:accessKeyId (or $GENAUTH_ACCESS_KEY_ID) and "
    "genauth:accessKeySecret (or $GENAUTH_ACCESS_KEY_SECRET), e.g. `pulumi config set "
    "genauth:accessKeyId <id>` and `pulumi config set --secret genauth:accessKeySecret <secret>`"
)


def test_unknown_pool_name_fails_check(provider: EmailProviderProvider) -> None:
    """A pool name that genauth:pools lacks is a failure on `pool` listing the known names."""
    failures = provider.check({}, props_for("custom", pool="staging")).failures
    assert [where(f) for f in failures] == ["pool"]
    assert "'b'" in failures[0].reason


def test_environment_credentials_are_the_fallback(emulator: EmulatorServer) -> None:
    """GENAUTH_* environment variables are used when the stack config has no credentials."""
    pool = emulator.pools[0]
    provider = EmailProviderProvider()
    OPEN_PROVIDERS.append(provider)
    provider._environ = {
        "GENAUTH_HOST": emulator.url,
        "GENAUTH_ACCESS_KEY_ID": pool.access_key_id,
        "GENAUTH_ACCESS_KEY_SECRET": pool.access_key_secret,
    }
    provider.configure(ConfigureRequest(Config({}, "p")))
    assert next_deployment(provider).create(props_for("ali")).id == "pool-a"


def test_create_warns_when_it_overwrites_a_live_provider(
    provider: EmailProviderProvider, capsys: pytest.CaptureFixture[str]
) -> None:
    """Adopting a pool that already sends through another provider says so, without secrets."""
    provider.create(props_for("sendgrid"))
    capsys.readouterr()
    next_deployment(provider).create(props_for("custom"))
    err = capsys.readouterr().err
    assert "already sends mail" in err
    assert "'sendgrid'" in err
    assert SENDGRID_KEY not in err
    assert SMTP_PASSWORD not in err


def test_refresh_finds_drift_and_returns_the_live_inputs(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """read reports an out-of-band change; its inputs make the next diff restore the setting."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    other = configured_provider(emulator)
    drifted = props_for("custom")
    drifted["smtp_config"]["smtp_port"] = 2525.0
    other.update("pool-a", olds, drifted)

    result = provider.read("pool-a", olds)
    assert result.outs is not None
    assert result.inputs is not None
    assert result.outs["smtp_config"]["smtp_port"] == 2525
    assert result.inputs["smtp_config"]["smtp_port"] == 2525
    assert provider.diff("pool-a", result.outs, props_for("custom")).changes is True


def test_refresh_keeps_the_known_secret_when_the_service_masks_it(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """A masked secret in the read answer is not drift: the known secret is kept."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    emulator.mask_secrets(True)
    result = provider.read("pool-a", olds)
    assert result.outs is not None
    assert result.outs["smtp_config"]["sender_pass"] == SMTP_PASSWORD
    assert provider.diff("pool-a", result.outs, props_for("custom")).changes is False


def test_refresh_sees_a_disabled_provider(provider: EmailProviderProvider) -> None:
    """A provider disabled out of band reads as enabled=false, which the next up re-enables."""
    olds = provider.create(props_for("qq")).outs
    assert olds is not None
    next_deployment(provider).delete("pool-a", olds)
    result = provider.read("pool-a", olds)
    assert result.outs is not None
    assert result.outs["enabled"] is False
    assert provider.diff("pool-a", result.outs, props_for("qq")).changes is True


@pytest.mark.parametrize("kind", TYPES)
def test_delete_disables_the_third_party_provider(
    provider: EmailProviderProvider, emulator: EmulatorServer, kind: str
) -> None:
    """destroy hands the pool back to GenAuth's built-in mail: enabled becomes false."""
    olds = provider.create(props_for(kind)).outs
    assert olds is not None
    next_deployment(provider).delete("pool-a", olds)
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored["enabled"] is False


@pytest.mark.parametrize("method", ["update", "read", "delete"])
def test_credentials_of_another_pool_are_refused(
    provider: EmailProviderProvider, emulator: EmulatorServer, method: str
) -> None:
    """A resource of pool-b handled with pool-a's keys fails naming both, touching nothing."""
    olds = {**props_for("custom"), "userpool_id": "pool-b"}
    calls = {
        "update": lambda: provider.update("pool-b", olds, props_for("custom")),
        "read": lambda: provider.read("pool-b", olds),
        "delete": lambda: provider.delete("pool-b", olds),
    }
    with pytest.raises(PoolMismatchError, match=r"'pool-b'.*'pool-a'"):
        calls[method]()
    assert config_calls(emulator) == []


def test_api_failure_is_one_line_with_request_id_and_no_secret(
    provider: EmailProviderProvider, emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A failure the retries cannot fix surfaces its requestId and never a secret."""
    caplog.set_level(logging.DEBUG)
    emulator.add_fault(path="/api/v3/config-email-provider", status=503, times=50)
    with pytest.raises(Exception, match="requestId") as info:
        provider.create(props_for("custom"))
    text = str(info.value)
    assert "\n" not in text
    assert "HTTP 503" in text
    assert info.value.__traceback__ is not None
    assert info.value.__cause__ is None
    for canary in CANARIES:
        assert canary not in text
        assert canary not in caplog.text


def test_transient_faults_are_retried_not_half_applied(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """A 429 and a 502 before success still end with the declared setting applied."""
    emulator.add_fault(path="/api/v3/config-email-provider", status=429, retry_after="0")
    emulator.add_fault(path="/api/v3/config-email-provider", status=502)
    provider.create(props_for("sendgrid"))
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored["sendGridConfig"]["apikey"] == SENDGRID_KEY


def test_failures_read_well_in_the_cli(provider: EmailProviderProvider) -> None:
    """Every refusal leads with its path and quotes the value itself (never a secret), so the
    engine prints them alike; a wrong type hints at the name it was close to."""
    failures = provider.check({}, props_for("custom", type="Custom")).failures
    assert [(f.property, f.reason) for f in failures] == [
        (
            "",
            "type must be one of 'custom', 'ali', 'qq', 'sendgrid' (got 'Custom'): type names "
            "are lower case, did you mean 'custom'?",
        )
    ]
    nested = provider.check({}, props_for("custom", smtp_config={"smtp_port": 0.0})).failures
    assert {f.property for f in nested} == {""}
    assert sorted(f.reason.split(" ", 1)[0] for f in nested) == [
        "smtp_config.sender_pass",
        "smtp_config.smtp_host",
        "smtp_config.smtp_port",
    ]


def test_a_private_deployment_can_name_its_header_brand(emulator: EmulatorServer) -> None:
    """genauth:brand=authing sends x-authing- headers to a host that is not Authing's own."""
    provider = configured_provider(emulator)
    provider.configure(
        ConfigureRequest(Config({**provider._config, "genauth:brand": "authing"}, "test-project"))
    )
    provider.client_factory = default_client
    OPEN_PROVIDERS.append(provider)
    provider.create(props_for("sendgrid"))
    assert {entry["header_brand"] for entry in emulator.requests()} == {"authing"}


def test_an_unknown_brand_fails_check(emulator: EmulatorServer) -> None:
    """A brand other than genauth or authing is refused at preview, naming the key."""
    provider = configured_provider(emulator, **{"genauth:brand": "okta"})
    failures = provider.check({}, props_for("custom")).failures
    assert len(failures) == 1
    assert "genauth:brand" in failures[0].reason


# -- secrets read back, and who owns the pool ---------------------------------------------------

# A secret per type that someone else puts on the pool, out of band.
OUT_OF_BAND = {
    "custom": "oob-smtp-pass-5d1e",
    "sendgrid": "SG.oob-sendgrid-key-2a7b",
    "ali": "oob-ali-pass-9c3f",
    "qq": "oob-tencent-pass-6e0d",
}


def out_of_band(emulator: EmulatorServer, kind: str, **changes: Any) -> None:
    """Someone else configures pool-a (another process: a console, a script, another stack)."""
    props = props_for(kind, **changes)
    config = CONFIG_BY_TYPE[kind]
    secret_field = "apikey" if kind == "sendgrid" else "sender_pass"
    props[config][secret_field] = OUT_OF_BAND[kind]
    configured_provider(emulator).create(props)


@pytest.mark.parametrize("mask", [False, True], ids=["readable", "masked"])
@pytest.mark.parametrize("live_kind", TYPES)
def test_read_returns_no_secret_of_the_service(
    provider: EmailProviderProvider, emulator: EmulatorServer, live_kind: str, mask: bool
) -> None:
    """Whatever type and secret someone else set, read returns none of their secrets.

    Drift still shows: the declared setting differs from what read returns.
    """
    declared = props_for("custom")
    olds = provider.create(declared).outs
    assert olds is not None
    out_of_band(emulator, live_kind)
    emulator.mask_secrets(mask)

    result = next_deployment(provider).read("pool-a", olds)

    assert result.outs is not None
    assert result.inputs is not None
    text = json.dumps([result.outs, result.inputs])
    for secret in OUT_OF_BAND.values():
        assert secret not in text
    assert result.inputs["type"] == live_kind
    if live_kind != "custom" or not mask:
        assert provider.diff("pool-a", result.outs, declared).changes is True


def test_read_keeps_the_applied_setting_through_drift(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """A refresh that finds another type still knows which setting this resource applied."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    out_of_band(emulator, "sendgrid")
    outs = next_deployment(provider).read("pool-a", olds).outs
    assert outs is not None
    assert outs["type"] == "sendgrid"
    assert outs["applied_setting"] == olds["applied_setting"]
    assert outs["applied_setting"]["type"] == "custom"
    assert "sender_pass" not in json.dumps(outs["applied_setting"])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            {"kind": "sendgrid", "why": "(type is 'sendgrid' live, 'custom' applied)"},
            id="another-type",
        ),
        pytest.param(
            {"kind": "custom", "smtp_port": 2525.0, "why": "(smtp_config.smtp_port differs)"},
            id="another-port",
        ),
        pytest.param(
            {"kind": "custom", "why": "smtp_config.sender_pass"},
            id="another-password",
        ),
    ],
)
@pytest.mark.parametrize("refreshed", [False, True], ids=["as-applied", "after-refresh"])
def test_delete_leaves_a_setting_it_did_not_apply(
    provider: EmailProviderProvider,
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, Any],
    refreshed: bool,
) -> None:
    """Another type, another non-secret field or another secret: not ours, left, and said so,
    naming what differs (the dynamic resource quotes the type, never a config's value: it
    cannot tell which ones the program made secret)."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    change = dict(change)
    kind = change.pop("kind")
    why = change.pop("why")
    if "smtp_port" in change:
        changed = props_for("custom")
        changed["smtp_config"].update(change)
        changed["smtp_config"]["sender_pass"] = OUT_OF_BAND["custom"]
        configured_provider(emulator).create(changed)
    else:
        out_of_band(emulator, kind)
    if refreshed:
        olds = next_deployment(provider).read("pool-a", olds).outs
        assert olds is not None
    before = emulator.stored("pool-a")
    configured = len(config_calls(emulator))
    capsys.readouterr()

    next_deployment(provider).delete("pool-a", olds)

    assert len(config_calls(emulator)) == configured
    assert emulator.stored("pool-a") == before
    err = capsys.readouterr().err
    assert "user pool 'pool-a' is left as it is" in err
    assert why in err
    assert "2525" not in err
    for secret in (*OUT_OF_BAND.values(), *CANARIES):
        assert secret not in err


def test_delete_of_its_own_setting_works_when_secrets_are_masked(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """A service that masks secrets: delete sends the known secret back, disabled."""
    olds = provider.create(props_for("ali")).outs
    assert olds is not None
    emulator.mask_secrets(True)
    olds = next_deployment(provider).read("pool-a", olds).outs
    assert olds is not None
    next_deployment(provider).delete("pool-a", olds)
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored == {**CASES["ali"][1], "enabled": False}


def test_delete_of_a_disabled_setting_sends_nothing(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """Already handed back to GenAuth's mail: no call at all."""
    olds = provider.create(props_for("qq")).outs
    assert olds is not None
    next_deployment(provider).delete("pool-a", olds)
    configured = len(config_calls(emulator))
    next_deployment(provider).delete("pool-a", olds)
    assert len(config_calls(emulator)) == configured


def test_a_pool_configured_twice_in_one_deployment_fails_before_the_second_call(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """Two resources on one pool: the second create fails naming the pool; nothing is sent."""
    first = provider.create(props_for("custom")).outs
    assert first is not None
    configured = len(config_calls(emulator))
    with pytest.raises(PoolClaimedError, match=r"^user pool 'pool-a' is already configured"):
        provider.create(props_for("sendgrid"))
    with pytest.raises(PoolClaimedError):
        provider.update("pool-a", first, props_for("qq"))
    assert len(config_calls(emulator)) == configured
    assert emulator.stored("pool-a") == CASES["custom"][1]


def test_delete_leaves_a_pool_another_resource_configured_in_the_deployment(
    provider: EmailProviderProvider, emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rename without alias: create of the new name, then delete of the old one, keeps it."""
    old = provider.create(props_for("custom")).outs
    assert old is not None
    renamed = next_deployment(provider)
    renamed.create(props_for("custom"))
    capsys.readouterr()

    renamed.delete("pool-a", old)

    assert emulator.stored("pool-a") == CASES["custom"][1]
    assert "another EmailProvider of this deployment configured it" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("key", "nearest"),
    [
        ("genauth:accesskeyId", "genauth:accessKeyId"),
        ("genauth:hots", "genauth:host"),
        ("genauth:accessKeySecrets", "genauth:accessKeySecret"),
    ],
)
def test_an_unknown_genauth_key_fails_check_naming_the_nearest(
    emulator: EmulatorServer, key: str, nearest: str
) -> None:
    """A typo in the genauth: namespace is a check failure that names the key meant."""
    provider = configured_provider(emulator, **{key: "value"})
    failures = provider.check({}, props_for("custom")).failures
    assert [f.reason for f in failures] == [
        f"the stack config key {key} is not one of pulumi-genauth's: did you mean {nearest}?"
    ]


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"genauth:host": "api.genauth.ai"}, "genauth:host"),
        ({"genauth:host": "http://api.example.com"}, "genauth:host"),
        ({"genauth:host": "https://user:pw@api.example.com"}, "genauth:host"),
    ],
)
def test_a_bad_host_fails_check_naming_the_key(
    emulator: EmulatorServer, config: dict[str, str], key: str
) -> None:
    """The host rules hold at preview, with no network, for the default credentials."""
    provider = configured_provider(emulator, **config)
    failures = provider.check({}, props_for("custom")).failures
    assert len(failures) == 1
    assert failures[0].reason.startswith(f"{key}: GenAuth host ")
    assert "user:pw" not in failures[0].reason  # user info is never quoted: it may hold a password
    assert emulator.requests() == []


def test_a_bad_pool_host_fails_check_for_the_resource_using_it(emulator: EmulatorServer) -> None:
    """A genauth:pools entry's host is checked when a resource uses that pool."""
    pool_b = emulator.pools[1]
    pools = {
        "b": {
            "host": "http://api.example.com",
            "accessKeyId": pool_b.access_key_id,
            "accessKeySecret": pool_b.access_key_secret,
        }
    }
    provider = configured_provider(emulator, **{"genauth:pools": json.dumps(pools)})
    assert provider.check({}, props_for("custom")).failures == []
    failures = provider.check({}, props_for("custom", pool="b")).failures
    assert [f.property for f in failures] == [""]
    assert failures[0].reason.startswith("genauth:pools.b.host: GenAuth host 'http://api.")
    assert emulator.requests() == []


def test_the_pool_mismatch_says_how_out(provider: EmailProviderProvider) -> None:
    """The mismatch names both pools and the way out: the resource's keys (the stack's, or its
    `pool` entry's) set to the pool's, then up, or refresh/destroy --run-program."""
    olds = {**props_for("custom"), "userpool_id": "pool-b"}
    with pytest.raises(PoolMismatchError) as info:
        provider.read("pool-b", olds)
    message = str(info.value)
    assert "'pool-b'" in message
    assert "'pool-a'" in message
    assert f"set {DYNAMIC_RESOURCE_KEYS} to the keys of 'pool-b'" in message
    assert "`pulumi up`" in message
    assert "`pulumi refresh --run-program` / `pulumi destroy --run-program`" in message


def test_a_config_declared_without_its_optional_fields_shows_no_drift(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """smtp_config without sender and secure: the read-back defaults ("", false) match it."""
    declared = props_for("custom")
    del declared["smtp_config"]["sender"], declared["smtp_config"]["secure"]
    outs = provider.create(declared).outs
    assert outs is not None
    assert (outs["smtp_config"]["sender"], outs["smtp_config"]["secure"]) == ("", False)
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert "sender" not in stored["smtpConfig"]  # sent as declared: the defaults are the API's
    read = next_deployment(provider).read("pool-a", outs)
    assert read.outs is not None
    assert provider.diff("pool-a", read.outs, declared).changes is False
    assert provider.diff("pool-a", outs, declared).changes is False


# -- what the engine reads back, and which client serves a resource -----------------------------


def test_check_returns_the_inputs_it_was_given_and_the_key_in_use(
    provider: EmailProviderProvider, emulator: EmulatorServer
) -> None:
    """The engine keeps check's inputs as the resource's inputs: the declared ones, and the
    id of the access key of the resource's pool (a new key previews as an update)."""
    news = props_for("custom")
    key_a, key_b = (pool.access_key_id for pool in emulator.pools[:2])
    assert provider.check({}, copy.deepcopy(news)).inputs == {**news, "access_key_id": key_a}
    on_b = props_for("custom", pool="b", access_key_id="stale")
    assert provider.check({}, copy.deepcopy(on_b)).inputs == {**on_b, "access_key_id": key_b}
    unknown = props_for("custom", pool=rpc.UNKNOWN, access_key_id="stale")
    assert "access_key_id" not in provider.check({}, copy.deepcopy(unknown)).inputs


def test_a_new_access_key_is_an_update_of_the_key_alone(provider: EmailProviderProvider) -> None:
    """The key a resource was applied with, against the one configured now: an update."""
    olds = {**props_for("custom"), "access_key_id": "key-1"}
    for key, changed in (("key-1", False), ("key-2", True), (None, False), (rpc.UNKNOWN, False)):
        news = {**props_for("custom"), "access_key_id": key}
        assert provider.diff("pool-a", olds, news).changes is changed, key
    written_before = props_for("custom")  # a state of 0.2.0: no key recorded
    news = {**props_for("custom"), "access_key_id": "key-2"}
    assert provider.diff("pool-a", written_before, news).changes is False


@pytest.mark.parametrize("pool", [42, ["b"], {"name": "b"}])
def test_a_pool_that_is_not_a_name_fails_check(provider: EmailProviderProvider, pool: Any) -> None:
    """`pool` must be a string naming a genauth:pools entry: one failure on `pool`."""
    failures = provider.check({}, props_for("custom", pool=pool)).failures
    assert [(f.property, f.reason) for f in failures] == [
        ("", "pool must be the name of a genauth:pools entry")
    ]


def test_a_pool_not_known_yet_passes_check_and_replaces(provider: EmailProviderProvider) -> None:
    """A `pool` that is an output of another resource is accepted at preview, as a replacement."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    news = props_for("custom", pool=rpc.UNKNOWN)
    assert provider.check({}, news).failures == []
    diff = provider.diff("pool-a", olds, news)
    assert (diff.changes, diff.replaces) == (True, ["pool"])


@pytest.mark.parametrize(("old_pool", "new_pool"), [(None, "b"), ("b", None), ("b", "c")], ids=str)
def test_any_change_of_pool_is_a_replacement_created_first(
    provider: EmailProviderProvider, old_pool: str | None, new_pool: str | None
) -> None:
    """Another `pool`, to or from the default credentials, replaces; the new one comes first.

    The setting itself is unchanged, so the change is the replacement alone; no
    delete-before-replace: the new pool is configured before the old one is handed back.
    """
    olds = props_for("custom", pool=old_pool)
    diff = provider.diff("pool-a", olds, props_for("custom", pool=new_pool))
    assert (diff.changes, diff.replaces) == (True, ["pool"])
    assert not diff.delete_before_replace


@pytest.mark.parametrize(
    "unknown",
    [
        pytest.param(lambda p: p.update(type=rpc.UNKNOWN), id="type"),
        pytest.param(lambda p: p.update(enabled=rpc.UNKNOWN), id="enabled"),
        pytest.param(lambda p: p.update(smtp_config=rpc.UNKNOWN), id="whole-config"),
        pytest.param(lambda p: p["smtp_config"].update(smtp_port=rpc.UNKNOWN), id="port"),
    ],
)
def test_any_unknown_in_the_setting_diffs_as_an_update(
    provider: EmailProviderProvider, unknown: Mutation
) -> None:
    """A type, flag, config or field not known at preview is a possible change, in place."""
    olds = props_for("custom")
    news = props_for("custom")
    unknown(news)
    diff = provider.diff("pool-a", olds, news)
    assert (diff.changes, diff.replaces) == (True, [])


def test_read_returns_the_resource_id(provider: EmailProviderProvider) -> None:
    """read answers with the id it was asked about: the user pool id."""
    olds = provider.create(props_for("custom")).outs
    assert olds is not None
    assert provider.read("pool-a", olds).id == "pool-a"


@pytest.mark.parametrize("order", [(None, "b"), ("b", None)], ids=["default-first", "b-first"])
def test_each_pool_is_reached_with_its_own_credentials(
    provider: EmailProviderProvider, emulator: EmulatorServer, order: tuple[str | None, ...]
) -> None:
    """Resources on the default credentials and on pool "b", in either order, reach their pool."""
    expected = {None: "pool-a", "b": "pool-b"}
    for pool in order:
        assert provider.create(props_for("sendgrid", pool=pool)).id == expected[pool]
    assert emulator.stored("pool-a") is not None
    assert emulator.stored("pool-b") is not None


@pytest.mark.parametrize("method", ["update", "read", "delete"])
def test_a_resource_on_a_named_pool_is_handled_with_that_pool_s_credentials(
    provider: EmailProviderProvider, emulator: EmulatorServer, method: str
) -> None:
    """update, read and delete of a resource on pool "b" use the genauth:pools entry "b",
    in the next deployment's plugin too (which has made no client yet)."""
    olds = provider.create(props_for("custom", pool="b")).outs
    assert olds is not None
    provider = configured_provider(emulator)
    calls = {
        "update": lambda: provider.update("pool-b", olds, props_for("qq", pool="b")),
        "read": lambda: provider.read("pool-b", olds),
        "delete": lambda: provider.delete("pool-b", olds),
    }
    calls[method]()
    assert emulator.stored("pool-a") is None
    stored = emulator.stored("pool-b")
    assert stored is not None
    expected = {
        "update": CASES["qq"][1],
        "read": CASES["custom"][1],
        "delete": {**CASES["custom"][1], "enabled": False},
    }
    assert stored == expected[method]


def served_provider(emulator: EmulatorServer) -> EmailProviderProvider:
    """A provider exactly as the plugin has it: unpickled and configured, nothing replaced."""
    pool = emulator.pools[0]
    pickled = pickle.dumps(EmailProviderProvider())
    provider: EmailProviderProvider = pickle.loads(pickled)  # noqa: S301 - pickled just above
    OPEN_PROVIDERS.append(provider)
    config = {
        "genauth:host": emulator.url,
        "genauth:accessKeyId": pool.access_key_id,
        "genauth:accessKeySecret": pool.access_key_secret,
    }
    provider.configure(ConfigureRequest(Config(config, "test-project")))
    return provider


def test_provider_instances_of_one_process_share_the_deployment_s_claims(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two instances (two pickled forms, e.g. of two package versions) still allow one create.

    The plugin caches a provider per pickled form; the pools a deployment configured are the
    process's, whatever instance serves the call.
    """
    monkeypatch.setattr(_provider, "DEPLOYMENT_CLAIMS", PoolClaims())
    served_provider(emulator).create(props_for("custom"))
    configured = len(config_calls(emulator))
    with pytest.raises(PoolClaimedError):
        served_provider(emulator).create(props_for("sendgrid"))
    assert len(config_calls(emulator)) == configured


def test_the_plugin_s_environment_is_the_credentials_fallback(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no credentials in the stack config, the plugin process's GENAUTH_* are used."""
    pool = emulator.pools[0]
    monkeypatch.setenv("GENAUTH_HOST", emulator.url)
    monkeypatch.setenv("GENAUTH_ACCESS_KEY_ID", pool.access_key_id)
    monkeypatch.setenv("GENAUTH_ACCESS_KEY_SECRET", pool.access_key_secret)
    provider = EmailProviderProvider()
    OPEN_PROVIDERS.append(provider)
    provider.configure(ConfigureRequest(Config({}, "p")))
    assert provider.check({}, props_for("custom")).failures == []


def test_a_host_the_process_could_not_reach_fails_at_once(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host another client of the plugin could not reach fails at once, with the same line.

    The resources after the first do not each spend the whole retry budget on a dead host.
    """
    unreachable = UnreachableHosts()
    monkeypatch.setattr(_client, "UNREACHABLE_HOSTS", unreachable)
    first = TransportError(
        f"could not reach {normalize_host(emulator.url)} (ConnectError)",
        method="POST",
        path="/api/v3/get-management-token",
        attempts=5,
    )
    unreachable.remember(normalize_host(emulator.url), first)
    provider = served_provider(emulator)
    provider.claims = PoolClaims()
    with pytest.raises(TransportError) as failed:
        provider.create(props_for("custom"))
    assert str(failed.value) == str(first)
    assert emulator.requests() == []


def test_each_pool_s_client_is_made_once(
    provider: EmailProviderProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pool's client (its credentials, token and connections) is built once, then reused."""
    made: list[str] = []
    factory = provider.client_factory

    def counting(credentials: Credentials) -> GenAuthClient:
        made.append(credentials.access_key_id)
        return factory(credentials)

    monkeypatch.setattr(provider, "client_factory", counting)
    for pool, pool_id in ((None, "pool-a"), ("b", "pool-b")):
        olds = provider.create(props_for("custom", pool=pool)).outs
        assert olds is not None
        provider.read(pool_id, olds)
        next_deployment(provider).update(pool_id, olds, props_for("qq", pool=pool))
        provider.delete(pool_id, olds)
    assert made == ["pool-a-access-key-id", "pool-b-access-key-id"]


def test_the_sdk_s_unknown_objects_are_unknowns_to_check_and_diff(
    provider: EmailProviderProvider,
) -> None:
    """The dynamic server hands unknowns over as pulumi.output.Unknown objects (SDK 3.272):
    check accepts them and diff names their paths, as for the wire's sentinel."""
    news = props_for("custom", type=Unknown())
    news["smtp_config"]["sender_pass"] = Unknown()
    assert provider.check({}, copy.deepcopy(news)).failures == []
    olds = {**props_for("custom"), "access_key_id": "key-1"}
    diff = provider.diff("pool-a", olds, news)
    assert diff.changes is True
    assert diff.replaces == []
    later = props_for("custom", pool=Unknown())
    assert provider.diff("pool-a", props_for("custom"), later).replaces == ["pool"]


def test_the_sdk_s_unknowns_are_found_at_any_depth() -> None:
    """An Unknown in a config object or a list, at any depth, is the wire's sentinel; known
    values and the shape around them stay as they are."""
    given = {
        "type": Unknown(),
        "smtp_config": {"smtp_host": "mx.example.com", "sender_pass": Unknown()},
        "tags": ["a", Unknown(), {"nested": [Unknown(), None]}],
        "pool": None,
    }
    assert _provider._wire_unknowns(given) == {
        "type": rpc.UNKNOWN,
        "smtp_config": {"smtp_host": "mx.example.com", "sender_pass": rpc.UNKNOWN},
        "tags": ["a", rpc.UNKNOWN, {"nested": [rpc.UNKNOWN, None]}],
        "pool": None,
    }


def test_diff_gives_the_server_each_path_and_the_pool_as_a_replacement(
    provider: EmailProviderProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The detailed diff the plugin's server sends: each changed field by its dotted path, and
    a new `pool` as UPDATE_REPLACE (what `preview --diff` shows)."""
    server = types.ModuleType("__main__")  # the plugin's __main__: the SDK's server
    server.__spec__ = importlib.machinery.ModuleSpec(_dynamic_server.DYNAMIC_SERVER_MODULE, None)
    server.proto = proto  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "__main__", server)
    assert _dynamic_server.install_detailed_diff()
    news = props_for("custom", pool="b")
    news["smtp_config"]["sender_pass"] = "rotated-password"
    diff = provider.diff("pool-a", props_for("custom"), news)
    assert (diff.changes, diff.replaces) == (True, ["pool"])
    patched: Any = server.proto
    answer = patched.DiffResponse(changes=proto.DiffResponse.DIFF_SOME, replaces=diff.replaces)
    kinds = {path: proto.PropertyDiff.Kind.Name(d.kind) for path, d in answer.detailedDiff.items()}
    assert kinds == {"pool": "UPDATE_REPLACE", "smtp_config.sender_pass": "UPDATE"}


@pytest.mark.parametrize("method", ["create", "update", "read", "delete"])
def test_a_retry_is_told_under_the_resource_whose_step_it_is(
    emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    method: str,
) -> None:
    """Every step's retries go to _dynamic_server.note (a line under the resource while the
    step runs), not to the log."""
    olds = configured_provider(emulator).create(props_for("custom")).outs
    assert olds is not None
    provider = configured_provider(emulator)  # the next deployment's plugin: no token yet
    told: list[str] = []
    monkeypatch.setattr(_dynamic_server, "note", told.append)
    caplog.set_level(logging.WARNING, logger="pulumi_genauth")
    emulator.add_fault(path=TOKEN_PATH, status=503)
    calls = {
        "create": lambda: provider.create(props_for("sendgrid")),
        "update": lambda: provider.update("pool-a", olds, props_for("qq")),
        "read": lambda: provider.read("pool-a", olds),
        "delete": lambda: provider.delete("pool-a", olds),
    }
    calls[method]()
    token_request = re.escape(f"POST {normalize_host(emulator.url)}{TOKEN_PATH}")
    assert len(told) == 1
    assert re.fullmatch(
        rf"{token_request}: attempt 1 failed \(GenAuth API POST .*\); retrying in 0\.01s", told[0]
    ), told
    assert [r.getMessage() for r in caplog.records if r.name == "pulumi_genauth"] == []
