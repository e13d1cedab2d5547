"""The emulator's HTTP layer (Starlette): the three API endpoints and the test hooks.

Thin on purpose: each API route reads headers and the body, hands them to
:class:`~.service.EmailProviderService` (a signed request as a
:class:`~.signature.SignedRequest`), and wraps the result in the envelope. Business
refusals answer HTTP 200 with a failure envelope, as the real service does; only injected
faults use other HTTP statuses. Every API answer carries a fresh ``requestId`` (also in the
``x-request-id`` header) and is written to the request log. The hooks under ``/_emulator/``
need no credentials and are not logged.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any, Final

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import _constants as c
from . import Pool
from .faults import Fault
from .service import API_CODE_NOT_FOUND, EmailProviderService, ServiceError, auth_scheme
from .signature import SignedRequest
from .store import EmulatorStore, PoolConflictError

HOOKS_PREFIX: Final = "/_emulator"
_BRANDS: Final = tuple(c.BRAND_HEADER_PREFIX)

# An API operation: (request, body) -> the envelope's data.
Operation = Callable[[Request, bytes], Any]


def create_app(service: EmailProviderService) -> Starlette:
    """The emulator as an ASGI application over one service (and its store)."""
    store = service.store

    def token(_request: Request, body: bytes) -> Any:
        return service.issue_token(body)

    def get_email_provider(request: Request, body: bytes) -> Any:
        return service.get_email_provider(_authenticate(service, request, body))

    def config_email_provider(request: Request, body: bytes) -> Any:
        return service.config_email_provider(_authenticate(service, request, body), body)

    def unknown(request: Request, _body: bytes) -> Any:
        raise ServiceError(
            404, API_CODE_NOT_FOUND, f"no such API: {request.method} {request.url.path}"
        )

    def api(operation: Operation) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            received = time.time()
            request_id = str(uuid.uuid4())
            path = request.url.path
            spec = store.take_fault(path)
            fault = Fault.model_validate(spec) if spec is not None else None
            if fault is not None and fault.latency_seconds:
                await asyncio.sleep(fault.latency_seconds)
            status_code: int | None
            if fault is not None and fault.answers():
                response, status_code = fault.response(request_id)
            else:
                envelope = _envelope(operation, request, await request.body(), request_id)
                status_code = envelope["statusCode"]
                response = JSONResponse(envelope, headers={"x-request-id": request_id})
            entry = _log_entry(request, response.status_code, status_code, request_id)
            store.log_request({**entry, "received": received, "answered": time.time()})
            return response

        return endpoint

    return Starlette(
        routes=[
            Route(c.TOKEN_PATH, api(token), methods=["POST"]),
            Route(c.GET_EMAIL_PROVIDER_PATH, api(get_email_provider), methods=["GET"]),
            Route(c.CONFIG_EMAIL_PROVIDER_PATH, api(config_email_provider), methods=["POST"]),
            Route("/api/{rest:path}", api(unknown)),
            *_hook_routes(store),
        ]
    )


def _hook_routes(store: EmulatorStore) -> list[Route]:
    """The test hooks: no credentials, not logged."""

    async def reset(_request: Request) -> Response:
        store.reset()
        return JSONResponse({"ok": True})

    async def requests(_request: Request) -> Response:
        return JSONResponse(store.requests())

    async def add_fault(request: Request) -> Response:
        try:
            fault = Fault.model_validate_json(await request.body())
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}"
                for e in error.errors(include_input=False)
            )
            return _hook_error(400, f"bad fault: {problems}")
        store.add_fault(fault.path, fault.times, fault.model_dump(mode="json"))
        return JSONResponse({"ok": True, "fault": fault.model_dump(mode="json")})

    async def expire_tokens(_request: Request) -> Response:
        return JSONResponse({"ok": True, "token_epoch": store.next_token_epoch()})

    async def settings(request: Request) -> Response:
        if request.method == "POST":
            body = await _json_object(request)
            mask = body.get("mask_secrets") if body is not None else None
            if not isinstance(mask, bool):
                return _hook_error(400, 'send {"mask_secrets": true|false}')
            store.set_mask_secrets(mask)
        return JSONResponse({"mask_secrets": store.mask_secrets()})

    async def pools(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(
                [{"id": p.id, "accessKeyId": p.access_key_id} for p in store.pools()]
            )
        body = await _json_object(request)
        fields = [body.get(k) for k in ("id", "accessKeyId", "accessKeySecret")] if body else []
        if len(fields) != 3 or not all(isinstance(f, str) and f for f in fields):
            return _hook_error(400, "send {id, accessKeyId, accessKeySecret} as non-empty strings")
        pool = Pool(*(str(f) for f in fields))
        try:
            store.put_pool(pool)
        except PoolConflictError as error:
            return _hook_error(409, str(error))
        return JSONResponse({"id": pool.id, "accessKeyId": pool.access_key_id}, 201)

    async def stored(request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        if store.pool(pool_id) is None:
            return _hook_error(404, f"no pool {pool_id!r}")
        return JSONResponse(store.setting(pool_id))

    return [
        Route(f"{HOOKS_PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{HOOKS_PREFIX}/requests", requests, methods=["GET"]),
        Route(f"{HOOKS_PREFIX}/faults", add_fault, methods=["POST"]),
        Route(f"{HOOKS_PREFIX}/expire-tokens", expire_tokens, methods=["POST"]),
        Route(f"{HOOKS_PREFIX}/settings", settings, methods=["GET", "POST"]),
        Route(f"{HOOKS_PREFIX}/pools", pools, methods=["GET", "POST"]),
        Route(f"{HOOKS_PREFIX}/pools/{{pool_id}}/email-provider", stored, methods=["GET"]),
    ]


def _envelope(operation: Operation, request: Request, body: bytes, request_id: str) -> Any:
    try:
        data = operation(request, body)
    except ServiceError as error:
        return {
            "statusCode": error.status_code,
            "message": error.message,
            "apiCode": error.api_code,
            "requestId": request_id,
            "data": None,
        }
    return {"statusCode": 200, "message": "success", "requestId": request_id, "data": data}


def _authenticate(service: EmailProviderService, request: Request, body: bytes) -> str:
    # An empty userpool-id header counts as absent: the Java SDK sends one.
    userpool_ids = [
        value for brand in _BRANDS if (value := request.headers.get(f"x-{brand}-userpool-id"))
    ]
    authorization = request.headers.get("authorization")
    if auth_scheme(authorization) != "signature":
        return service.authenticate(authorization, userpool_ids)
    signed = SignedRequest(
        method=request.method,
        path=request.url.path,
        headers=request.headers.items(),
        query=request.query_params.multi_items(),
        body=body,
    )
    return service.authenticate_signed(signed, userpool_ids)


def _log_entry(
    request: Request, http_status: int, status_code: int | None, request_id: str
) -> dict[str, Any]:
    """What the log keeps of one request: never the body or the authorization header.

    Of ``authorization`` only its kind is kept (``auth``: bearer, token, signature or None).

    The endpoint adds when it was received and answered (wall clock, seconds), which the
    benchmarks read to measure an operation's API window.
    """
    headers = request.headers
    brand = next((b for b in _BRANDS if any(k.startswith(f"x-{b}-") for k in headers)), None)
    prefix = f"x-{brand}-" if brand else "x-genauth-"
    return {
        "method": request.method,
        "path": request.url.path,
        "http_status": http_status,
        "status_code": status_code,
        "request_id": request_id,
        "header_brand": brand,
        "auth": auth_scheme(headers.get("authorization")),
        "userpool_id": headers.get(f"{prefix}userpool-id"),
        "lang": headers.get(f"{prefix}lang"),
        "sdk_version": headers.get(f"{prefix}sdk-version"),
    }


async def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _hook_error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status)
