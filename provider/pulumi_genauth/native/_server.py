"""The ``pulumi-resource-genauth`` executable: the gRPC server the engine starts.

The engine starts one plugin process per provider (the default one and each explicit
``genauth`` provider), so what the process loads before it prints its port is paid once per
provider, and a stack may have tens. This server therefore loads only what serving needs:
grpc, the protocol's generated messages (``_pulumirpc``, without the Pulumi SDK), the
schema and the core's rules; pydantic, the HTTP client and the lifecycle are imported by the
first call that talks to GenAuth (a preview makes none).

It answers the calls a custom resource provider answers (``GetPluginInfo``, ``GetSchema``,
``CheckConfig``, ``DiffConfig``, ``Configure``, ``Check``, ``Diff``, ``Create``, ``Read``,
``Update``, ``Delete``, ``Cancel``); the others are the generated servicer's UNIMPLEMENTED, as
the engine expects of a provider without components, functions or parameterization.

* A failure is reported as one line under the resource (:func:`_plugin_errors.one_line`);
  ``PULUMI_GENAUTH_DEBUG=1`` reports its traceback instead;
* warnings (a live setting overwritten, a pool left alone on delete) go to the engine's Log
  service with the resource's URN, so the CLI shows them under that resource; so do retries
  of a call to GenAuth, as ephemeral lines (``_engine_log``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import traceback
from collections.abc import Awaitable
from typing import Any, Final, TypeVar

import grpc
from google.protobuf import empty_pb2  # type: ignore[import-untyped]

from .. import _plugin_errors
from .._engine_log import EngineLog
from .._pulumirpc import plugin_pb2, provider_pb2, provider_pb2_grpc
from . import _protocol as protocol
from ._provider import GenAuthProvider
from ._schema import schema
from ._values import marshal_map, unmarshal_map

T = TypeVar("T")

# As the SDK's own server: room for large requests.
_GRPC_OPTIONS: Final = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


class ProviderServicer(provider_pb2_grpc.ResourceProviderServicer):  # type: ignore[misc]
    """The engine's calls, translated to the provider's (``_protocol``) and back.

    Each method is the gRPC method of the same name; ``context`` is grpc's
    ``aio.ServicerContext``.
    """

    def __init__(self, version: str, provider: GenAuthProvider) -> None:
        self._version = version
        self._provider = provider

    async def _answer(self, answer: Awaitable[T], context: Any) -> T:
        """The provider's answer; its failure ends the call with one line (or the traceback)."""
        try:
            return await answer
        except Exception as error:  # every failure is reported, in one line
            detail = (
                traceback.format_exc().strip()
                if _plugin_errors.debugging()
                else _plugin_errors.one_line(error)
            )
            await context.abort(grpc.StatusCode.UNKNOWN, detail)
            raise  # abort raises; this keeps type checkers (and a fake context) honest

    async def GetPluginInfo(self, _request: Any, _context: Any) -> Any:  # noqa: N802
        return plugin_pb2.PluginInfo(version=self._version)

    async def GetSchema(self, request: Any, context: Any) -> Any:  # noqa: N802
        answer = await self._answer(
            self._provider.get_schema(protocol.GetSchemaRequest(request.version)), context
        )
        return provider_pb2.GetSchemaResponse(schema=answer.schema)

    async def CheckConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        answer = await self._answer(self._provider.check_config(_check(request)), context)
        return _check_response(answer)

    async def DiffConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        answer = await self._answer(self._provider.diff_config(_diff(request)), context)
        return _diff_response(answer)

    async def Configure(self, request: Any, context: Any) -> Any:  # noqa: N802
        configure = protocol.ConfigureRequest(
            dict(request.variables),
            unmarshal_map(request.args),
            request.acceptSecrets,
            request.acceptResources,
            request.urn,
        )
        answer = await self._answer(self._provider.configure(configure), context)
        return provider_pb2.ConfigureResponse(
            acceptSecrets=answer.accept_secrets, supportsPreview=answer.supports_preview
        )

    async def Check(self, request: Any, context: Any) -> Any:  # noqa: N802
        return _check_response(await self._answer(self._provider.check(_check(request)), context))

    async def Diff(self, request: Any, context: Any) -> Any:  # noqa: N802
        return _diff_response(await self._answer(self._provider.diff(_diff(request)), context))

    async def Create(self, request: Any, context: Any) -> Any:  # noqa: N802
        create = protocol.CreateRequest(
            request.urn, unmarshal_map(request.properties), request.timeout, request.preview
        )
        answer = await self._answer(self._provider.create(create), context)
        return provider_pb2.CreateResponse(
            id=answer.resource_id, properties=marshal_map(answer.properties)
        )

    async def Read(self, request: Any, context: Any) -> Any:  # noqa: N802
        read = protocol.ReadRequest(
            request.urn,
            request.id,
            unmarshal_map(request.properties),
            unmarshal_map(request.inputs),
        )
        answer = await self._answer(self._provider.read(read), context)
        return provider_pb2.ReadResponse(
            id=answer.resource_id,
            properties=marshal_map(answer.properties),
            inputs=marshal_map(answer.inputs),
        )

    async def Update(self, request: Any, context: Any) -> Any:  # noqa: N802
        update = protocol.UpdateRequest(
            request.urn,
            request.id,
            unmarshal_map(request.olds),
            unmarshal_map(request.news),
            request.timeout,
            list(request.ignoreChanges),
            request.preview,
        )
        answer = await self._answer(self._provider.update(update), context)
        return provider_pb2.UpdateResponse(properties=marshal_map(answer.properties))

    async def Delete(self, request: Any, context: Any) -> Any:  # noqa: N802
        delete = protocol.DeleteRequest(
            request.urn, request.id, unmarshal_map(request.properties), request.timeout
        )
        await self._answer(self._provider.delete(delete), context)
        return empty_pb2.Empty()

    async def Cancel(self, _request: Any, _context: Any) -> Any:  # noqa: N802
        # Nothing to stop early: each call to GenAuth is bounded by its timeouts and retries.
        return empty_pb2.Empty()


