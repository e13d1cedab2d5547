"""Each call of the native plugin's servicer, from the engine's message to the provider and back.

The engine sends protobuf messages and reads protobuf answers: these tests call the servicer
(``native/_server.ProviderServicer``) as grpc does, with the engine's own message classes, in
the order of a deployment (configure, check, create, read, update, delete), against the
emulator, and read every field the engine reads from the answer: ids, properties with their
secrets, inputs, failures, the diff's kinds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any, Final

import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import provider_pb2

from pulumi_genauth.emulator.server import EmulatorServer
from pulumi_genauth.native import _server
from pulumi_genauth.native._provider import GenAuthProvider
from pulumi_genauth.native._schema import RESOURCE_TOKEN, schema
from pulumi_genauth.native._values import PropertyValue, marshal_map, unmarshal_map

URN: Final = f"urn:pulumi:dev::p::{RESOURCE_TOKEN}::mail"
PROVIDER_URN: Final = "urn:pulumi:dev::p::pulumi:providers:genauth::default"
SENDGRID: Final = {"sender": "a@example.com", "apikey": "k-1"}


class Context:
    """A grpc servicer context for calls that succeed: an abort fails the test."""

    async def abort(self, code: Any, details: str) -> None:
        raise AssertionError(f"the call was aborted: {code} {details}")


class Wire:
    """One plugin process, called as the engine calls it."""

    def __init__(self, emulator: EmulatorServer) -> None:
        self.provider = GenAuthProvider(environ={})
        self.servicer = _server.ProviderServicer("9.9.9", self.provider)
        self.loop = asyncio.new_event_loop()
        pool = emulator.pools[0]
        self.args = marshal_map(
            {
                "host": PropertyValue(emulator.url),
                "accessKeyId": PropertyValue(pool.access_key_id),
                "accessKeySecret": PropertyValue(pool.access_key_secret, True),
            }
        )

    def __call__(self, rpc: str, request: Any) -> Any:
        return self.loop.run_until_complete(getattr(self.servicer, rpc)(request, Context()))

    def configure(self) -> Any:
        return self("Configure", provider_pb2.ConfigureRequest(args=self.args, acceptSecrets=True))

    def close(self) -> None:
        self.loop.close()
        self.provider.close()


@pytest.fixture
def wire(emulator: EmulatorServer) -> Iterator[Wire]:
    made = Wire(emulator)
    yield made
    made.close()


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def sendgrid(apikey: str = "k-1") -> struct_pb2.Struct:
    return struct({"type": "sendgrid", "sendGridConfig": {**SENDGRID, "apikey": apikey}})


def test_plugin_info_schema_and_cancel(wire: Wire) -> None:
    assert wire("GetPluginInfo", empty_pb2.Empty()).version == "9.9.9"
    served = wire("GetSchema", provider_pb2.GetSchemaRequest(version=0)).schema
    assert json.loads(served) == schema()
    assert wire("Cancel", empty_pb2.Empty()) == empty_pb2.Empty()


def test_configure_accepts_secrets_and_check_config_keeps_the_key_secret(wire: Wire) -> None:
    configured = wire.configure()
    assert configured.acceptSecrets
    assert not configured.supportsPreview
    assert not configured.acceptResources
    checked = wire("CheckConfig", provider_pb2.CheckRequest(urn=PROVIDER_URN, news=wire.args))
    assert list(checked.failures) == []
    assert unmarshal_map(checked.inputs)["accessKeySecret"].is_secret
    assert unmarshal_map(checked.inputs)["accessKeyId"] == PropertyValue("pool-a-access-key-id")
    typo = struct({"acessKeyId": "x"})
    refused = wire("CheckConfig", provider_pb2.CheckRequest(urn=PROVIDER_URN, news=typo))
    assert [(f.property, f.reason.split(":")[0]) for f in refused.failures] == [
        ("", "the stack config key genauth")
    ]
    answer = wire("DiffConfig", provider_pb2.DiffRequest(urn=PROVIDER_URN, olds=typo, news=typo))
    assert answer.changes == provider_pb2.DiffResponse.DIFF_NONE  # the same config
    moved = struct({"host": "https://api.authing.cn"})
    answer = wire("DiffConfig", provider_pb2.DiffRequest(urn=PROVIDER_URN, olds=typo, news=moved))
    assert answer.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert sorted(answer.detailedDiff) == ["acessKeyId", "host"]
    assert list(answer.replaces) == []  # a provider's change never replaces it


def test_check_answers_marked_inputs_or_failures_by_path(wire: Wire) -> None:
    wire.configure()
    checked = wire("Check", provider_pb2.CheckRequest(urn=URN, news=sendgrid(), randomSeed=b"s"))
    assert list(checked.failures) == []
    inputs = unmarshal_map(checked.inputs)
    assert inputs["sendGridConfig"].value["apikey"] == PropertyValue("k-1", True)
    assert inputs["accessKeyId"] == PropertyValue("pool-a-access-key-id")
    bad = struct({"type": "custom", "smtpConfig": {"smtpHost": "h", "smtpPort": 70000}})
    refused = wire("Check", provider_pb2.CheckRequest(urn=URN, news=bad))
    assert [f.property for f in refused.failures] == [""] * len(refused.failures)
    assert any(f.reason.startswith("smtpConfig.smtpPort") for f in refused.failures)


def test_diff_on_the_wire_names_the_rotated_secret(wire: Wire) -> None:
    answer = wire(
        "Diff",
        provider_pb2.DiffRequest(urn=URN, id="pool-a", olds=sendgrid(), news=sendgrid("k-2")),
    )
    assert answer.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert dict(answer.detailedDiff) == {
        "sendGridConfig.apikey": provider_pb2.PropertyDiff(
            kind=provider_pb2.PropertyDiff.UPDATE, inputDiff=True
        )
    }
    same = wire(
        "Diff", provider_pb2.DiffRequest(urn=URN, id="pool-a", olds=sendgrid(), news=sendgrid())
    )
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE


def test_a_deployment_s_calls_round_trip_through_the_wire(
    emulator: EmulatorServer,
) -> None:
    """create, then (each as a deployment of its own) read, update and delete."""
    first = Wire(emulator)
    first.configure()
    checked = first("Check", provider_pb2.CheckRequest(urn=URN, news=sendgrid()))
    created = first(
        "Create", provider_pb2.CreateRequest(urn=URN, properties=checked.inputs, timeout=60)
    )
    first.close()
    assert created.id == "pool-a"
    outputs = unmarshal_map(created.properties)
    assert outputs["sendGridConfig"].value["apikey"] == PropertyValue("k-1", True)
    assert outputs["userpoolId"] == PropertyValue("pool-a")
    assert emulator.stored("pool-a")["sendGridConfig"] == SENDGRID

    refreshing = Wire(emulator)
    refreshing.configure()
    read = refreshing(
        "Read",
        provider_pb2.ReadRequest(
            urn=URN, id="pool-a", properties=created.properties, inputs=checked.inputs
        ),
    )
    refreshing.close()
    assert read.id == "pool-a"
    assert unmarshal_map(read.inputs)["sendGridConfig"].value["apikey"] == PropertyValue(
        "k-1", True
    )
    assert unmarshal_map(read.properties)["type"] == PropertyValue("sendgrid")

    updating = Wire(emulator)
    updating.configure()
    updated = updating(
        "Update",
        provider_pb2.UpdateRequest(
            urn=URN, id="pool-a", olds=read.properties, news=sendgrid("k-2"), timeout=60
        ),
    )
    updating.close()
    assert unmarshal_map(updated.properties)["sendGridConfig"].value["apikey"].is_secret
    assert emulator.stored("pool-a")["sendGridConfig"]["apikey"] == "k-2"

    destroying = Wire(emulator)
    destroying.configure()
    deleted = destroying(
        "Delete", provider_pb2.DeleteRequest(urn=URN, id="pool-a", properties=updated.properties)
    )
    destroying.close()
    assert deleted == empty_pb2.Empty()
    assert emulator.stored("pool-a")["enabled"] is False


def test_another_pool_is_a_replacement_on_the_wire(wire: Wire) -> None:
    def on(pool: str) -> struct_pb2.Struct:
        return struct({"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": pool})

    answer = wire(
        "Diff", provider_pb2.DiffRequest(urn=URN, id="pool-a", olds=on("a"), news=on("b"))
    )
    assert list(answer.replaces) == ["pool"]
    assert not answer.deleteBeforeReplace


def test_the_import_check_is_told_by_its_old_inputs(wire: Wire) -> None:
    """`pulumi import` checks Read's inputs as old and new: the unread secret passes there;
    the same inputs as a program's (no old inputs) are refused."""
    wire.configure()
    unread = struct(
        {"type": "sendgrid", "sendGridConfig": {"sender": "a@example.com", "apikey": None}}
    )
    imported = wire("Check", provider_pb2.CheckRequest(urn=URN, olds=unread, news=unread))
    assert list(imported.failures) == []
    declared = wire("Check", provider_pb2.CheckRequest(urn=URN, news=unread))
    assert list(declared.failures) != []
