"""The rules of the email-provider API: access keys, management tokens, validation, reads.

No HTTP here: each operation returns the envelope's ``data`` or raises :class:`ServiceError`,
which carries the envelope's ``statusCode``, ``apiCode`` and ``message``. Bodies are checked
with the project's own wire models, strictly and by the wire spelling only; what checks the
emulator independently is the official SDK (``tests/test_emulator_sdk.py``).
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Final

import jwt
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .._models import PORT_MAX, PORT_MIN, SMTP_OUTPUT_DEFAULTS, ConfigEmailProviderInput
from .store import EmulatorStore

# The emulator's own apiCodes (the real service's are not published): status * 100 + n.
API_CODE_INVALID_BODY: Final = 40001
API_CODE_USERPOOL_HEADER_MISSING: Final = 40002
API_CODE_INVALID_ACCESS_KEY: Final = 40101
API_CODE_TOKEN_MISSING: Final = 40102
API_CODE_TOKEN_INVALID: Final = 40103
API_CODE_TOKEN_EXPIRED: Final = 40104
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
        """The pool a management call may act on, from its token and userpool-id header."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ServiceError(
                401,
                API_CODE_TOKEN_MISSING,
                "a management token is required: send authorization: Bearer <access_token>",
            )
        try:
            claims = jwt.decode(
                token.strip(),
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
        if not userpool_ids:
            raise ServiceError(
                400,
                API_CODE_USERPOOL_HEADER_MISSING,
                "the x-genauth-userpool-id (or x-authing-userpool-id) header is required",
            )
        if any(header != pool_id for header in userpool_ids):
            raise ServiceError(
                403,
                API_CODE_USERPOOL_MISMATCH,
                "the userpool-id header does not name the user pool of the management token",
            )
        return pool_id

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
    return f"{'.'.join(loc)}: {rule}"
