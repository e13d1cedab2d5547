"""The native plugin's gRPC server (``pulumi-resource-genauth``), in process.

The servicer is called as grpc calls it, with the engine's own message classes: each call in
the order of a deployment (configure, check, create, read, update, delete) against the
emulator, reading every field the engine reads from the answer (ids, properties with their
secrets, inputs, failures, the diff's kinds), and each failure with a context that records
the abort. The warnings go to a stand-in for the engine's Log service; and ``main()`` serves on
a real port, as the engine starts it (its address first, then the engine's flags), until the
test stops it. The engine itself drives the plugin in tests/engine/test_native.py.
"""

from __future__ import annotations

import asyncio
import json
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any, Final

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2, provider_pb2_grpc

from pulumi_genauth import ConfigurationError
from pulumi_genauth._constants import package_version
from pulumi_genauth.emulator.server import EmulatorServer
from pulumi_genauth.native import _server
from pulumi_genauth.native._protocol import (
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi_genauth.native._provider import GenAuthProvider
from pulumi_genauth.native._schema import RESOURCE_TOKEN, schema
from pulumi_genauth.native._values import PropertyValue, marshal_map, unmarshal_map

from .support import sdk_client

URN: Final = f"urn:pulumi:dev::p::{RESOURCE_TOKEN}::mail"
REFUSED: Final = "genauth:host must be an https:// URL"
MISMATCH: Final = (
    "this resource manages user pool 'pool-b', but the GenAuth credentials in use belong to "
    "user pool 'pool-a', so nothing was touched: set the provider's accessKeyId and "
    "accessKeySecret (genauth:accessKeyId and genauth:accessKeySecret of the stack for the "
    "default provider) to the keys of 'pool-b', then "
    "run `pulumi up`, or `pulumi refresh --run-program` / `pulumi destroy --run-program` (a "
    "plain refresh or destroy reuses the credentials recorded by the last deployment)"
)
UNEXPECTED: Final = (
    "pulumi-genauth failed unexpectedly: KeyError: 'smtp_config' "
    "(set PULUMI_GENAUTH_DEBUG=1 for the traceback, and report it)"
)


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


class AbortedError(Exception):
    """What grpc's ``context.abort`` raises to end the call."""


class Context:
    """A grpc servicer context that records the one abort of a call."""

    def __init__(self) -> None:
        self.aborted: tuple[grpc.StatusCode, str] | None = None

    async def abort(self, code: grpc.StatusCode, details: str) -> None:
        self.aborted = (code, details)
        raise AbortedError


class Failing(GenAuthProvider):
    """A provider each of whose methods fails as ``raise_it`` says."""

    def __init__(self, raise_it: Callable[[], None]) -> None:
        super().__init__(environ={})
        self._raise_it = raise_it

    async def get_schema(self, _request: GetSchemaRequest) -> GetSchemaResponse:
        self._raise_it()
        return GetSchemaResponse()

    async def check_config(self, _request: CheckRequest) -> CheckResponse:
        self._raise_it()
        return CheckResponse()

    async def diff_config(self, _request: DiffRequest) -> DiffResponse:
        self._raise_it()
        return DiffResponse()

    async def configure(self, _request: ConfigureRequest) -> ConfigureResponse:
        self._raise_it()
        return ConfigureResponse()

    async def check(self, _request: CheckRequest) -> CheckResponse:
        self._raise_it()
        return CheckResponse()

    async def diff(self, _request: DiffRequest) -> DiffResponse:
        self._raise_it()
        return DiffResponse()

    async def create(self, _request: CreateRequest) -> CreateResponse:
        self._raise_it()
        return CreateResponse()

    async def read(self, _request: ReadRequest) -> ReadResponse:
        self._raise_it()
        return ReadResponse()

    async def update(self, _request: UpdateRequest) -> UpdateResponse:
        self._raise_it()
        return UpdateResponse()

    async def delete(self, _request: DeleteRequest) -> None:
        self._raise_it()


# Each RPC the engine sends this plugin, with a request of its type.
RPCS: Final = {
    "GetSchema": provider_pb2.GetSchemaRequest(),
    "CheckConfig": provider_pb2.CheckRequest(urn=URN),
    "DiffConfig": provider_pb2.DiffRequest(urn=URN),
    "Configure": provider_pb2.ConfigureRequest(),
    "Check": provider_pb2.CheckRequest(urn=URN),
    "Diff": provider_pb2.DiffRequest(urn=URN, id="pool-a"),
    "Create": provider_pb2.CreateRequest(urn=URN),
    "Read": provider_pb2.ReadRequest(urn=URN, id="pool-a"),
    "Update": provider_pb2.UpdateRequest(urn=URN, id="pool-a"),
    "Delete": provider_pb2.DeleteRequest(urn=URN, id="pool-a"),
}


def call(provider: GenAuthProvider, rpc: str) -> Context:
    """Call one RPC of the plugin's servicer as grpc does; the context shows how it ended."""
    servicer = _server.ProviderServicer(package_version(), provider)
    context = Context()
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(AbortedError):
            loop.run_until_complete(getattr(servicer, rpc)(RPCS[rpc], context))
    finally:
        loop.close()
        provider.close()
    return context


def refuse() -> None:
    raise ConfigurationError(REFUSED)


def fail_unexpectedly() -> None:
    raise KeyError("smtp_config")


@pytest.mark.parametrize("rpc", list(RPCS))
def test_every_call_reports_a_failure_as_one_line(rpc: str) -> None:
    """A GenAuthError in any call aborts it with its own message: no frames, no wrapper."""
    assert call(Failing(refuse), rpc).aborted == (grpc.StatusCode.UNKNOWN, REFUSED)


@pytest.mark.parametrize("rpc", ["GetSchema", "Create"])
def test_an_unexpected_error_is_one_line_pointing_at_the_debug_switch(rpc: str) -> None:
    """A bug shows its type and message, and how to get the traceback."""
    assert call(Failing(fail_unexpectedly), rpc).aborted == (grpc.StatusCode.UNKNOWN, UNEXPECTED)


def test_the_debug_switch_reports_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """PULUMI_GENAUTH_DEBUG=1: the call ends with the error's traceback, frames included."""
    monkeypatch.setenv("PULUMI_GENAUTH_DEBUG", "1")
    aborted = call(Failing(refuse), "Create").aborted
    assert aborted is not None
    code, detail = aborted
    assert code == grpc.StatusCode.UNKNOWN
    assert detail.startswith("Traceback (most recent call last):")
    assert 'File "' in detail
    assert detail.endswith(f"ConfigurationError: {REFUSED}")


def test_diff_answers_with_its_paths_and_never_a_replacement() -> None:
    """On the wire: a detailed diff (or --diff names no field), DIFF_SOME, nothing replaced."""
    provider = GenAuthProvider(environ={})
    servicer = _server.ProviderServicer(package_version(), provider)
    olds = {"type": "custom", "smtpConfig": {"smtpHost": "a", "smtpPort": 25.0}}
    news = {"type": "custom", "smtpConfig": {"smtpHost": "b", "smtpPort": 25.0}}
    request = provider_pb2.DiffRequest(urn=URN, id="pool-a", olds=struct(olds), news=struct(news))
    loop = asyncio.new_event_loop()
    try:
        answer = loop.run_until_complete(servicer.Diff(request, Context()))
    finally:
        loop.close()
        provider.close()
    assert answer.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert answer.hasDetailedDiff
    assert dict(answer.detailedDiff) == {
        "smtpConfig.smtpHost": provider_pb2.PropertyDiff(
            kind=provider_pb2.PropertyDiff.UPDATE, inputDiff=True
        )
    }
    assert list(answer.replaces) == []
    assert not answer.deleteBeforeReplace


# -- warnings: the engine's Log service ---------------------------------------------------------


class Engine(engine_pb2_grpc.EngineServicer):  # type: ignore[misc]
    """The engine's Log service, recording what it is sent."""

    def __init__(self) -> None:
        self.logs: list[engine_pb2.LogRequest] = []

    def Log(self, request: engine_pb2.LogRequest, _context: Any) -> empty_pb2.Empty:  # noqa: N802
        self.logs.append(request)
        return empty_pb2.Empty()


@pytest.fixture
def engine() -> Iterator[tuple[Engine, str]]:
    """A stand-in for the engine on a loopback port: (its Log service, its address)."""
    service = Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield service, f"127.0.0.1:{port}"
    server.stop(None)


def test_a_warning_goes_to_the_engine_under_the_resource(engine: tuple[Engine, str]) -> None:
    """EngineLog.warn sends a WARNING with the resource's URN, on one connection for all."""
    service, address = engine
    log = _server.EngineLog(address)

    log.warn(URN, "user pool pool-a already sends mail")
    log.warn(f"{URN}-2", "another")

    assert [(entry.severity, entry.urn, entry.message) for entry in service.logs] == [
        (engine_pb2.WARNING, URN, "user pool pool-a already sends mail"),
        (engine_pb2.WARNING, f"{URN}-2", "another"),
    ]
    assert not any(entry.ephemeral for entry in service.logs)


def test_a_note_goes_to_the_engine_under_the_resource_as_ephemeral(
    engine: tuple[Engine, str],
) -> None:
    """EngineLog.note (a retry) is shown while the step runs and not kept in the summary."""
    service, address = engine
    _server.EngineLog(address).note(URN, "POST https://h/p: attempt 1 failed")
    assert [(e.severity, e.urn, e.message, e.ephemeral) for e in service.logs] == [
        (engine_pb2.WARNING, URN, "POST https://h/p: attempt 1 failed", True)
    ]


def test_the_engine_connection_is_made_once_at_the_first_warning(
    monkeypatch: pytest.MonkeyPatch, engine: tuple[Engine, str]
) -> None:
    """No connection until a warning; then one, to the engine's address, for every warning."""
    _service, address = engine
    opened: list[str] = []
    real = grpc.insecure_channel

    def channel(target: str) -> grpc.Channel:
        opened.append(target)
        return real(target)

    monkeypatch.setattr(grpc, "insecure_channel", channel)
    log = _server.EngineLog(address)
    assert opened == []
    log.warn(URN, "one")
    log.warn(URN, "two")
    assert opened == [address]


# -- main(): the plugin process ------------------------------------------------------------------


class Lines:
    """Standard output of the plugin: each line written, handed over to the test."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()

    def write(self, text: str) -> int:
        for line in text.splitlines():
            self.lines.put(line)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.fixture
def plugin(
    monkeypatch: pytest.MonkeyPatch, engine: tuple[Engine, str]
) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """main() in a thread, started as the engine starts it; a client of the port it prints."""
    _service, address = engine
    started: list[tuple[grpc.aio.Server, asyncio.AbstractEventLoop]] = []
    real = grpc.aio.server

    def server(**options: Any) -> grpc.aio.Server:
        made = real(**options)
        started.append((made, asyncio.get_running_loop()))
        return made

    monkeypatch.setattr(grpc.aio, "server", server)
    # As the engine starts a plugin (pulumi/pulumi v3.274.1, pkg/workspace/plugins.go,
    # buildPluginArguments): its own flags first, --tracing with its endpoint among them, then
    # its address.
    argv = ["--logtostderr", "-v=9", "--tracing", "http://127.0.0.1:1", address]
    monkeypatch.setattr(sys, "argv", ["pulumi-resource-genauth", *argv])
    stdout = Lines()
    monkeypatch.setattr(sys, "stdout", stdout)
    thread = threading.Thread(target=_server.main, daemon=True)
    thread.start()
    port = int(stdout.lines.get(timeout=20))
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield provider_pb2_grpc.ResourceProviderStub(channel)
    channel.close()
    made, loop = started[0]
    # Ending the server ends main() (and asyncio.run cancels this very call on its way out).
    asyncio.run_coroutine_threadsafe(made.stop(None), loop)
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_the_plugin_prints_its_port_and_serves_its_version_and_schema(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    """The port on stdout; GetPluginInfo is the package's version, GetSchema the schema."""
    assert plugin.GetPluginInfo(empty_pb2.Empty()).version == package_version()
    served = plugin.GetSchema(provider_pb2.GetSchemaRequest()).schema
    assert json.loads(served) == schema()
    assert schema()["version"] == package_version()


def test_the_plugin_takes_secrets_and_is_not_called_in_a_preview(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    """Configure answers acceptSecrets, and no supportsPreview: a preview calls no Create."""
    answer = plugin.Configure(provider_pb2.ConfigureRequest(args=struct({"accessKeyId": "i"})))
    assert (answer.acceptSecrets, answer.supportsPreview) == (True, False)


def test_the_plugin_takes_a_request_over_grpc_s_default_4_mb(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    """A 5 MB request (a large program's inputs) is read, not refused by the transport."""
    news = struct({"type": "custom", "smtpConfig": {"smtpHost": "h" * 5_000_000}})
    answer = plugin.Diff(provider_pb2.DiffRequest(urn=URN, id="pool-a", news=news))
    assert answer.changes == provider_pb2.DiffResponse.DIFF_SOME


def test_the_plugin_tells_a_retry_to_the_engine_under_the_resource(
    plugin: provider_pb2_grpc.ResourceProviderStub,
    engine: tuple[Engine, str],
    emulator: EmulatorServer,
) -> None:
    """Over the wire: a call to GenAuth retried during a create shows under the resource, on
    its line while the step runs (an ephemeral message), not in the summary."""
    service, _address = engine
    pool = emulator.pools[0]
    keys = {"host": emulator.url, "accessKeyId": pool.access_key_id,
            "accessKeySecret": pool.access_key_secret}  # fmt: skip
    plugin.Configure(provider_pb2.ConfigureRequest(args=struct(keys)))
    emulator.add_fault(path="/api/v3/get-management-token", status=503, retry_after="0")
    smtp = {"smtpHost": "smtp.example.com", "smtpPort": 465, "senderPass": "pw"}

    plugin.Create(provider_pb2.CreateRequest(urn=URN, properties=struct(
        {"type": "custom", "smtpConfig": smtp})))  # fmt: skip

    assert [(entry.urn, entry.ephemeral) for entry in service.logs] == [(URN, True)]
    assert "/api/v3/get-management-token: attempt 1 failed" in service.logs[0].message


def test_the_plugin_reports_a_failure_in_one_line_and_warns_through_the_engine(
    plugin: provider_pb2_grpc.ResourceProviderStub,
    engine: tuple[Engine, str],
    emulator: EmulatorServer,
) -> None:
    """Over the wire: a create's warning reaches the engine's Log; a failure is one line."""
    service, _address = engine
    pool = emulator.pools[0]
    keys = {"host": emulator.url, "accessKeyId": pool.access_key_id,
            "accessKeySecret": pool.access_key_secret}  # fmt: skip
    # Someone set the pool up before: the create replaces that, with a warning.
    answer = sdk_client(emulator).config_email_provider(
        type="sendgrid",
        enabled=True,
        send_grid_config={"sender": "a@example.com", "apikey": "k"},
    )
    assert answer["statusCode"] == 200
    plugin.Configure(provider_pb2.ConfigureRequest(args=struct(keys)))
    smtp = {"smtpHost": "smtp.example.com", "smtpPort": 465, "senderPass": "pw"}

    plugin.Create(provider_pb2.CreateRequest(urn=URN, properties=struct(
        {"type": "custom", "smtpConfig": smtp})))  # fmt: skip
    with pytest.raises(grpc.RpcError) as caught:
        plugin.Update(provider_pb2.UpdateRequest(urn=URN, id="pool-b", news=struct(
            {"type": "custom", "smtpConfig": smtp})))  # fmt: skip

    assert [(entry.severity, entry.urn, entry.message) for entry in service.logs] == [
        (engine_pb2.WARNING, URN, "user pool pool-a already sends mail through a third-party "
         "provider (type 'sendgrid'); it is replaced by the declared 'custom' setting"),
    ]  # fmt: skip
    error: Any = caught.value
    assert error.code() == grpc.StatusCode.UNKNOWN
    assert error.details() == MISMATCH


def test_the_plugin_words_a_check_by_its_provider_s_urn_and_diffs_its_config_by_path(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    """Over the wire: the URN Configure gives (an explicit provider 'all') words a pool that is
    no entry; DiffConfig names an entry added to pools by its path, never a replacement."""
    provider_urn = "urn:pulumi:dev::p::pulumi:providers:genauth::all"
    pools = {"support": {"accessKeyId": "i", "accessKeySecret": "s"}}
    plugin.Configure(provider_pb2.ConfigureRequest(urn=provider_urn, args=struct({"pools": pools})))
    sendgrid = {"sender": "a@example.com", "apikey": "k"}

    checked = plugin.Check(provider_pb2.CheckRequest(urn=URN, news=struct(
        {"type": "sendgrid", "sendGridConfig": sendgrid, "pool": "suport"})))  # fmt: skip
    added = {**pools, "spare": {"accessKeyId": "j", "accessKeySecret": "t"}}
    olds, news = struct({"pools": pools}), struct({"pools": added})
    diff = plugin.DiffConfig(provider_pb2.DiffRequest(urn=provider_urn, olds=olds, news=news))

    assert [failure.reason for failure in checked.failures] == [
        "pool 'suport' is not an entry of the pools of provider 'all' (entries: 'support'): "
        "did you mean 'support'?"
    ]
    assert (diff.changes, diff.hasDetailedDiff, list(diff.replaces)) == (
        provider_pb2.DiffResponse.DIFF_SOME,
        True,
        [],
    )
    assert {path: (d.kind, d.inputDiff) for path, d in diff.detailedDiff.items()} == {
        "pools.spare": (provider_pb2.PropertyDiff.ADD, True)
    }


# -- each call through the servicer, in a deployment's order, against the emulator ------------


PROVIDER_URN: Final = "urn:pulumi:dev::p::pulumi:providers:genauth::default"
SENDGRID: Final = {"sender": "a@example.com", "apikey": "k-1"}


class SucceedingContext:
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
        return self.loop.run_until_complete(
            getattr(self.servicer, rpc)(request, SucceedingContext())
        )

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
