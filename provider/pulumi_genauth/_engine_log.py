"""A plugin's line to the engine's Log service: messages shown under one resource.

The engine starts each provider plugin with its own address as the last argument; a message
sent to its ``Log`` service with a resource's URN is shown under that resource, and an
*ephemeral* one only while the resource's step runs (on its line of the progress display), not
in the summary after it. Both front ends' plugins use this: the native plugin for every
message, the dynamic resource's plugin where it can tell which resource a call is for
(``_dynamic_server.request_urn``).
"""

from __future__ import annotations

import threading
from typing import Any

import grpc

from ._pulumirpc import engine_pb2, engine_pb2_grpc


class EngineLog:
    """Sends messages to the engine, attached to a resource (its URN); safe from any thread."""

    def __init__(self, engine_address: str) -> None:
        self._address = engine_address
        self._lock = threading.Lock()
        self._stub: Any = None  # engine_pb2_grpc.EngineStub, made at the first message

    def warn(self, urn: str, message: str) -> None:
        """Show ``message`` as a warning under the resource ``urn``, kept in the summary."""
        self._send(urn, message, ephemeral=False)

    def note(self, urn: str, message: str) -> None:
        """Show ``message`` under the resource while its step runs (a retry); not kept."""
        self._send(urn, message, ephemeral=True)

    def _send(self, urn: str, message: str, *, ephemeral: bool) -> None:
        with self._lock:
            if self._stub is None:
                self._stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(self._address))
            stub = self._stub
        stub.Log(
            engine_pb2.LogRequest(
                severity=engine_pb2.WARNING, message=message, urn=urn, ephemeral=ephemeral
            )
        )
