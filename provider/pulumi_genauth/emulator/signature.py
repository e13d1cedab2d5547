"""Signed requests: how the official Node SDK authenticates, and how the emulator checks it.

npm ``authing-node-sdk`` 4.0.1 asks for no management token. It signs every request with the
access key secret (``src/ManagementHttpClient.ts``, ``request``; ``src/utils/buildSignature.ts``)
and sends ``authorization: authing <accessKeyId>:<signature>``, where the signature is the
base64 HMAC-SHA1 of this text (UTF-8), lines joined by ``\\n``:

    <METHOD>
    <name>:<value>        one line per x-authing-* header and the date header, sorted by name
    <path>[?k=v&k=v...]   the parameters sorted by key; none: the path alone

The headers are the SDK's ``x-authing-signature-nonce`` (32 hex digits), ``-signature-method``
(``HMAC-SHA1``), ``-signature-version`` (``1.0``), ``-sdk-version``, ``-lang`` (and
``-app-id`` with a tenant), and ``date`` in RFC 1123 form; a value has tab, CR, LF and FF
turned into spaces and is trimmed. The parameters are a GET's query, and for any other method
the top-level members of the JSON body: a string as itself, anything else as JSON text
(``JSON.stringify``), so a nested config object is signed as the compact JSON the body
carries. No library implements this scheme (it is neither SigV4 nor Aliyun's), so the few
lines are here; HMAC, base64 and date parsing are the standard library's.

This module knows nothing of HTTP frameworks or pools: :class:`SignedRequest` holds the parts
of a request as received; :mod:`.service` finds the key and decides what a failure answers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Final

SCHEME: Final = "authing"
SIGNATURE_METHOD: Final = "HMAC-SHA1"
SIGNATURE_VERSION: Final = "1.0"
SIGNED_HEADER_PREFIX: Final = "x-authing-"
METHOD_HEADER: Final = "x-authing-signature-method"
VERSION_HEADER: Final = "x-authing-signature-version"
NONCE_HEADER: Final = "x-authing-signature-nonce"
DATE_HEADER: Final = "date"
# How far a signed request's date may be from the emulator's clock, either way. Fifteen
# minutes, as AWS SigV4 (RequestTimeTooSkewed) and Aliyun's signed APIs allow: wide enough for
# a machine whose clock is not synchronised to the second, narrow enough that a captured
# request cannot be replayed for long (the emulator keeps no nonce cache to refuse a replay
# inside the window).
MAX_CLOCK_SKEW: Final = timedelta(minutes=15)

_HEADER_CONTROLS: Final = re.compile(r"[\t\n\r\f]")
_JSON_SPACE: Final = re.compile(r"[ \t\n\r]*")
_DECODER: Final = json.JSONDecoder()


class UnverifiableRequestError(ValueError):
    """A signed request that cannot be checked: a part the scheme needs is missing or unreadable."""


class Credential:
    """The ``authing <accessKeyId>:<signature>`` value; the signature is kept out of its repr."""

    __slots__ = ("access_key_id", "signature")

    def __init__(self, access_key_id: str, signature: str) -> None:
        self.access_key_id = access_key_id
        self.signature = signature

    def __repr__(self) -> str:
        return f"Credential(access_key_id={self.access_key_id!r}, signature='**********')"


@dataclass(frozen=True, repr=False)
class SignedRequest:
    """What the signature covers, as the server received it (header names in lower case)."""

    method: str
    path: str
    headers: Sequence[tuple[str, str]]
    query: Sequence[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The last value of a header, if it was sent."""
        values = [value for key, value in self.headers if key == name]
        return values[-1] if values else None


def is_signed(authorization: str | None) -> bool:
    """Whether an ``authorization`` value uses the signature scheme (``authing …``)."""
    scheme, _, rest = (authorization or "").strip().partition(" ")
    return scheme.lower() == SCHEME and bool(rest.strip())


def credential(authorization: str) -> Credential:
    """The access key id and the signature of an ``authing <id>:<signature>`` value."""
    _, _, value = authorization.strip().partition(" ")
    key_id, colon, signature = value.strip().rpartition(":")
    if not colon or not key_id or not signature:
        raise UnverifiableRequestError(
            "the authorization header must read: authing <accessKeyId>:<signature>"
        )
    try:
        base64.b64decode(signature, validate=True)
    except binascii.Error:
        raise UnverifiableRequestError("the signature is not base64") from None
    return Credential(key_id, signature)


