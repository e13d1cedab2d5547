"""The engine's property values: a value, whether it is secret, to and from the wire.

The engine sends and takes resource properties as ``google.protobuf.Struct`` trees in which a
secret is an object tagged with the secret signature (``{"4dabf18193072939515e22adb298388d":
"1b47061264138c4ac30d75fd1eb44270", "value": ...}``) and a value not known yet (a preview) is
the unknown sentinel string (``_constants.UNKNOWN``), or an output-value object when the
provider accepts outputs (this one does not). :class:`PropertyValue` keeps the secret flag
beside the value, as the Pulumi SDK's ``pulumi.provider.experimental.PropertyValue`` does;
it is written here, with only what a property of this provider can hold (null, bool, number,
string, list, object), so that the plugin serves the engine without loading the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from google.protobuf import struct_pb2  # type: ignore[import-untyped]

from .._constants import UNKNOWN

# The signatures of the engine's special objects (pulumi/pulumi v3.274.1,
# sdk/go/common/resource/sig).
SIGNATURE_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE: Final = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - a tag
OUTPUT_SIGNATURE: Final = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


@dataclass(frozen=True)
class Computed:
    """A value not known yet, as a value of its own (the wire spells it as a sentinel)."""


@dataclass(frozen=True)
class PropertyValue:
    """One property: its value (nested values are property values too) and its secrecy."""

    value: Any
    is_secret: bool = False

    def with_secret(self, secret: bool) -> PropertyValue:
        return PropertyValue(self.value, secret)

    def with_value(self, value: Any) -> PropertyValue:
        return PropertyValue(value, self.is_secret)

    def __repr__(self) -> str:
        # A secret is never shown, not even in a test's assertion message.
        return "PropertyValue([secret])" if self.is_secret else f"PropertyValue({self.value!r})"


def plain(value: PropertyValue) -> Any:
    """The Python value of ``value``, every secret flag dropped (names unchanged)."""
    inner = value.value
    if isinstance(inner, Mapping):
        return {key: plain(item) for key, item in inner.items()}
    if isinstance(inner, tuple):
        return [plain(item) for item in inner]
    return inner


def holds_unknown(value: Any) -> bool:
    """Whether a plain value, or anything in it, is not known yet (a preview)."""
    if isinstance(value, Mapping):
        return any(holds_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_unknown(item) for item in value)
    return value == UNKNOWN or isinstance(value, Computed)


def unmarshal_map(struct: struct_pb2.Struct) -> dict[str, PropertyValue]:
    """A request's properties."""
    return {key: unmarshal(item) for key, item in struct.fields.items()}


def unmarshal(value: struct_pb2.Value) -> PropertyValue:
    """One wire value; a value of a kind this provider never declares is refused."""
    kind = value.WhichOneof("kind")
    if kind == "null_value" or kind is None:
        return PropertyValue(None)
    if kind == "bool_value":
        return PropertyValue(value.bool_value)
    if kind == "number_value":
        return PropertyValue(value.number_value)
    if kind == "string_value":
        return PropertyValue(value.string_value)
    if kind == "list_value":
        return PropertyValue(tuple(unmarshal(item) for item in value.list_value.values))
    fields = value.struct_value.fields
    if SIGNATURE_KEY not in fields:
        return PropertyValue({key: unmarshal(item) for key, item in fields.items()})
    signature = fields[SIGNATURE_KEY].string_value
    if signature == SECRET_SIGNATURE:
        return unmarshal(fields["value"]).with_secret(True)
    if signature == OUTPUT_SIGNATURE:
        secret = "secret" in fields and fields["secret"].bool_value
        inner = unmarshal(fields["value"]) if "value" in fields else PropertyValue(Computed())
        return inner.with_secret(secret or inner.is_secret)
    raise ValueError(f"a property holds an asset, archive or resource ({signature}): not supported")


def marshal_map(properties: Mapping[str, PropertyValue]) -> struct_pb2.Struct:
    """Properties for a response."""
    return struct_pb2.Struct(fields={key: marshal(item) for key, item in properties.items()})


def marshal(property_value: PropertyValue) -> struct_pb2.Value:
    """One value for the wire, a secret wrapped in the secret object."""
    wire = _marshal_value(property_value.value)
    if not property_value.is_secret:
        return wire
    return struct_pb2.Value(
        struct_value=struct_pb2.Struct(
            fields={
                SIGNATURE_KEY: struct_pb2.Value(string_value=SECRET_SIGNATURE),
                "value": wire,
            }
        )
    )


def _marshal_value(value: Any) -> struct_pb2.Value:
    if value is None:
        return struct_pb2.Value(null_value=struct_pb2.NULL_VALUE)
    if isinstance(value, bool):
        return struct_pb2.Value(bool_value=value)
    if isinstance(value, int | float):
        return struct_pb2.Value(number_value=float(value))
    if isinstance(value, str):
        return struct_pb2.Value(string_value=value)
    if isinstance(value, Computed):
        return struct_pb2.Value(string_value=UNKNOWN)
    if isinstance(value, Mapping):
        return struct_pb2.Value(
            struct_value=struct_pb2.Struct(
                fields={key: marshal(item) for key, item in value.items()}
            )
        )
    if isinstance(value, Sequence):
        return struct_pb2.Value(
            list_value=struct_pb2.ListValue(values=[marshal(item) for item in value])
        )
    raise TypeError(f"a property value of type {type(value).__name__} cannot be sent")
