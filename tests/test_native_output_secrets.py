"""What a program made secret stays secret in the native plugin's outputs, at any depth.

The plugin accepts secrets, so the engine leaves to it what the engine itself does for a
provider that does not: carrying the secrecy of each input to the output of the same path.
Create and update carry it from the inputs, read (refresh) from the old inputs and outputs; the
bookkeeping ``appliedSetting``, a copy of the config's fields, is secret always. (The engine
tests run the same through the CLI from YAML, TypeScript and Go: tests/engine/secrecy.py.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from pulumi_genauth.emulator.server import EmulatorServer
from pulumi_genauth.native import _properties as names
from pulumi_genauth.native._protocol import CreateRequest, ReadRequest, UpdateRequest
from pulumi_genauth.native._values import PropertyValue

from .native_support import SMTP, URN, applying, plain_values, run, values


def whole_secret(inputs: dict[str, PropertyValue], key: str) -> dict[str, PropertyValue]:
    """``inputs`` with ``key`` made secret as a whole (YAML's fn::secret, pulumi.secret)."""
    return {**inputs, key: inputs[key].with_secret(True)}


def field_secret(inputs: dict[str, PropertyValue], key: str, field: str) -> dict[str, Any]:
    """``inputs`` with one field of the object ``key`` made secret."""
    config = dict(inputs[key].value)
    config[field] = config[field].with_secret(True)
    return {**inputs, key: inputs[key].with_value(config)}


def field_of(properties: Mapping[str, PropertyValue], key: str, field: str) -> PropertyValue:
    found: PropertyValue = properties[key].value[field]
    return found


@pytest.fixture
def declared() -> dict[str, PropertyValue]:
    """A custom SMTP setting as the engine sends it, nothing secret yet."""
    return values({"type": "custom", "smtpConfig": SMTP})


def test_a_whole_secret_config_is_secret_as_a_whole_in_create_s_outputs(
    emulator: EmulatorServer, declared: dict[str, PropertyValue]
) -> None:
    """smtpConfig secret as one value: secret as one value in the outputs, so is the
    bookkeeping, and the values themselves are the declared ones."""
    native = applying(emulator, [])
    created = run(native.create(CreateRequest(URN, whole_secret(declared, "smtpConfig"))))
    native.close()

    assert created.properties["smtpConfig"].is_secret
    assert created.properties["appliedSetting"].is_secret
    assert plain_values(created.properties)["smtpConfig"][1]["smtpHost"] == SMTP["smtpHost"]
    assert not created.properties["userpoolId"].is_secret  # nothing more than asked


def test_one_secret_field_stays_secret_in_update_s_outputs_and_only_it(
    emulator: EmulatorServer, declared: dict[str, PropertyValue]
) -> None:
    """smtpConfig.smtpHost secret alone: secret in the outputs, its siblings plain (but for
    the password, which is always secret)."""
    native = applying(emulator, [])
    news = field_secret(declared, "smtpConfig", "smtpHost")
    updated = run(native.update(UpdateRequest(URN, "pool-a", {}, news)))
    native.close()

    assert field_of(updated.properties, "smtpConfig", "smtpHost").is_secret
    assert not field_of(updated.properties, "smtpConfig", "sender").is_secret
    assert field_of(updated.properties, "smtpConfig", "senderPass").is_secret
    assert not updated.properties["smtpConfig"].is_secret


def test_a_refresh_keeps_what_the_program_made_secret_in_outputs_and_inputs(
    emulator: EmulatorServer, declared: dict[str, PropertyValue]
) -> None:
    """Read after a whole-secret create: the live setting comes back secret as a whole, as
    outputs and as inputs; after one secret field, that field alone."""
    for inputs, secret_path in [
        (whole_secret(declared, "smtpConfig"), ()),
        (field_secret(declared, "smtpConfig", "sender"), ("sender",)),
    ]:
        native = applying(emulator, [])
        try:
            state = run(native.create(CreateRequest(URN, inputs))).properties
            read = run(native.read(ReadRequest(URN, "pool-a", state, inputs)))
        finally:
            native.close()

        assert read.properties["appliedSetting"].is_secret
        for properties in (read.properties, read.inputs):
            config = properties["smtpConfig"]
            assert config.is_secret is (not secret_path)
            if secret_path:
                assert field_of(properties, "smtpConfig", "sender").is_secret
                assert not field_of(properties, "smtpConfig", "smtpHost").is_secret


@pytest.mark.parametrize(
    ("given", "secret"),
    [
        (PropertyValue("x", True), True),
        (PropertyValue("x"), False),
        (PropertyValue((PropertyValue("a"), PropertyValue("b", True))), True),
        (PropertyValue({"inner": PropertyValue("b", True)}), True),
    ],
)
def test_a_value_under_a_secret_input_is_secret_as_a_whole(
    given: PropertyValue, secret: bool
) -> None:
    """A scalar output takes its input's secrecy; under a list or object input holding a
    secret anywhere, the whole output is secret (as the engine's annotateSecrets does)."""
    out = names.secret_like({"k": PropertyValue("out")}, {"k": given})
    assert out["k"].is_secret is secret


def test_an_output_with_no_input_of_its_name_is_left_as_it_is() -> None:
    """Only same-named inputs lend their secrecy: userpoolId stays plain."""
    out = names.secret_like(
        {"userpoolId": PropertyValue("pool-a")}, {"pool": PropertyValue("a", True)}
    )
    assert not out["userpoolId"].is_secret


def test_the_bookkeeping_is_secret_whatever_the_inputs() -> None:
    """appliedSetting is secret as a whole even when nothing the program gave was secret."""
    out = names.to_engine({"applied_setting": {"type": "custom"}, "type": "custom"})
    assert out["appliedSetting"].is_secret
    assert not out["type"].is_secret
