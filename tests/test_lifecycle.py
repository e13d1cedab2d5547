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

from pulumi_genauth import GenAuthClient, RetryPolicy, _lifecycle
from pulumi_genauth._claims import PoolClaims
from pulumi_genauth._fields import APPLIED_KEY
from pulumi_genauth._validation import to_request
from pulumi_genauth.emulator.server import EmulatorServer

from ._cases import CASES, SENDGRID_KEY, SMTP_PASSWORD

FAST_RETRY = RetryPolicy(initial_backoff_seconds=0.01, max_backoff_seconds=0.05, jitter_seconds=0)


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
