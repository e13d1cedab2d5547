"""The provider calls the plugin serves, as Python values: one request and response per call.

``_server`` turns the engine's gRPC messages into these and back; ``_provider`` answers them.
The names and fields are those of the Pulumi SDK's ``pulumi.provider.experimental.provider``
(the server the plugin was first built on), kept for the calls this provider implements, so
the provider reads as any Python provider would; they are written here so that the plugin
serves the engine without loading the SDK (see ``_pulumirpc``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ._values import PropertyValue

Properties = dict[str, PropertyValue]


@dataclass
class CheckRequest:
    urn: str
    old_inputs: Properties
    new_inputs: Properties
    random_seed: bytes = b""


@dataclass
class CheckFailure:
    property: str
    reason: str


@dataclass
class CheckResponse:
    inputs: Properties | None = None
    failures: list[CheckFailure] | None = None


@dataclass
class DiffRequest:
    urn: str
    resource_id: str
    old_state: Properties
    new_inputs: Properties
    ignore_changes: list[str] = field(default_factory=list)


class PropertyDiffKind(Enum):
    """The engine's kinds of a changed property (``PropertyDiff.Kind`` on the wire)."""

    ADD = 0
    ADD_REPLACE = 1
    DELETE = 2
    DELETE_REPLACE = 3
    UPDATE = 4
    UPDATE_REPLACE = 5


@dataclass
class PropertyDiff:
    kind: PropertyDiffKind
    input_diff: bool


@dataclass
class DiffResponse:
    changes: bool | None = None
    """None: the provider cannot tell (the engine then compares the inputs itself)."""
    detailed_diff: dict[str, PropertyDiff] = field(default_factory=dict)
    replaces: list[str] = field(default_factory=list)


@dataclass
class ConfigureRequest:
    variables: dict[str, str]
    args: Properties
    accept_secrets: bool = True
    accept_resources: bool = False
    urn: str = ""
    """The provider's own URN (``...::pulumi:providers:genauth::default``); empty if not sent."""


@dataclass
class ConfigureResponse:
    accept_secrets: bool = False
    supports_preview: bool = False


@dataclass
class CreateRequest:
    urn: str
    properties: Properties
    timeout: float = 0.0
    preview: bool = False


@dataclass
class CreateResponse:
    resource_id: str
    properties: Properties


@dataclass
class ReadRequest:
    urn: str
    resource_id: str
    properties: Properties
    inputs: Properties


@dataclass
class ReadResponse:
    resource_id: str
    properties: Properties
    inputs: Properties


@dataclass
class UpdateRequest:
    urn: str
    resource_id: str
    olds: Properties
    news: Properties
    timeout: float = 0.0
    ignore_changes: list[str] = field(default_factory=list)
    preview: bool = False


@dataclass
class UpdateResponse:
    properties: Properties


@dataclass
class DeleteRequest:
    urn: str
    resource_id: str
    properties: Properties
    timeout: float = 0.0


@dataclass
class GetSchemaRequest:
    version: int = 0


@dataclass
class GetSchemaResponse:
    schema: str = ""