def check_scheme(request: SignedRequest) -> None:
    """The signature method, version and nonce headers are present and supported."""
    for name, wanted in ((METHOD_HEADER, SIGNATURE_METHOD), (VERSION_HEADER, SIGNATURE_VERSION)):
        if (request.header(name) or "").strip() != wanted:
            raise UnverifiableRequestError(f"a signed request needs the header {name}: {wanted}")
    if not (request.header(NONCE_HEADER) or "").strip():
        raise UnverifiableRequestError(f"a signed request needs the header {NONCE_HEADER}")


def signed_at(request: SignedRequest) -> datetime:
    """The request's ``date`` header: RFC 1123 (the Node SDK) or epoch milliseconds (Java's)."""
    value = (request.header(DATE_HEADER) or "").strip()
    try:
        if value.isdigit():
            return datetime.fromtimestamp(int(value) / 1000, UTC)
        when = parsedate_to_datetime(value)
    except (ValueError, TypeError, OverflowError, OSError):
        raise UnverifiableRequestError(
            "a signed request needs a date header (RFC 1123, e.g. Mon, 08 Dec 2025 10:00:00 GMT)"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def string_to_sign(request: SignedRequest) -> str:
    """The text the client signed, rebuilt from what the server received."""
    names = {name for name, _ in request.headers}
    signed = sorted(
        (n for n in names if n.startswith(SIGNED_HEADER_PREFIX) or n == DATE_HEADER),
        key=_js_order,
    )
    lines = "".join(f"{name}:{_clean(request.header(name) or '')}\n" for name in signed)
    params = request.query if request.method.upper() == "GET" else _body_params(request.body)
    resource = request.path
    if params:
        ordered = sorted(params, key=lambda kv: _js_order(kv[0]))
        resource += "?" + "&".join(f"{key}={value}" for key, value in ordered)
    return f"{request.method}\n{lines}{resource}"


def sign(secret: str, text: str) -> str:
    """The base64 HMAC-SHA1 of ``text`` under ``secret``, as the SDK computes it."""
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_matches(secret: str, text: str, signature: str) -> bool:
    """Whether ``signature`` signs ``text`` (a :func:`string_to_sign`) under ``secret``.

    Compared in constant time.
    """
    return hmac.compare_digest(sign(secret, text).encode(), signature.encode())


def clock_skew(request: SignedRequest, now: datetime) -> timedelta:
    """How far the request's date is from ``now``: negative for a date in the past."""
    return signed_at(request) - now


def _clean(value: str) -> str:
    return _HEADER_CONTROLS.sub(" ", value).strip()


def _js_order(key: str) -> bytes:
    # JavaScript's default sort compares UTF-16 code units, not code points.
    return key.encode("utf-16-be")


def _body_params(body: bytes) -> list[tuple[str, str]]:
    """A JSON object body's top-level members as the SDK signs them.

    The SDK signs ``JSON.stringify`` of each member and sends ``JSON.stringify`` of the whole
    object, so each member's text in the body is exactly what was signed; re-serialising in
    Python would differ from JavaScript in places (``1e-7`` against ``1e-07``).
    """
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise UnverifiableRequestError("the body of a signed request is not UTF-8") from None
    if not text.strip():
        return []
    try:
        return [
            (key, value if isinstance(value, str) else raw) for key, value, raw in _members(text)
        ]
    except ValueError:
        raise UnverifiableRequestError(
            "the body of a signed request must be a JSON object"
        ) from None


def _members(text: str) -> Iterator[tuple[str, object, str]]:
    """(key, value, the value's JSON text) of each member of a JSON object, in order."""
    at = _skip(text, 0)
    if text[at : at + 1] != "{":
        raise ValueError("not an object")
    at = _skip(text, at + 1)
    if text[at : at + 1] == "}":
        at = _skip(text, at + 1)
    else:
        while True:
            if text[at : at + 1] != '"':
                raise ValueError("a member name must be a string")
            key, at = _DECODER.raw_decode(text, at)
            at = _expect(text, at, ":")
            value, end = _DECODER.raw_decode(text, at)
            yield key, value, text[at:end]
            at = _skip(text, end)
            if text[at : at + 1] == "}":
                at = _skip(text, at + 1)
                break
            at = _expect(text, at, ",")
    if at != len(text):
        raise ValueError("text after the object")


def _skip(text: str, at: int) -> int:
    match = _JSON_SPACE.match(text, at)
    return match.end() if match else at


def _expect(text: str, at: int, char: str) -> int:
    at = _skip(text, at)
    if text[at : at + 1] != char:
        raise ValueError(f"expected {char!r}")
    return _skip(text, at + 1)