def _check(request: Any) -> protocol.CheckRequest:
    return protocol.CheckRequest(
        request.urn, unmarshal_map(request.olds), unmarshal_map(request.news), request.randomSeed
    )


def _check_response(answer: protocol.CheckResponse) -> Any:
    return provider_pb2.CheckResponse(
        inputs=marshal_map(answer.inputs) if answer.inputs is not None else None,
        failures=[
            provider_pb2.CheckFailure(property=failure.property, reason=failure.reason)
            for failure in answer.failures or ()
        ],
    )


def _diff(request: Any) -> protocol.DiffRequest:
    return protocol.DiffRequest(
        request.urn,
        request.id,
        unmarshal_map(request.olds),
        unmarshal_map(request.news),
        list(request.ignoreChanges),
    )


def _diff_response(answer: protocol.DiffResponse) -> Any:
    if answer.changes is None:
        changes = provider_pb2.DiffResponse.DIFF_UNKNOWN
    elif answer.changes:
        changes = provider_pb2.DiffResponse.DIFF_SOME
    else:
        changes = provider_pb2.DiffResponse.DIFF_NONE
    detailed = {
        path: provider_pb2.PropertyDiff(kind=diff.kind.value, inputDiff=diff.input_diff)
        for path, diff in answer.detailed_diff.items()
    }
    return provider_pb2.DiffResponse(
        changes=changes,
        replaces=answer.replaces,
        detailedDiff=detailed,
        # Without it, `pulumi preview --diff` names no field at all.
        hasDetailedDiff=True,
    )


def main() -> None:
    """Serve the provider: print the port, then answer the engine until it hangs up."""
    parser = argparse.ArgumentParser(description="pulumi-genauth native provider plugin")
    parser.add_argument("engine", help="the Pulumi engine's address")
    # The engine's flags come before its address, and the plugin reads none of them:
    # parse_known_args leaves --logtostderr and -v=N aside, but --tracing takes a value,
    # which would otherwise be taken for the address.
    parser.add_argument("--tracing", help="ignored")
    args, _ = parser.parse_known_args()
    engine = EngineLog(args.engine)
    provider = GenAuthProvider(log=engine.warn, note=engine.note)

    async def serve() -> None:
        server = grpc.aio.server(options=_GRPC_OPTIONS)
        # The schema states the package's version (tests/test_versions.py holds the two
        # together); reading the installed metadata instead would cost the start 2 MB.
        servicer = ProviderServicer(schema()["version"], provider)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        sys.stdout.write(f"{port}\n")
        sys.stdout.flush()
        await server.wait_for_termination()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    finally:
        provider.close()
