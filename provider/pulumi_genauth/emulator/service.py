"""The rules of the email-provider API: access keys, authentication, validation, reads.

No HTTP here: each operation returns the envelope's ``data`` or raises :class:`ServiceError`,
which carries the envelope's ``statusCode``, ``apiCode`` and ``message``. A management call is
authenticated in one of the three ways the official SDKs use (:func:`auth_scheme`): a
management token as ``Bearer`` (the Python SDKs) or bare (the Java SDK), or a request signed
with the access key secret (the Node SDK; :mod:`.signature`). Bodies are checked with the
project's own wire models, strictly and by the wire spelling only; what checks the emulator
independently are the official SDKs (``tests/test_emulator_sdk*.py``).
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Literal, get_args

import jwt
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .._models import PORT_MAX, PORT_MIN, SMTP_OUTPUT_DEFAULTS, ConfigEmailProviderInput
from . import signature
from .store import EmulatorStore

# The emulator's own apiCodes (the real service's are not published): status * 100 + n.
API_CODE_INVALID_BODY: Final = 40001
API_CODE_USERPOOL_HEADER_MISSING: Final = 40002
API_CODE_INVALID_ACCESS_KEY: Final = 40101
API_CODE_TOKEN_MISSING: Final = 40102
API_CODE_TOKEN_INVALID: Final = 40103
API_CODE_TOKEN_EXPIRED: Final = 40104
# Signed requests (the Node SDK): each failure its own code, so that a client can tell a wrong
# secret from a wrong key id from a clock that is off.
API_CODE_SIGNATURE_MISMATCH: Final = 40105
API_CODE_ACCESS_KEY_UNKNOWN: Final = 40106
API_CODE_SIGNATURE_DATE_OUT_OF_WINDOW: Final = 40107
API_CODE_SIGNATURE_UNVERIFIABLE: Final = 40108
API_CODE_USERPOOL_MISMATCH: Final = 40301
API_CODE_NOT_FOUND: Final = 40401

SECRET_MASK: Final = "******"
_SECRET_WIRE_FIELDS: Final = frozenset({"senderPass", "apikey"})
_CONFIG_WIRE_FIELDS: Final = (
    "smtpConfig",
    "sendGridConfig",
    "aliExmailConfig",
    "tencentExmailConfig",
)
_TOKEN_ALGORITHM: Final = "HS256"
_EPOCH_CLAIM: Final = "emulator_epoch"

AuthScheme = Literal["bearer", "token", "signature"]


def auth_scheme(authorization: str | None) -> AuthScheme | None:
    """Which way an ``authorization`` value authenticates; None if it is none of the three.

    ``Bearer <token>`` (the Python SDKs), a bare token (the Java SDK sends the management
    token without a scheme), or ``authing <accessKeyId>:<signature>`` (the Node SDK).
    """
    value = (authorization or "").strip()
    if not value:
        return None
    if signature.is_signed(value):
        return "signature"
    scheme, space, rest = value.partition(" ")
    if not space:
        return "token" if value.lower() != "bearer" else None
    return "bearer" if scheme.lower() == "bearer" and rest.strip() else None


class ServiceError(Exception):
    """A refusal, as the API reports it: HTTP 200 with a failure envelope."""

    def __init__(self, status_code: int, api_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.api_code = api_code
        self.message = message


class EmailProviderService:
    """The management API of every pool in one store."""

    def __init__(
        self,
        store: EmulatorStore,
        *,
        token_ttl_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.token_ttl_seconds = token_ttl_seconds
        self._clock = clock

    # -- management tokens ------------------------------------------------------------

    def issue_token(self, body: bytes) -> dict[str, Any]:
        """``get-management-token``: trade an access key for a management token."""
        try:
            request = json.loads(body)
        except ValueError:
            raise ServiceError(400, API_CODE_INVALID_BODY, "the body is not valid JSON") from None
        if not isinstance(request, dict):
            raise ServiceError(400, API_CODE_INVALID_BODY, "the body must be a JSON object")
        key_id, key_secret = request.get("accessKeyId"), request.get("accessKeySecret")
        for name, value in (("accessKeyId", key_id), ("accessKeySecret", key_secret)):
            if not isinstance(value, str) or not value:
                raise ServiceError(400, API_CODE_INVALID_BODY, f"{name} is required")
        assert isinstance(key_id, str) and isinstance(key_secret, str)  # noqa: PT018 - narrowing
        pool = self.store.pool_by_access_key_id(key_id)
        # Compared even for an unknown id, so that the answer takes the same time.
        expected = pool.access_key_secret if pool else ""
        if pool is None or not hmac.compare_digest(expected.encode(), key_secret.encode()):
            raise ServiceError(
                401, API_CODE_INVALID_ACCESS_KEY, "the access key id or its secret is wrong"
            )
        now = int(self._clock())
        claims = {
            "scoped_userpool_id": pool.id,
            "iat": now,
            "exp": now + self.token_ttl_seconds,
            "jti": uuid.uuid4().hex,
            _EPOCH_CLAIM: self.store.token_epoch(),
        }
        token = jwt.encode(claims, self.store.signing_key(), algorithm=_TOKEN_ALGORITHM)
        return {"access_token": token, "expires_in": self.token_ttl_seconds}

    def authenticate(self, authorization: str | None, userpool_ids: Sequence[str]) -> str:
        """The pool a management call may act on, from its token and userpool-id header.

        The token comes as ``Bearer <token>`` or bare (the Java SDK). With ``Bearer`` the
        userpool-id header is required, as the Python SDKs always send it; with a bare token it
        may be absent or empty, as the Java SDK sends it empty when the token names no pool.
        Either way a userpool-id header that names another pool is refused.
        """
        scheme = auth_scheme(authorization)
        if scheme not in ("bearer", "token"):
            raise ServiceError(
                401,
                API_CODE_TOKEN_MISSING,
                "a management token is required: send authorization: Bearer <access_token>, "
                "or sign the request (authorization: authing <accessKeyId>:<signature>)",
            )
        token = (authorization or "").strip().rpartition(" ")[2]
        try:
            claims = jwt.decode(
                token,
                self.store.signing_key(),
                algorithms=[_TOKEN_ALGORITHM],
                options={"require": ["exp", "iat", "scoped_userpool_id"]},
            )
        except jwt.ExpiredSignatureError:
            raise ServiceError(
                401, API_CODE_TOKEN_EXPIRED, "the management token has expired"
            ) from None
        except jwt.PyJWTError:
            raise ServiceError(
                401, API_CODE_TOKEN_INVALID, "the management token is not valid"
            ) from None
        if claims.get(_EPOCH_CLAIM) != self.store.token_epoch():
            raise ServiceError(401, API_CODE_TOKEN_EXPIRED, "the management token has expired")
        pool_id = claims["scoped_userpool_id"]
        if not isinstance(pool_id, str) or self.store.pool(pool_id) is None:
            raise ServiceError(401, API_CODE_TOKEN_INVALID, "the management token is not valid")
        if not userpool_ids and scheme == "bearer":
            raise ServiceError(
                400,
                API_CODE_USERPOOL_HEADER_MISSING,
                "the x-genauth-userpool-id (or x-authing-userpool-id) header is required",
            )
        _check_userpool_headers(pool_id, userpool_ids, "the management token")
        return pool_id

    def authenticate_signed(
        self, request: signature.SignedRequest, userpool_ids: Sequence[str]
    ) -> str:
        """The pool a signed management call may act on: the pool of the signing access key.

        Checked in this order: the request carries what the scheme needs, the key id is
        known, the signature matches, the date is inside the window. The date is checked
        last, so that only a holder of the secret learns that the clock is off. A
        userpool-id header is not needed (the Node SDK sends none); one that names another
        pool is refused.
        """
        try:
            given = signature.credential(request.header("authorization") or "")
            signature.check_scheme(request)
            text = signature.string_to_sign(request)
            skew = signature.clock_skew(request, datetime.fromtimestamp(self._clock(), UTC))
        except signature.UnverifiableRequestError as error:
            raise ServiceError(401, API_CODE_SIGNATURE_UNVERIFIABLE, str(error)) from None
        pool = self.store.pool_by_access_key_id(given.access_key_id)
        if pool is None:
            raise ServiceError(
                401, API_CODE_ACCESS_KEY_UNKNOWN, "no user pool has this access key id"
            )
        if not signature.signature_matches(pool.access_key_secret, text, given.signature):
            raise ServiceError(
                401,
                API_CODE_SIGNATURE_MISMATCH,
                "the signature does not match the request: it must be the base64 HMAC-SHA1, "
                "under the access key secret, of the method, the x-authing-* and date headers "
                "and the path with its sorted parameters",
            )
        window = int(signature.MAX_CLOCK_SKEW.total_seconds())
        if abs(skew) > signature.MAX_CLOCK_SKEW:
            when = "in the past" if skew.total_seconds() < 0 else "in the future"
            raise ServiceError(
                401,
                API_CODE_SIGNATURE_DATE_OUT_OF_WINDOW,
                f"the request's date is {abs(int(skew.total_seconds()))} s {when}: a signed "
                f"request must be dated within {window} s of the server's clock",
            )
        _check_userpool_headers(pool.id, userpool_ids, "the access key")
        return pool.id

    # -- the email provider -----------------------------------------------------------

    def get_email_provider(self, pool_id: str) -> dict[str, Any]:
        """``get-email-provider``: the pool's setting as an ``EmailProviderDto``."""
        return self._render(self.store.setting(pool_id))

    def config_email_provider(self, pool_id: str, body: bytes) -> dict[str, Any]:
        """``config-email-provider``: check the body strictly, then store it as sent."""
        try:
            ConfigEmailProviderInput.model_validate_json(body, strict=True, by_name=False)
        except ValidationError as error:
            raise ServiceError(400, API_CODE_INVALID_BODY, validation_message(error)) from None
        setting = json.loads(body)
        self.store.put_setting(pool_id, setting)
        return self._render(setting)

    def _render(self, setting: dict[str, Any] | None) -> dict[str, Any]:
        if setting is None:
            return {"enabled": False}
        mask = self.store.mask_secrets()
        dto: dict[str, Any] = {"enabled": setting["enabled"], "type": setting["type"]}
        for wire_name in _CONFIG_WIRE_FIELDS:
            config = setting.get(wire_name)
            if not isinstance(config, dict):
                continue
            shown = dict(config)
            if wire_name == "smtpConfig":
                for key, default in SMTP_OUTPUT_DEFAULTS.items():
                    if shown.get(key) is None:
                        shown[key] = default
            if mask:
                shown.update(dict.fromkeys(shown.keys() & _SECRET_WIRE_FIELDS, SECRET_MASK))
            dto[wire_name] = shown
        return dto


