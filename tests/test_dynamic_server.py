"""The provider behind the SDK's real dynamic-provider gRPC server (``python -m pulumi.dynamic``).

Driven the way the engine drives it: Configure with the stack config (secrets as plain text,
since the server does not accept secrets), then Check / Diff / Create / Update / Read /
Delete with protobuf structs carrying the pickled provider and, on preview, unknowns.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from pulumi_genauth._resource import _PROVIDER
from pulumi_genauth.emulator.server import EmulatorServer

from .support import CANARIES, CASES, SMTP_PASSWORD, where

SERIALIZED_PROVIDER = serialize_provider(_PROVIDER)

# Since some SDK release after 3.216 the server answers a failure with its traceback, which
# pulumi_genauth turns into one line; older servers send the exception's text, which grpc
# prefixes with GRPC_PREFIX. Both are one line; these tests hold each SDK to its own form.
_SERVER_SOURCE = Path(importlib.util.find_spec("pulumi.dynamic.__main__").origin or "")
SERVER_SENDS_TRACEBACKS = "traceback.format_exc()" in _SERVER_SOURCE.read_text()
GRPC_PREFIX = "" if SERVER_SENDS_TRACEBACKS else "Exception calling application: "


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def plain(message: struct_pb2.Struct) -> dict[str, Any]:
    values: dict[str, Any] = json_format.MessageToDict(message)
    return values


def props(kind: str, **changes: Any) -> dict[str, Any]:
    return {
        **copy.deepcopy(CASES[kind][0]),
        "pool": None,
        "__provider": SERIALIZED_PROVIDER,
        **changes,
    }


def detail(diff: provider_pb2.DiffResponse) -> dict[str, str]:
    """A DiffResponse's detailed diff as {path: kind name}, every entry an input diff."""
    assert diff.hasDetailedDiff
    assert all(entry.inputDiff for entry in diff.detailedDiff.values())
    return {
        path: provider_pb2.PropertyDiff.Kind.Name(entry.kind)
        for path, entry in diff.detailedDiff.items()
    }


ServerFactory = Callable[..., provider_pb2_grpc.ResourceProviderStub]


@pytest.fixture
def start_server(emulator: EmulatorServer) -> Iterator[ServerFactory]:
    """Start the SDK's dynamic-provider server in a process of its own, configured for pool-a.

    Each call is a new plugin process, as the engine starts one per deployment;
    ``start_server(PULUMI_GENAUTH_DEBUG="1")`` adds variables to its environment.
    """
    with contextlib.ExitStack() as stack:

        def start(**environ: str) -> provider_pb2_grpc.ResourceProviderStub:
            env = {k: v for k, v in os.environ.items() if not k.startswith("GENAUTH_")}
            env.pop("PULUMI_GENAUTH_DEBUG", None)
            process = subprocess.Popen(
                [sys.executable, "-u", "-m", "pulumi.dynamic"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**env, "PULUMI_PROJECT": "genauth-test", **environ},
            )
            stack.callback(_stop, process)
            assert process.stdout is not None
            port = int(process.stdout.readline().strip())
            channel = stack.enter_context(grpc.insecure_channel(f"127.0.0.1:{port}"))
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            pool = emulator.pools[0]
            config = {
                "genauth:host": emulator.url,
                "genauth:accessKeyId": pool.access_key_id,
                "genauth:accessKeySecret": pool.access_key_secret,
            }
            stub.Configure(provider_pb2.ConfigureRequest(args=struct(config), acceptSecrets=True))
            return stub

        yield start


