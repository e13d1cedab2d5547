"""Misbehaviour on request: the faults a test can queue for the emulator's API paths.

A fault is used up by one request to its path (or to any API path); ``times`` queues it for
that many requests. It can pause (``latency_seconds``), answer with a real HTTP error status
(``status``, with ``retry_after``), answer HTTP 200 with a failure envelope
(``envelope_status``), or answer a body that is not JSON (``malformed``). A fault with only a
latency lets the request through, late.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, PlainTextResponse, Response

INJECTED_FAULT_API_CODE = 59999
MALFORMED_BODY = "<html><body>502 Bad Gateway (emulator: injected malformed answer)</body></html>"


class Fault(BaseModel):
    """One queued fault, as ``POST /_emulator/faults`` takes it."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    path: str | None = None
    """The API path the fault applies to; None: any API path."""
    times: Annotated[int, Field(ge=1)] = 1
    status: Annotated[int, Field(ge=200, le=599)] | None = None
    """The HTTP status to answer with (default 200)."""
    retry_after: str | None = None
    """A ``Retry-After`` header value to send with the answer."""
    latency_seconds: Annotated[float, Field(ge=0, le=120)] = 0.0
    malformed: bool = False
    """Answer a body that is not JSON."""
    envelope_status: int | None = None
    """The envelope's statusCode (default: ``status``)."""

    def answers(self) -> bool:
        """Whether the fault answers in place of the API (rather than only delaying it)."""
        return self.malformed or self.status is not None or self.envelope_status is not None

    def response(self, request_id: str) -> tuple[Response, int | None]:
        """The answer to send, and the envelope statusCode it carries (None if not JSON)."""
        http_status = self.status if self.status is not None else 200
        headers = {"x-request-id": request_id}
        if self.retry_after is not None:
            headers["retry-after"] = self.retry_after
        if self.malformed:
            return PlainTextResponse(MALFORMED_BODY, http_status, headers=headers), None
        status_code = self.envelope_status if self.envelope_status is not None else http_status
        envelope: dict[str, Any] = {
            "statusCode": status_code,
            "message": f"injected fault: statusCode {status_code}",
            "apiCode": INJECTED_FAULT_API_CODE,
            "requestId": request_id,
            "data": None,
        }
        return JSONResponse(envelope, http_status, headers=headers), status_code
