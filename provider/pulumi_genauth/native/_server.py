"""The ``pulumi-resource-genauth`` executable: the gRPC server the engine starts.

Two things differ from the SDK's ``pulumi.provider.experimental.main``:

* failures are reported as one line under the resource. The SDK's servicer re-raises every
  exception with its file-and-line frames in the text; here each call catches that, takes the
  original exception (the re-raise happens while handling it, so Python keeps it as the new
  one's ``__context__``) and aborts the call with :func:`_plugin_errors.one_line` of it.
  ``PULUMI_GENAUTH_DEBUG=1`` keeps the frames;
* warnings (a live setting overwritten, a pool left alone on delete) go to the engine's Log
  service with the resource's URN, so the CLI shows them under that resource; so do retries
  of a call to GenAuth, as ephemeral lines (``_engine_log``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Final

import grpc
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2_grpc

from .. import _plugin_errors
from .._constants import package_version
from .._engine_log import EngineLog
from ._provider import GenAuthProvider

# As the SDK's own server: room for large requests (a whole stack's checkpoint is not sent,
# but a schema is).
_GRPC_OPTIONS: Final = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


class OneLineServicer(ProviderServicer):
    """The SDK's servicer, aborting a failed call with one line instead of a traceback.

    Each RPC the engine sends this plugin (named as gRPC names it) is the SDK's, called
    through :meth:`_one_line`; ``context`` is grpc's ``aio.ServicerContext``.
    """

    async def _one_line(
        self, rpc: Callable[..., Awaitable[Any]], request: Any, context: Any
    ) -> Any:
        try:
            return await rpc(self, request, context)
        except NotImplementedError:
            raise
        except Exception as error:  # every failure is reported, in one line
            if _plugin_errors.debugging():
                raise
            # The SDK re-raised the original with its frames; the original is the context.
            original = error.__context__ if error.__context__ is not None else error
            await context.abort(grpc.StatusCode.UNKNOWN, _plugin_errors.one_line(original))

    async def GetSchema(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.GetSchema, request, context)

    async def CheckConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.CheckConfig, request, context)

    async def DiffConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.DiffConfig, request, context)

    async def Configure(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.Configure, request, context)

    async def Check(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.Check, request, context)

    async def Diff(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.Diff, request, context)

    async def Create(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.Create, request, context)

    async def Read(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.Read, request, context)

    async def Update(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.Update, request, context)

    async def Delete(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._one_line(ProviderServicer.Delete, request, context)


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
        servicer = OneLineServicer(sys.argv[1:], package_version(), provider, args.engine)
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