def _stop(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@pytest.fixture
def server(start_server: ServerFactory) -> provider_pb2_grpc.ResourceProviderStub:
    """One server process, as in one deployment."""
    return start_server()


URN = "urn:pulumi:test::genauth-test::pulumi-python:dynamic/genauth:EmailProvider::mail"


def test_the_pickled_provider_is_small_stable_and_holds_no_credentials() -> None:
    """__provider is a class reference only: ~100 bytes, the same every time, no secrets."""
    assert len(SERIALIZED_PROVIDER) < 200
    assert serialize_provider(_PROVIDER) == SERIALIZED_PROVIDER
    pickled = base64.b64decode(SERIALIZED_PROVIDER)
    assert b"pulumi_genauth._provider" in pickled
    assert b"EmailProviderProvider" in pickled
    assert b"access" not in pickled.lower()


def test_lifecycle_through_the_grpc_server(
    start_server: ServerFactory, emulator: EmulatorServer
) -> None:
    """check, create, diff, update, read and delete work through the real server.

    One server process per deployment, as the engine runs them: `up`, another `up`, then
    `refresh` and `destroy`.
    """
    server = start_server()
    news = props("custom")
    checked = server.Check(provider_pb2.CheckRequest(urn=URN, olds=struct({}), news=struct(news)))
    assert list(checked.failures) == []

    created = server.Create(provider_pb2.CreateRequest(urn=URN, properties=checked.inputs))
    assert created.id == "pool-a"
    outs = plain(created.properties)
    # The secret comes back under the same key path, which is what lets the engine keep it
    # secret in the state (same-name propagation).
    assert outs["smtp_config"]["sender_pass"] == SMTP_PASSWORD
    assert outs["userpool_id"] == "pool-a"

    same = server.Diff(
        provider_pb2.DiffRequest(id="pool-a", urn=URN, olds=created.properties, news=struct(news))
    )
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert same.hasDetailedDiff
    assert dict(same.detailedDiff) == {}

    rotated = props("custom")
    rotated["smtp_config"]["sender_pass"] = "rotated-pass"
    changed = server.Diff(
        provider_pb2.DiffRequest(
            id="pool-a", urn=URN, olds=created.properties, news=struct(rotated)
        )
    )
    assert changed.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(changed.replaces) == []
    # The rotated secret is named, so that `preview --diff` shows [secret] => [secret].
    assert detail(changed) == {"smtp_config.sender_pass": "UPDATE"}
    assert list(changed.diffs) == ["smtp_config"]

    server = start_server()
    updated = server.Update(
        provider_pb2.UpdateRequest(
            id="pool-a", urn=URN, olds=created.properties, news=struct(rotated)
        )
    )
    assert plain(updated.properties)["smtp_config"]["sender_pass"] == "rotated-pass"
    assert set(plain(updated.properties)) == set(outs)

    server = start_server()
    read = server.Read(
        provider_pb2.ReadRequest(id="pool-a", urn=URN, properties=updated.properties)
    )
    assert read.id == "pool-a"
    assert plain(read.inputs)["smtp_config"]["smtp_port"] == 465

    server.Delete(provider_pb2.DeleteRequest(id="pool-a", urn=URN, properties=updated.properties))
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored["enabled"] is False


def test_preview_with_unknowns_passes_and_makes_no_api_call(
    server: provider_pb2_grpc.ResourceProviderStub, emulator: EmulatorServer
) -> None:
    """Unknown values on the wire are accepted by Check and diff as a change, offline."""
    olds = props("sendgrid")
    news = props("sendgrid")
    news["send_grid_config"]["sender"] = rpc.UNKNOWN
    checked = server.Check(provider_pb2.CheckRequest(urn=URN, olds=struct({}), news=struct(news)))
    assert list(checked.failures) == []
    diff = server.Diff(
        provider_pb2.DiffRequest(id="pool-a", urn=URN, olds=struct(olds), news=struct(news))
    )
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert detail(diff) == {"send_grid_config.sender": "UPDATE"}
    assert emulator.requests() == []


def test_verify_smtp_alone_is_no_change_and_is_never_named(
    server: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    """Turning verify_smtp on changes nothing; beside a real change it is not named either."""
    olds = props("custom")
    news = props("custom", verify_smtp=True)
    same = server.Diff(
        provider_pb2.DiffRequest(id="pool-a", urn=URN, olds=struct(olds), news=struct(news))
    )
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    news["smtp_config"]["smtp_port"] = 587.0
    changed = server.Diff(
        provider_pb2.DiffRequest(id="pool-a", urn=URN, olds=struct(olds), news=struct(news))
    )
    assert detail(changed) == {"smtp_config.smtp_port": "UPDATE"}


def test_check_failures_name_the_property_path(
    server: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    """A bad port and an empty password come back as two failures, each on its path."""
    news = props("custom")
    news["smtp_config"].update(smtp_port=70000.0, sender_pass="")
    checked = server.Check(provider_pb2.CheckRequest(urn=URN, olds=struct({}), news=struct(news)))
    failures = {where(failure): failure.reason for failure in checked.failures}
    assert set(failures) == {"smtp_config.smtp_port", "smtp_config.sender_pass"}
    assert "1 to 65535" in failures["smtp_config.smtp_port"]


def test_a_pool_change_is_a_replacement(server: provider_pb2_grpc.ResourceProviderStub) -> None:
    """Diff asks for a replacement when `pool` changes."""
    diff = server.Diff(
        provider_pb2.DiffRequest(
            id="pool-a", urn=URN, olds=struct(props("qq")), news=struct(props("qq", pool="b"))
        )
    )
    assert list(diff.replaces) == ["pool"]
    assert detail(diff) == {"pool": "UPDATE_REPLACE"}


def test_api_errors_reach_the_engine_as_one_line_without_secrets(
    server: provider_pb2_grpc.ResourceProviderStub, emulator: EmulatorServer
) -> None:
    """A failing create reports one line with the API's requestId: no traceback, no secret."""
    emulator.add_fault(path="/api/v3/config-email-provider", status=400, times=10)
    with pytest.raises(grpc.RpcError) as info:
        server.Create(provider_pb2.CreateRequest(urn=URN, properties=struct(props("custom"))))
    details = info.value.details() or ""  # type: ignore[attr-defined]
    assert "\n" not in details.strip()
    assert details.startswith(
        f"{GRPC_PREFIX}GenAuth API POST /api/v3/config-email-provider failed:"
    )
    assert "HTTP 400" in details
    assert "requestId" in details
    assert "requestId none" not in details
    for canary in (*CANARIES, emulator.pools[0].access_key_secret):
        assert canary not in details


def test_a_bug_is_one_line_unless_the_traceback_is_asked_for(
    start_server: ServerFactory,
) -> None:
    """An unexpected error says so in one line; PULUMI_GENAUTH_DEBUG=1 shows its traceback."""
    broken = props("custom")
    del broken["type"]  # past check, which would refuse it: the engine never sends this
    request = provider_pb2.CreateRequest(urn=URN, properties=struct(broken))

    with pytest.raises(grpc.RpcError) as quiet:
        start_server().Create(request)
    details = quiet.value.details() or ""  # type: ignore[attr-defined]
    if not SERVER_SENDS_TRACEBACKS:
        # An SDK whose server sends the exception's text only, which grpc prefixes: one line.
        assert details == "Exception calling application: 'type'"
        return
    assert details == (
        "pulumi-genauth failed unexpectedly: KeyError: 'type' "
        "(set PULUMI_GENAUTH_DEBUG=1 for the traceback, and report it)"
    )

    with pytest.raises(grpc.RpcError) as loud:
        start_server(PULUMI_GENAUTH_DEBUG="1").Create(request)
    details = loud.value.details() or ""  # type: ignore[attr-defined]
    assert details.startswith("Traceback (most recent call last):")
    assert "pulumi_genauth/_setting.py" in details
    assert details.strip().endswith("KeyError: 'type'")


def test_numbers_that_arrive_as_floats_reach_the_api_as_whole_numbers(
    server: provider_pb2_grpc.ResourceProviderStub, emulator: EmulatorServer
) -> None:
    """The engine sends every number as a float: the port 465 is sent to GenAuth as 465."""
    news = props("custom")
    assert json_format.MessageToDict(struct(news))["smtp_config"]["smtp_port"] == 465.0
    server.Create(provider_pb2.CreateRequest(urn=URN, properties=struct(news)))
    stored = emulator.stored("pool-a")
    assert stored is not None
    port = stored["smtpConfig"]["smtp_port"]
    assert (port, type(port)) == (465, int)
