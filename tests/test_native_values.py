"""The native plugin's property values on the wire, read as the Pulumi SDK reads them.

The plugin marshals the engine's values itself (``native/_values``) so that it starts without
the Pulumi SDK; the SDK's own ``PropertyValue`` (``pulumi.provider.experimental``) is the
reference it must agree with: what one writes, the other reads back the same, secrets and
unknowns included. And a started plugin has not loaded the SDK at all.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from google.protobuf import struct_pb2
from pulumi.provider.experimental import property_value as sdk

from pulumi_genauth._constants import UNKNOWN
from pulumi_genauth.native._values import (
    OUTPUT_SIGNATURE,
    SECRET_SIGNATURE,
    SIGNATURE_KEY,
    Computed,
    PropertyValue,
    holds_unknown,
    marshal,
    marshal_map,
    plain,
    unmarshal_map,
)

OURS = {
    "type": PropertyValue("custom"),
    "enabled": PropertyValue(True),
    "nothing": PropertyValue(None),
    "smtpConfig": PropertyValue(
        {
            "smtpHost": PropertyValue("smtp.example.com"),
            "smtpPort": PropertyValue(465.0),
            "senderPass": PropertyValue("pw", True),
        }
    ),
    "list": PropertyValue((PropertyValue("a"), PropertyValue(1.5, True))),
    "later": PropertyValue(UNKNOWN),
    "secretObject": PropertyValue({"a": PropertyValue("b")}, True),
}


def as_sdk(value: PropertyValue) -> sdk.PropertyValue:
    inner: Any = value.value
    if isinstance(inner, dict):
        inner = {key: as_sdk(item) for key, item in inner.items()}
    elif isinstance(inner, tuple):
        inner = tuple(as_sdk(item) for item in inner)
    return sdk.PropertyValue(inner, is_secret=value.is_secret)


def test_what_the_plugin_writes_the_sdk_reads_the_same() -> None:
    wire = marshal_map(OURS)
    read = sdk.PropertyValue.unmarshal_map(struct_pb2.Struct.FromString(wire.SerializeToString()))
    assert read == {key: as_sdk(value) for key, value in OURS.items()}


def test_what_the_sdk_writes_the_plugin_reads_the_same() -> None:
    wire = sdk.PropertyValue.marshal_map({key: as_sdk(value) for key, value in OURS.items()})
    assert unmarshal_map(wire) == OURS


def test_an_output_value_is_read_as_its_value_and_secrecy() -> None:
    """An engine that sends outputs (this provider does not ask for them) is still understood."""
    output = sdk.PropertyValue("pw", is_secret=True).with_dependencies({"urn:a"})
    wire = sdk.PropertyValue.marshal_map({"known": output})
    # An unknown output has no value (the SDK cannot marshal its own Computed: written out).
    wire.fields["unknown"].struct_value.update({SIGNATURE_KEY: OUTPUT_SIGNATURE})
    assert unmarshal_map(wire) == {
        "known": PropertyValue("pw", True),
        "unknown": PropertyValue(Computed()),
    }


def test_an_integer_goes_out_as_the_wire_s_number() -> None:
    wire = marshal_map({"smtpPort": PropertyValue(465)})
    assert wire.fields["smtpPort"].number_value == 465.0


def test_an_asset_is_refused_by_name() -> None:
    wire = sdk.PropertyValue.marshal_map({"file": sdk.PropertyValue(sdk.pulumi.StringAsset("x"))})
    with pytest.raises(ValueError, match="asset, archive or resource"):
        unmarshal_map(wire)


def test_a_secret_never_shows_in_a_repr() -> None:
    assert "pw" not in repr(PropertyValue("pw", True))
    assert "[secret]" in repr(PropertyValue("pw", True))


def test_the_plugin_serves_without_loading_the_pulumi_sdk() -> None:
    """Importing the server (all a started plugin has loaded) imports no ``pulumi`` module,
    nor pydantic or the HTTP client: those come with the first call that talks to GenAuth."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pulumi_genauth.native._server; print(' '.join(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    heavy = [
        name
        for name in loaded
        if name.split(".")[0] in {"pulumi", "pydantic", "httpx", "httpcore", "genauth"}
    ]
    assert heavy == []


def test_the_signatures_are_the_sdk_s() -> None:
    from pulumi.runtime import rpc

    assert (
        rpc._special_sig_key,
        rpc._special_secret_sig,
        rpc._special_output_value_sig,
    ) == (SIGNATURE_KEY, SECRET_SIGNATURE, OUTPUT_SIGNATURE)


def test_a_repr_shows_a_plain_value_and_hides_a_secret_one() -> None:
    assert repr(PropertyValue("x")) == "PropertyValue('x')"
    assert repr(PropertyValue("x", True)) == "PropertyValue([secret])"


def test_a_new_value_keeps_its_secrecy() -> None:
    assert PropertyValue("a", True).with_value("b") == PropertyValue("b", True)
    assert PropertyValue("a").with_value("b") == PropertyValue("b")


def test_an_unknown_goes_out_as_the_sentinel_and_a_stranger_is_named() -> None:
    assert marshal(PropertyValue(Computed())).string_value == UNKNOWN
    with pytest.raises(TypeError, match=r"^a property value of type object cannot be sent$"):
        marshal(PropertyValue(object()))


def test_an_output_that_says_it_is_not_secret_is_not() -> None:
    wire = sdk.PropertyValue.marshal_map({"known": sdk.PropertyValue("v").with_dependencies({"u"})})
    assert unmarshal_map(wire) == {"known": PropertyValue("v")}


def test_plain_and_holds_unknown_look_inside_lists() -> None:
    listed = PropertyValue((PropertyValue("a", True), PropertyValue(UNKNOWN)))
    assert plain(listed) == ["a", UNKNOWN]
    assert holds_unknown(["a", UNKNOWN])
    assert not holds_unknown(["a", "b"])