def _check_userpool_headers(pool_id: str, userpool_ids: Sequence[str], credential: str) -> None:
    if any(header != pool_id for header in userpool_ids):
        raise ServiceError(
            403,
            API_CODE_USERPOOL_MISMATCH,
            f"the userpool-id header does not name the user pool of {credential}",
        )


# -- validation messages ----------------------------------------------------------------

_RULES: Final = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "bool_type": "must be a boolean",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
}
_BOUNDS: Final = frozenset({"greater_than_equal", "less_than_equal", "greater_than", "less_than"})


def validation_message(error: ValidationError) -> str:
    """One sentence per problem, each naming the field by its wire path; never a value."""
    return "; ".join(_problem(detail) for detail in error.errors(include_input=False))


def _problem(detail: ErrorDetails) -> str:
    loc = tuple(str(part) for part in detail["loc"])
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    if kind == "value_error":
        # The model's own rules already speak in wire names.
        rule = str(ctx.get("error", detail["msg"]))
        return f"{'.'.join(loc)}: {rule}" if loc else rule
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if not loc:
        return (
            "the body must be a JSON object"
            if kind in ("model_type", "dict_type")
            else detail["msg"]
        )
    if kind == "enum":
        rule = f"must be one of {ctx.get('expected', '')}"
    elif kind in _BOUNDS and loc[-1] == "smtp_port":
        # The contract's only bounded field.
        rule = f"must be between {PORT_MIN} and {PORT_MAX}"
    else:
        rule = _RULES.get(kind, detail["msg"])
    if kind == "extra_forbidden" and (known := _spelled_alike(loc)):
        rule += f" (did you mean {known}?)"
    return f"{'.'.join(loc)}: {rule}"


def _spelled_alike(loc: tuple[str, ...]) -> str | None:
    """The wire field an unknown key is a respelling of (``smtpHost`` for ``smtp_host``)."""
    model: type[BaseModel] = ConfigEmailProviderInput
    for part in loc[:-1]:
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        nested = (
            [
                a
                for a in get_args(field.annotation)
                if isinstance(a, type) and issubclass(a, BaseModel)
            ]
            if field is not None
            else []
        )
        if not nested:
            return None
        model = nested[0]

    def squash(name: str) -> str:
        return name.replace("_", "").lower()

    return next(
        (
            wire
            for wire in (f.alias or n for n, f in model.model_fields.items())
            if squash(wire) == squash(loc[-1])
        ),
        None,
    )
