"""The lifecycle core both front ends share (``_lifecycle``), against the emulator.

Called as the front ends call it: with the client of one user pool, the deployment's claims
and a function that shows a warning, here one that collects them, so that the outputs and
the warnings are pinned whole.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_genauth import GenAuthClient, _lifecycle
from pulumi_genauth._claims import PoolClaims
from pulumi_genauth._fields import APPLIED_KEY, KEY_ID_KEY
from pulumi_genauth._models import ConfigEmailProviderInput, EmailProviderInfo
from pulumi_genauth._setting import to_request
from pulumi_genauth.emulator.server import EmulatorServer

from .support import CANARIES, CASES, FAST_RETRY, SENDGRID_KEY, SMTP_PASSWORD


@pytest.fixture
def pool_b(emulator: EmulatorServer) -> Iterator[GenAuthClient]:
    """A client of pool-b, the pool of the genauth:pools entry "b" in these tests."""
    pool = emulator.pools[1]
    with GenAuthClient(
        host=emulator.url,
        access_key_id=pool.access_key_id,
        access_key_secret=pool.access_key_secret,
        retry=FAST_RETRY,
    ) as client:
        yield client


def declared(kind: str, **changes: Any) -> dict[str, Any]:
    """The properties of a resource of ``kind`` on the genauth:pools entry "b"."""
    return {**copy.deepcopy(CASES[kind][0]), "pool": "b", **changes}


# The outputs of a resource declared as declared("custom"), on pool-b.
CUSTOM_OUTPUTS = {
    "userpool_id": "pool-b",
    "type": "custom",
    "enabled": True,
    "smtp_config": {
        "smtp_host": "smtp.example.com",
        "smtp_port": 465,
        "sender": "no-reply@example.com",
        "sender_pass": SMTP_PASSWORD,
        "secure": True,
    },
    "send_grid_config": None,
    "ali_exmail_config": None,
    "tencent_exmail_config": None,
    "pool": "b",
    APPLIED_KEY: {
        "type": "custom",
        "smtp_config": {
            "smtp_host": "smtp.example.com",
            "smtp_port": 465,
            "sender": "no-reply@example.com",
            "secure": True,
        },
    },
    # The key pool_b's client signs in with: what a new key is compared with.
    KEY_ID_KEY: "pool-b-access-key-id",
}


@pytest.mark.parametrize("step", ["adopt", "apply"])
def test_create_and_update_return_the_whole_outputs(pool_b: GenAuthClient, step: str) -> None:
    """The pool id, the declared setting, the `pool` it was declared on, what was applied."""
    warnings: list[str] = []
    if step == "adopt":
        outputs = _lifecycle.adopt(pool_b, declared("custom"), PoolClaims(), warnings.append)
    else:
        outputs = _lifecycle.apply(pool_b, declared("custom"), PoolClaims())
    assert outputs == CUSTOM_OUTPUTS
    assert warnings == []


REPLACED_SENDGRID = (
    "user pool pool-b already sends mail through a third-party provider (type 'sendgrid'); "
    "it is replaced by the declared 'custom' setting"
)


@pytest.mark.parametrize(
    ("live", "expected"),
    [
        pytest.param(None, [], id="nothing-set"),
        pytest.param(declared("sendgrid"), [REPLACED_SENDGRID], id="another-enabled"),
        pytest.param(declared("sendgrid", enabled=False), [], id="another-disabled"),
        pytest.param(declared("custom"), [], id="the-same"),
    ],
)
def test_create_warns_only_when_it_replaces_a_setting_in_use(
    emulator: EmulatorServer,
    pool_b: GenAuthClient,
    live: dict[str, Any] | None,
    expected: list[str],
) -> None:
    """A pool that sends through another enabled provider is adopted with a warning naming it.

    A disabled setting (the pool sends through GenAuth's own mail) or the declared one
    itself is replaced silently. The warning names no secret.
    """
    if live is not None:
        pool_b.config_email_provider(to_request(live))
    warnings: list[str] = []
    _lifecycle.adopt(pool_b, declared("custom"), PoolClaims(), warnings.append)
    assert warnings == expected
    assert emulator.stored("pool-b") == CASES["custom"][1]
    assert all(SENDGRID_KEY not in w and SMTP_PASSWORD not in w for w in warnings)


# Secrets of a setting another stack (or a person) put on the pool: canaries of their own.
OTHER_SMTP_PASSWORD = "canary-other-smtp-pass-5d2e71"
OTHER_SENDGRID_KEY = "canary-other-sendgrid-key-a93f04"
TAKEOVER = "user pool pool-b already sends mail through a third-party provider"


def live_custom(**fields: Any) -> dict[str, Any]:
    """The custom SMTP setting of declared("custom"), with some smtp_config fields changed."""
    props = declared("custom")
    props["smtp_config"].update(fields)
    return props


def live_sendgrid(**fields: Any) -> dict[str, Any]:
    """The SendGrid setting of declared("sendgrid"), with some send_grid_config fields changed."""
    props = declared("sendgrid")
    props["send_grid_config"].update(fields)
    return props


@pytest.mark.parametrize(
    ("kind", "live", "masked", "expected"),
    [
        pytest.param(
            "custom", live_custom(smtp_host="smtp.other.example"), False,
            f"{TAKEOVER} (type 'custom', smtp_config.smtp_host 'smtp.other.example'); "
            "it is replaced by the declared setting",
            id="same-type-another-host",
        ),
        pytest.param(
            "custom",
            live_custom(smtp_host="smtp.other.example", smtp_port=587.0,
                        sender="x@other.example", sender_pass=OTHER_SMTP_PASSWORD, secure=False),
            False,
            f"{TAKEOVER} (type 'custom', smtp_config.smtp_host 'smtp.other.example', "
            "smtp_config.smtp_port 587, smtp_config.sender 'x@other.example', a different "
            "smtp_config.sender_pass, smtp_config.secure False); "
            "it is replaced by the declared setting",
            id="same-type-every-field-another",
        ),
        pytest.param(
            "custom", live_custom(smtp_host="smtp.other.example"), True,
            f"{TAKEOVER} (type 'custom', smtp_config.smtp_host 'smtp.other.example', "
            "smtp_config.sender_pass not shown by the service, so not compared); "
            "it is replaced by the declared setting",
            id="same-type-another-host-masked",
        ),
        pytest.param(
            "custom", live_custom(sender_pass=OTHER_SMTP_PASSWORD), False,
            f"{TAKEOVER} (type 'custom', a different smtp_config.sender_pass); "
            "it is replaced by the declared setting",
            id="same-type-only-another-secret-shown",
        ),
        pytest.param(
            "sendgrid", live_sendgrid(sender="other@example.com", apikey=OTHER_SENDGRID_KEY),
            False,
            f"{TAKEOVER} (type 'sendgrid', send_grid_config.sender 'other@example.com', "
            "a different send_grid_config.apikey); it is replaced by the declared setting",
            id="same-type-sendgrid-another-sender-and-key",
        ),
        pytest.param(
            "sendgrid", live_sendgrid(apikey=OTHER_SENDGRID_KEY), False,
            f"{TAKEOVER} (type 'sendgrid', a different send_grid_config.apikey); "
            "it is replaced by the declared setting",
            id="same-type-sendgrid-only-another-key-shown",
        ),
        pytest.param(
            "custom", live_sendgrid(apikey=OTHER_SENDGRID_KEY), False, REPLACED_SENDGRID,
            id="another-type",
        ),
        pytest.param(
            "custom", live_sendgrid(apikey=OTHER_SENDGRID_KEY), True, REPLACED_SENDGRID,
            id="another-type-masked",
        ),
    ],
)  # fmt: skip
def test_create_over_a_setting_in_use_names_what_it_replaces_never_a_secret(
    emulator: EmulatorServer,
    pool_b: GenAuthClient,
    *,
    kind: str,
    live: dict[str, Any],
    masked: bool,
    expected: str,
) -> None:
    """Another enabled setting of the same type is a takeover too: the warning
    names each field that differs, with its live value, and a secret only by its path."""
    pool_b.config_email_provider(to_request(live))
    emulator.mask_secrets(masked)
    warnings: list[str] = []

    _lifecycle.adopt(pool_b, declared(kind), PoolClaims(), warnings.append)

    assert warnings == [expected]
    assert emulator.stored("pool-b") == CASES[kind][1]
    for secret in (*CANARIES, OTHER_SMTP_PASSWORD, OTHER_SENDGRID_KEY):
        assert all(secret not in warning for warning in warnings), secret


@pytest.mark.parametrize(
    ("live", "masked"),
    [
        pytest.param(declared("custom"), False, id="identical"),
        pytest.param(declared("custom"), True, id="identical-masked"),
        pytest.param(live_custom(sender_pass=OTHER_SMTP_PASSWORD), True,
                     id="only-another-secret-masked"),
        pytest.param({**live_custom(smtp_host="smtp.other.example"), "enabled": False}, False,
                     id="same-type-disabled"),
        pytest.param({**live_sendgrid(apikey=OTHER_SENDGRID_KEY), "enabled": False}, False,
                     id="another-type-disabled"),
    ],
)  # fmt: skip
def test_create_over_the_declared_setting_or_a_disabled_one_says_nothing(
    emulator: EmulatorServer, pool_b: GenAuthClient, live: dict[str, Any], masked: bool
) -> None:
    """Nothing is taken over: the pool sends through the declared setting already, or through
    GenAuth's built-in mail. A secret the service masks cannot tell the two apart: a setting
    that differs only there reads as the declared one (from_live) and is adopted silently."""
    pool_b.config_email_provider(to_request(live))
    emulator.mask_secrets(masked)
    warnings: list[str] = []

    _lifecycle.adopt(pool_b, declared("custom"), PoolClaims(), warnings.append)

    assert warnings == []
    assert emulator.stored("pool-b") == CASES["custom"][1]


@pytest.mark.parametrize(
    ("live", "expected"),
    [
        pytest.param(
            declared("custom"),
            f"{TAKEOVER} (type 'custom'); it is replaced by the declared setting, which is "
            "disabled",
            id="the-same-but-enabled",
        ),
        pytest.param(
            live_custom(smtp_host="smtp.other.example"),
            f"{TAKEOVER} (type 'custom', smtp_config.smtp_host 'smtp.other.example'); it is "
            "replaced by the declared setting, which is disabled",
            id="another-host",
        ),
    ],
)
def test_create_of_a_disabled_setting_over_the_same_type_says_it_is_disabled(
    emulator: EmulatorServer, pool_b: GenAuthClient, live: dict[str, Any], expected: str
) -> None:
    """The pool's enabled setting is of the declared type: mail stops going through it, and
    the warning says so, after each field that differs (enabled is no field of the config)."""
    pool_b.config_email_provider(to_request(live))
    warnings: list[str] = []

    _lifecycle.adopt(pool_b, declared("custom", enabled=False), PoolClaims(), warnings.append)

    assert warnings == [expected]
    assert emulator.stored("pool-b") == {**CASES["custom"][1], "enabled": False}


class _ServiceLeavingOutTheHost:
    """A client of pool-b whose service answers a custom setting without its smtp_host."""

    userpool_id = "pool-b"
    access_key_id = "pool-b-access-key-id"

    def __init__(self) -> None:
        self.sent: list[ConfigEmailProviderInput] = []

    def get_email_provider(self) -> EmailProviderInfo:
        wire = copy.deepcopy(CASES["custom"][1])
        del wire["smtpConfig"]["smtp_host"]
        wire["smtpConfig"]["senderPass"] = OTHER_SMTP_PASSWORD
        return EmailProviderInfo.model_validate(wire)

    def config_email_provider(self, request: ConfigEmailProviderInput) -> None:
        self.sent.append(request)


def test_create_over_a_setting_missing_a_field_names_it_unset() -> None:
    """A field the live setting lacks is named as unset (and the secret only by its path)."""
    client = _ServiceLeavingOutTheHost()
    warnings: list[str] = []

    _lifecycle.adopt(client, declared("custom"), PoolClaims(), warnings.append)  # type: ignore[arg-type]

    assert warnings == [
        f"{TAKEOVER} (type 'custom', smtp_config.smtp_host unset, a different "
        "smtp_config.sender_pass); it is replaced by the declared setting"
    ]
    assert len(client.sent) == 1
    assert OTHER_SMTP_PASSWORD not in warnings[0]


class _ServiceShowingNoConfig:
    """A client of pool-b whose service answers an enabled custom setting without smtpConfig."""

    userpool_id = "pool-b"
    access_key_id = "pool-b-access-key-id"

    def __init__(self) -> None:
        self.sent: list[ConfigEmailProviderInput] = []

    def get_email_provider(self) -> EmailProviderInfo:
        return EmailProviderInfo(enabled=True, type="custom")

    def config_email_provider(self, request: ConfigEmailProviderInput) -> None:
        self.sent.append(request)


def test_create_disabled_over_a_setting_shown_without_its_config_says_only_its_type() -> None:
    """No config shown: its secret, left out, is said to be not shown (as a masked one is);
    the declared setting is disabled, which the warning says, and it is sent."""
    client = _ServiceShowingNoConfig()
    warnings: list[str] = []
    props = declared("custom", enabled=False)

    _lifecycle.adopt(client, props, PoolClaims(), warnings.append)  # type: ignore[arg-type]

    assert warnings == [
        f"{TAKEOVER} (type 'custom', smtp_config.sender_pass not shown by the service, so not "
        "compared); it is replaced by the declared setting, which is disabled"
    ]
    assert client.sent == [to_request(props)]


def test_refresh_keeps_the_pool_in_outputs_and_inputs(pool_b: GenAuthClient) -> None:
    """After a refresh the resource still names its pool: no replacement at the next `up`."""
    state = _lifecycle.apply(pool_b, declared("custom"), PoolClaims())
    outputs, inputs = _lifecycle.refresh(pool_b, state)
    assert outputs == CUSTOM_OUTPUTS
    assert inputs == {
        key: CUSTOM_OUTPUTS[key]
        for key in (
            "type",
            "enabled",
            "smtp_config",
            "send_grid_config",
            "ali_exmail_config",
            "tencent_exmail_config",
            "pool",
        )
    }


def test_refreshes_after_drift_keep_the_setting_that_was_applied(pool_b: GenAuthClient) -> None:
    """Refreshed twice after another type was set out of band, it still knows what it applied.

    (What delete compares with the live setting before handing the pool back.)
    """
    state = _lifecycle.apply(pool_b, declared("custom"), PoolClaims())
    pool_b.config_email_provider(to_request(declared("sendgrid")))
    for _ in range(2):
        state, _inputs = _lifecycle.refresh(pool_b, state)
        assert state["type"] == "sendgrid"
        assert state[APPLIED_KEY] == CUSTOM_OUTPUTS[APPLIED_KEY]


def test_refresh_of_a_state_older_than_applied_setting_takes_the_state_as_applied(
    pool_b: GenAuthClient,
) -> None:
    """A state written before `applied_setting` existed: what it describes is what was applied."""
    state = _lifecycle.apply(pool_b, declared("custom"), PoolClaims())
    del state[APPLIED_KEY]
    pool_b.config_email_provider(to_request(declared("sendgrid")))
    outputs, _inputs = _lifecycle.refresh(pool_b, state)
    assert outputs[APPLIED_KEY] == CUSTOM_OUTPUTS[APPLIED_KEY]
