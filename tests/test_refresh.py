"""What a refresh (Read) returns, in both front ends: the live setting as the inputs, the
state's bookkeeping carried in the outputs.

The engine keeps Read's inputs as the resource's inputs (the next ``up`` diffs the program
against the outputs and repairs drift) and its outputs as the state. So the inputs must be
the setting found in the pool, nothing more: no ``userpoolId``, ``appliedSetting`` or
``accessKeyId``, which are outputs. The outputs keep what the last apply recorded: the setting
it applied (what delete compares) and the access key id it applied with, not the id of the
key the refresh happens to read with (a refresh proves that a key can read, not that the
setting was applied with it), so a rotated key still previews as an update after a refresh.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from pulumi_genauth._client import GenAuthClient
from pulumi_genauth._provider import EmailProviderProvider
from pulumi_genauth._setting import to_request
from pulumi_genauth.emulator.server import EmulatorServer
from pulumi_genauth.native import _properties as names
from pulumi_genauth.native._protocol import (
    CheckRequest,
    DiffRequest,
    PropertyDiffKind,
    ReadRequest,
)
from pulumi_genauth.native._provider import GenAuthProvider
from pulumi_genauth.native._values import PropertyValue, plain

from .dynamic_support import configured_provider
from .native_support import URN, applying, create, run
from .support import CASES, FAST_RETRY

DRIFTED_PORT = 2525
SETTING = CASES["custom"][0]  # both front ends apply it, then someone moves its port
SMTP = {names.camel(field): value for field, value in SETTING["smtp_config"].items()}
# The key id the state says the setting was applied with: an older key of pool-a, or none
# (a state that records no key id, as pulumi-genauth 0.2.0 wrote it: still to be read).
RECORDED_KEYS = [
    pytest.param("pool-a-retired-key-id", id="an-older-key"),
    pytest.param(None, id="none-recorded"),
]


def change_port_out_of_band(emulator: EmulatorServer) -> None:
    """Someone else (a console, a script) moves pool-a's SMTP setting to another port."""
    pool = emulator.pools[0]
    setting = copy.deepcopy(SETTING)
    setting["smtp_config"]["smtp_port"] = DRIFTED_PORT
    with GenAuthClient(
        host=emulator.url,
        access_key_id=pool.access_key_id,
        access_key_secret=pool.access_key_secret,
        retry=FAST_RETRY,
    ) as client:
        client.config_email_provider(to_request(setting))


def plain_map(properties: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Property values as plain data, secret flags dropped (these tests are about values)."""
    return {key: plain(value) for key, value in properties.items()}


# -- the native provider ----------------------------------------------------------------------


@pytest.fixture
def native_state(emulator: EmulatorServer) -> dict[str, PropertyValue]:
    """The state of a native resource applied to pool-a (SMTP on port 465), by its deployment."""
    first = applying(emulator, [])
    state = create(first, {"type": "custom", "smtpConfig": SMTP}).properties
    first.close()
    return state


@pytest.fixture
def native(emulator: EmulatorServer) -> Iterator[GenAuthProvider]:
    """The native provider of a later deployment (`pulumi refresh`), with pool-a's keys."""
    made = applying(emulator, [])
    yield made
    made.close()


def test_a_native_read_returns_the_live_setting_as_inputs_and_the_outputs_as_outputs(
    emulator: EmulatorServer, native_state: dict[str, PropertyValue], native: GenAuthProvider
) -> None:
    """After drift, Read's inputs are exactly the live setting (the drifted port, the
    password kept from the state) and its outputs the live setting with the bookkeeping
    carried over: the pool id, the setting applied (the old port) and the key id."""
    change_port_out_of_band(emulator)
    inputs = {key: native_state[key] for key in ("type", "smtpConfig", "accessKeyId")}

    read = run(native.read(ReadRequest(URN, "pool-a", native_state, inputs)))

    live_smtp = {**SMTP, "smtpPort": float(DRIFTED_PORT)}
    assert plain_map(read.inputs) == {"type": "custom", "enabled": True, "smtpConfig": live_smtp}
    applied = {key: value for key, value in SMTP.items() if key != "senderPass"}
    assert plain_map(read.properties) == {
        "userpoolId": "pool-a",
        "type": "custom",
        "enabled": True,
        "smtpConfig": live_smtp,
        "sendGridConfig": None,
        "aliExmailConfig": None,
        "tencentExmailConfig": None,
        "appliedSetting": {"type": "custom", "smtpConfig": applied},
        "accessKeyId": "pool-a-access-key-id",
    }


@pytest.mark.parametrize("recorded", RECORDED_KEYS)
def test_a_native_refresh_keeps_the_key_id_the_setting_was_applied_with(
    native_state: dict[str, PropertyValue], native: GenAuthProvider, recorded: str | None
) -> None:
    """Read with pool-a's current key keeps the state's key id (or none), not its own; so the
    next preview still names accessKeyId as an update when the state's key is another."""
    key_id = {"accessKeyId": PropertyValue(recorded)} if recorded else {}
    state = {key: value for key, value in native_state.items() if key != "accessKeyId"} | key_id
    declared = {key: native_state[key] for key in ("type", "smtpConfig")}

    read = run(native.read(ReadRequest(URN, "pool-a", state, declared | key_id)))
    checked = run(native.check(CheckRequest(URN, {}, declared, b"")))
    assert checked.inputs is not None
    preview = run(native.diff(DiffRequest(URN, "pool-a", read.properties, checked.inputs, [])))

    assert plain_map(read.properties)["accessKeyId"] == recorded
    kinds = {path: diff.kind for path, diff in preview.detailed_diff.items()}
    assert kinds == ({"accessKeyId": PropertyDiffKind.UPDATE} if recorded else {})


# -- the dynamic resource's provider ----------------------------------------------------------


@pytest.fixture
def dynamic_state(emulator: EmulatorServer) -> dict[str, Any]:
    """The state of a dynamic resource applied to pool-a (SMTP on port 465)."""
    first = configured_provider(emulator)
    outs = first.create({**copy.deepcopy(SETTING), "pool": None}).outs
    first.close()
    assert outs is not None
    return outs


@pytest.fixture
def dynamic(emulator: EmulatorServer) -> Iterator[EmailProviderProvider]:
    """The dynamic resource's provider of a later deployment (`pulumi refresh`)."""
    provider = configured_provider(emulator)
    yield provider
    provider.close()


def without_nones(values: Mapping[str, Any]) -> dict[str, Any]:
    """A property bag as the SDK's server sends it to the engine: a None property left out."""
    return {key: value for key, value in values.items() if value is not None}


def test_a_dynamic_read_returns_the_live_setting_as_inputs_and_the_outputs_as_outputs(
    emulator: EmulatorServer, dynamic_state: dict[str, Any], dynamic: EmailProviderProvider
) -> None:
    """After drift, read's inputs are exactly the live setting (the drifted port, the
    password kept from the state) and its outs the live setting with the bookkeeping
    carried over: the pool id, the setting applied (the old port) and the key id."""
    change_port_out_of_band(emulator)

    read = dynamic.read("pool-a", dynamic_state)

    live_smtp = {**SETTING["smtp_config"], "smtp_port": DRIFTED_PORT}
    assert read.inputs is not None
    assert read.outs is not None
    assert without_nones(read.inputs) == {
        "type": "custom",
        "enabled": True,
        "smtp_config": live_smtp,
    }
    applied = {key: value for key, value in live_smtp.items() if key != "sender_pass"}
    assert without_nones(read.outs) == {
        "userpool_id": "pool-a",
        "type": "custom",
        "enabled": True,
        "smtp_config": live_smtp,
        "applied_setting": {"type": "custom", "smtp_config": {**applied, "smtp_port": 465}},
        "access_key_id": "pool-a-access-key-id",
    }


@pytest.mark.parametrize("recorded", RECORDED_KEYS)
def test_a_dynamic_refresh_keeps_the_key_id_the_setting_was_applied_with(
    dynamic_state: dict[str, Any], dynamic: EmailProviderProvider, recorded: str | None
) -> None:
    """read with pool-a's current key keeps the state's key id (or none), not its own; so the
    next preview is still a change (of access_key_id) when the state's key is another."""
    state = {**dynamic_state, "access_key_id": recorded}
    declared = {**copy.deepcopy(SETTING), "pool": None}

    read = dynamic.read("pool-a", state)
    assert read.outs is not None
    preview = dynamic.diff("pool-a", read.outs, dynamic.check({}, declared).inputs)

    assert read.outs["access_key_id"] == recorded
    assert (preview.changes, preview.replaces) == (recorded is not None, [])
