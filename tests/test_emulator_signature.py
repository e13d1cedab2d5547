"""Signed requests and bare tokens: the two ways the Node and Java SDKs authenticate.

The golden requests below were captured on the wire from npm ``authing-node-sdk`` 4.0.1 (its
headers, body and signature as sent, secret ``ksecret``): the emulator must verify them
exactly. The wire tests sign with :func:`node_sdk_signature`, written here from the SDK's
``src/utils/buildSignature.ts`` and independent of ``emulator/signature.py``. The SDKs
themselves run against the emulator in ``test_emulator_sdk_clients.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from email.utils import formatdate
from typing import Any, Final

import httpx
import pytest

from pulumi_genauth.emulator import DEFAULT_POOL
from pulumi_genauth.emulator.server import EmulatorServer
from pulumi_genauth.emulator.service import (
    API_CODE_ACCESS_KEY_UNKNOWN,
    API_CODE_SIGNATURE_DATE_OUT_OF_WINDOW,
    API_CODE_SIGNATURE_MISMATCH,
    API_CODE_SIGNATURE_UNVERIFIABLE,
    API_CODE_TOKEN_MISSING,
    API_CODE_USERPOOL_MISMATCH,
    EmailProviderService,
    ServiceError,
    auth_scheme,
)
from pulumi_genauth.emulator.signature import (
    MAX_CLOCK_SKEW,
    Credential,
    SignedRequest,
    credential,
    signature_matches,
    string_to_sign,
)
from pulumi_genauth.emulator.store import EmulatorStore

TOKEN = "/api/v3/get-management-token"
GET = "/api/v3/get-email-provider"
CONFIG = "/api/v3/config-email-provider"
SECRET = "planted-signature-canary-secret"
SENDGRID = {
    "type": "sendgrid",
    "enabled": True,
    "sendGridConfig": {"sender": "a@b.c", "apikey": SECRET},
}
ALI = {"type": "ali", "enabled": True, "aliExmailConfig": {"sender": "a@b.c", "senderPass": SECRET}}

# -- golden requests, captured from authing-node-sdk 4.0.1 -------------------------------------

CAPTURED_SECRET: Final = "ksecret"
_NODE_HEADERS: Final = [
    ("accept", "application/json"),
    ("content-type", "application/json"),
    ("x-authing-signature-method", "HMAC-SHA1"),
    ("x-authing-signature-version", "1.0"),
    ("user-agent", "AuthingIdentityCloud (linux; x64) Node.js/v20.20.2 Core/4.0.1"),
    ("x-authing-sdk-version", "authing-node-sdk:4.0.1"),
]
# (method, path, extra headers, body, the signature the SDK sent)
CAPTURED: Final[dict[str, tuple[str, str, list[tuple[str, str]], bytes, str]]] = {
    "get": (
        "GET",
        GET,
        [
            ("x-authing-signature-nonce", "733abb18a53f27ca3efc2d2988c897ae"),
            ("x-authing-lang", "zh-CN"),
            ("date", "Mon, 07 Dec 2026 23:39:02 GMT"),
        ],
        b"",
        "4M4/6olDQPqq6fb8rM7OyW3E6qM=",
    ),
    "post-the-page-sample-spelling": (
        "POST",
        CONFIG,
        [
            ("x-authing-signature-nonce", "5da2b397914ceac49be95cc513753031"),
            ("x-authing-lang", "zh-CN"),
            ("date", "Mon, 07 Dec 2026 23:39:02 GMT"),
        ],
        b'{"enabled":true,"type":"custom","smtpConfig":{"smtpHost":"h","smtpPort":465,'
        b'"senderPass":"p","secure":true}}',
        "lqFf02mM+dOeyxsA7SZExObrUIU=",
    ),
    # null, JavaScript number forms (1e-7, 1e+21), non-ASCII keys and values, an
    # integer-like key that JavaScript moves first, an array.
    "post-every-json-form": (
        "POST",
        CONFIG,
        [
            ("x-authing-signature-nonce", "783c19d10e80cde888abf31be3a48ae4"),
            ("x-authing-lang", "en-US"),
            ("date", "Mon, 07 Dec 2026 23:43:10 GMT"),
        ],
        '{"type":"custom","enabled":false,"note":null,"zeta":1e-7,"Émoji":"a&b=c ✓",'
        '"smtpConfig":{"2":"x","smtp_host":"smtp.example.com","smtp_port":465,'
        '"senderPass":"pässword","ratio":1e+21},"list":[1,"two",{"three":3}]}'.encode(),
        "trBHkxJ1Ee9NuItLhmzVjg6aWuc=",
    ),
}


def verifies(secret: str, request: SignedRequest, sent: str) -> bool:
    """Whether ``sent`` is the signature of ``request`` under ``secret``."""
    return signature_matches(secret, string_to_sign(request), sent)


def captured(name: str) -> tuple[SignedRequest, str]:
    """A captured request as the emulator receives it, and the signature the SDK sent."""
    method, path, extra, body, sent = CAPTURED[name]
    headers = [*_NODE_HEADERS, *extra, ("authorization", f"authing kid:{sent}")]
    return SignedRequest(method, path, headers, [], body), sent


@pytest.mark.parametrize("name", list(CAPTURED))
def test_a_request_signed_by_the_node_sdk_verifies(name: str) -> None:
    """Each request captured from authing-node-sdk 4.0.1 verifies under its secret, not another."""
    request, sent = captured(name)

    assert verifies(CAPTURED_SECRET, request, sent)
    assert not verifies("another-secret", request, sent)


def test_the_string_to_sign_is_method_sorted_headers_and_sorted_body_members() -> None:
    """Method, x-authing-*/date headers by name, the path and the body's members by key."""
    request, _ = captured("post-the-page-sample-spelling")

    assert string_to_sign(request) == (
        "POST\n"
        "date:Mon, 07 Dec 2026 23:39:02 GMT\n"
        "x-authing-lang:zh-CN\n"
        "x-authing-sdk-version:authing-node-sdk:4.0.1\n"
        "x-authing-signature-method:HMAC-SHA1\n"
        "x-authing-signature-nonce:5da2b397914ceac49be95cc513753031\n"
        "x-authing-signature-version:1.0\n"
        "/api/v3/config-email-provider?enabled=true&smtpConfig="
        '{"smtpHost":"h","smtpPort":465,"senderPass":"p","secure":true}&type=custom'
    )


def _altered(request: SignedRequest, **changes: Any) -> SignedRequest:
    parts = {
        "method": request.method,
        "path": request.path,
        "headers": list(request.headers),
        "query": list(request.query),
        "body": request.body,
        **changes,
    }
    return SignedRequest(**parts)


@pytest.mark.parametrize(
    ("change", "still_valid"),
    [
        ({"method": "PUT"}, False),
        ({"path": "/api/v3/get-email-templates"}, False),
        ({"body": b'{"enabled":false,"type":"custom","smtpConfig":{}}'}, False),
        ({"headers": [*_NODE_HEADERS[:-1], ("x-authing-sdk-version", "other")]}, False),
        ({"headers": [("x-authing-app-id", "added")]}, False),
        ({"headers": [("user-agent", "curl/8"), ("accept", "*/*"), ("x-other", "1")]}, True),
    ],
    ids=["method", "path", "body", "signed-header", "added-x-authing-header", "unsigned-headers"],
)
def test_changing_a_signed_part_breaks_the_signature(
    change: dict[str, Any], *, still_valid: bool
) -> None:
    """Method, path, body and x-authing-* headers are signed; other headers are not."""
    request, sent = captured("get" if "body" not in change else "post-the-page-sample-spelling")
    if "headers" in change:
        kept = [h for h in request.headers if h[0] not in {n for n, _ in change["headers"]}]
        change = {"headers": [*kept, *change["headers"]]}

    assert verifies(CAPTURED_SECRET, _altered(request, **change), sent) is still_valid


def test_a_get_signs_its_query_sorted_and_decoded() -> None:
    """A GET's query parameters are signed as key=value, sorted by key, after URL decoding."""
    request = SignedRequest("GET", GET, [("date", "x")], [("b", "2 3"), ("a", "1")], b"")

    assert string_to_sign(request) == "GET\ndate:x\n/api/v3/get-email-provider?a=1&b=2 3"


def test_the_credential_hides_its_signature() -> None:
    """The parsed authorization value names the key id and never shows the signature."""
    given = credential("authing some-key:4M4/6olDQPqq6fb8rM7OyW3E6qM=")

    assert isinstance(given, Credential)
    assert given.access_key_id == "some-key"
    assert "4M4/6olD" not in repr(given)
    assert "4M4/6olD" not in repr(captured("get")[0])


@pytest.mark.parametrize(
    ("authorization", "scheme"),
    [
        (None, None),
        ("", None),
        ("Bearer a.b.c", "bearer"),
        ("bearer a.b.c", "bearer"),
        ("a.b.c", "token"),
        ("authing key:c2ln", "signature"),
        ("Basic abc", None),
        ("Bearer ", None),
    ],
)
def test_each_authorization_form_is_recognised(authorization: str | None, scheme: str) -> None:
    """Bearer (Python SDKs), a bare token (Java SDK), authing <id>:<sig> (Node SDK), or none."""
    assert auth_scheme(authorization) == scheme


# -- over the wire --------------------------------------------------------------------------


def node_sdk_signature(
    secret: str, method: str, path: str, headers: dict[str, str], body: dict[str, Any]
) -> str:
    """The signature as authing-node-sdk 4.0.1's src/utils/buildSignature.ts computes it
    (written from the SDK, not the emulator)."""
    signed = sorted(k for k in headers if k.startswith("x-authing-") or k == "date")
    text = method + "\n" + "".join(f"{k}:{headers[k].strip()}\n" for k in signed) + path
    params = []
    for key in sorted(body):
        value = body[key]
        if isinstance(value, dict | list):
            value = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        elif isinstance(value, bool):
            value = str(value).lower()
        params.append(f"{key}={value}")
    if params:
        text += "?" + "&".join(params)
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_call(
    url: str,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    key_id: str,
    secret: str,
    date: str | None = None,
    extra: dict[str, str] | None = None,
    authorization: str | None = None,
) -> dict[str, Any]:
    """Send a request signed as the Node SDK signs it; answer the envelope."""
    headers = {
        "x-authing-signature-nonce": "0123456789abcdef0123456789abcdef",
        "x-authing-signature-method": "HMAC-SHA1",
        "x-authing-signature-version": "1.0",
        "x-authing-sdk-version": "tests:0",
        "x-authing-lang": "en-US",
        "date": date if date is not None else formatdate(usegmt=True),
        **(extra or {}),
    }
    sig = node_sdk_signature(secret, method, path, headers, body or {})
    headers["authorization"] = authorization or f"authing {key_id}:{sig}"
    content = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
    answer = httpx.request(method, url + path, headers=headers, content=content, timeout=10)
    envelope: dict[str, Any] = answer.json()
    return envelope


def seed(emulator: EmulatorServer) -> dict[str, Any] | None:
    """Give pool-a a setting (through a signed call) and answer it as stored."""
    pool = emulator.pools[0]
    done = signed_call(
        emulator.url, "POST", CONFIG, ALI, key_id=pool.access_key_id, secret=pool.access_key_secret
    )
    assert done["statusCode"] == 200, done
    return emulator.stored(pool.id)


def test_a_signed_request_configures_and_reads_without_a_token(emulator: EmulatorServer) -> None:
    """A signed POST stores the body as sent and a signed GET reads it; no token is asked."""
    pool = emulator.pools[0]
    keys = {"key_id": pool.access_key_id, "secret": pool.access_key_secret}

    written = signed_call(emulator.url, "POST", CONFIG, SENDGRID, **keys)
    read = signed_call(emulator.url, "GET", GET, **keys)

    assert written["statusCode"] == 200, written
    assert (
        read["data"] == written["data"] == {"enabled": True, **{k: SENDGRID[k] for k in SENDGRID}}
    )
    assert emulator.stored(pool.id) == SENDGRID
    log = emulator.requests()
    assert [(e["path"], e["auth"], e["userpool_id"]) for e in log] == [
        (CONFIG, "signature", None),
        (GET, "signature", None),
    ]


def test_an_epoch_milliseconds_date_is_read_as_the_java_sdk_writes_it(
    emulator: EmulatorServer,
) -> None:
    """A date of epoch milliseconds (the Java SDK's form) is accepted in a signed request."""
    pool = emulator.pools[0]

    read = signed_call(
        emulator.url,
        "GET",
        GET,
        key_id=pool.access_key_id,
        secret=pool.access_key_secret,
        date=str(int(time.time() * 1000)),
    )

    assert read["statusCode"] == 200, read


OUTSIDE: Final = int(MAX_CLOCK_SKEW.total_seconds()) + 120

# id, how the call differs from a good one, apiCode, a fragment of the message. A date is an
# offset from the time of the call (`date_offset`, seconds): a date made when the tests are
# collected may be inside the window by the time the test runs, after a long suite.
SIGNED_REFUSALS: Final[list[tuple[str, dict[str, Any], int, str]]] = [
    ("wrong-secret", {"secret": "planted-wrong-secret"}, API_CODE_SIGNATURE_MISMATCH, "signature"),
    ("unknown-key-id", {"key_id": "no-such-key"}, API_CODE_ACCESS_KEY_UNKNOWN, "access key id"),
    (
        "date-too-old",
        {"date_offset": -OUTSIDE},
        API_CODE_SIGNATURE_DATE_OUT_OF_WINDOW,
        "in the past",
    ),
    (
        "date-too-far-ahead",
        {"date_offset": OUTSIDE},
        API_CODE_SIGNATURE_DATE_OUT_OF_WINDOW,
        "in the future",
    ),
    ("no-date", {"date": ""}, API_CODE_SIGNATURE_UNVERIFIABLE, "date header"),
    ("unreadable-date", {"date": "yesterday"}, API_CODE_SIGNATURE_UNVERIFIABLE, "date header"),
    (
        "other-signature-method",
        {"extra": {"x-authing-signature-method": "HMAC-SHA256"}},
        API_CODE_SIGNATURE_UNVERIFIABLE,
        "HMAC-SHA1",
    ),
    (
        "no-colon",
        {"authorization": "authing pool-a-access-key-id"},
        API_CODE_SIGNATURE_UNVERIFIABLE,
        "authing <accessKeyId>:<signature>",
    ),
    (
        "not-base64",
        {"authorization": "authing pool-a-access-key-id:not base64!"},
        API_CODE_SIGNATURE_UNVERIFIABLE,
        "base64",
    ),
]


@pytest.mark.parametrize("path", [GET, CONFIG])
@pytest.mark.parametrize(
    ("change", "api_code", "fragment"),
    [row[1:] for row in SIGNED_REFUSALS],
    ids=[row[0] for row in SIGNED_REFUSALS],
)
def test_a_bad_signed_request_is_refused_with_its_own_api_code_and_changes_nothing(
    emulator: EmulatorServer, path: str, change: dict[str, Any], api_code: int, fragment: str
) -> None:
    """Each kind of bad signed request answers statusCode 401, its apiCode, and stores nothing."""
    before = seed(emulator)
    pool = emulator.pools[0]
    call: dict[str, Any] = {"key_id": pool.access_key_id, "secret": pool.access_key_secret}
    call.update(change)
    if "date_offset" in call:
        call["date"] = formatdate(time.time() + call.pop("date_offset"), usegmt=True)
    method = "GET" if path == GET else "POST"

    envelope = signed_call(
        emulator.url, method, path, SENDGRID if method == "POST" else None, **call
    )

    assert (envelope["statusCode"], envelope["apiCode"]) == (401, api_code), envelope
    assert fragment in envelope["message"]
    assert isinstance(envelope["requestId"], str)
    assert envelope["data"] is None
    assert emulator.stored(pool.id) == before
    assert SECRET not in json.dumps(envelope)


def test_the_signature_refusals_have_api_codes_of_their_own() -> None:
    """Bad signature, unknown key id, date outside the window and unverifiable: four apiCodes,
    none shared with the token refusals."""
    codes = {row[2] for row in SIGNED_REFUSALS}

    assert len(codes) == 4
    assert API_CODE_TOKEN_MISSING not in codes


@pytest.mark.parametrize(
    ("offset_seconds", "accepted"),
    [
        (0, True),
        (-MAX_CLOCK_SKEW.total_seconds(), True),
        (MAX_CLOCK_SKEW.total_seconds(), True),
        (-MAX_CLOCK_SKEW.total_seconds() - 1, False),
        (MAX_CLOCK_SKEW.total_seconds() + 1, False),
    ],
    ids=["now", "window-past-edge", "window-future-edge", "one-second-too-old", "one-second-ahead"],
)
def test_the_window_is_fifteen_minutes_either_way(offset_seconds: float, *, accepted: bool) -> None:
    """A signed request dated up to 15 minutes from the server's clock, either way, is accepted."""
    now = 1_800_000_000.0
    store = EmulatorStore()
    store.put_pool(DEFAULT_POOL)
    service = EmailProviderService(store, token_ttl_seconds=60, clock=lambda: now)
    headers = {
        "x-authing-signature-nonce": "n",
        "x-authing-signature-method": "HMAC-SHA1",
        "x-authing-signature-version": "1.0",
        "date": formatdate(now + offset_seconds, usegmt=True),
    }
    sig = node_sdk_signature(DEFAULT_POOL.access_key_secret, "GET", GET, headers, {})
    headers["authorization"] = f"authing {DEFAULT_POOL.access_key_id}:{sig}"
    request = SignedRequest("GET", GET, list(headers.items()), [], b"")

    try:
        if accepted:
            assert service.authenticate_signed(request, []) == DEFAULT_POOL.id
        else:
            with pytest.raises(ServiceError) as refused:
                service.authenticate_signed(request, [])
            assert refused.value.api_code == API_CODE_SIGNATURE_DATE_OUT_OF_WINDOW
    finally:
        store.close()
    assert MAX_CLOCK_SKEW.total_seconds() == 15 * 60


def test_a_signed_request_naming_another_pool_is_refused(emulator: EmulatorServer) -> None:
    """A userpool-id header on a signed request must name the pool of the signing key."""
    pool = emulator.pools[0]

    envelope = signed_call(
        emulator.url,
        "GET",
        GET,
        key_id=pool.access_key_id,
        secret=pool.access_key_secret,
        extra={"x-authing-userpool-id": emulator.pools[1].id},
    )

    assert (envelope["statusCode"], envelope["apiCode"]) == (403, API_CODE_USERPOOL_MISMATCH)


def test_no_signature_secret_or_token_reaches_a_log(
    emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Accepted and refused signed and token calls log no signature, secret or token anywhere."""
    pool = emulator.pools[0]
    caplog.set_level(logging.DEBUG)
    headers = {
        "x-authing-signature-nonce": "n",
        "x-authing-signature-method": "HMAC-SHA1",
        "x-authing-signature-version": "1.0",
        "date": formatdate(usegmt=True),
    }
    good = node_sdk_signature(pool.access_key_secret, "GET", GET, headers, {})
    bad = node_sdk_signature("planted-wrong-secret", "GET", GET, headers, {})
    for sig in (good, bad):
        auth = {"authorization": f"authing {pool.access_key_id}:{sig}"}
        httpx.get(emulator.url + GET, headers={**headers, **auth}, timeout=10)
    keys = {"accessKeyId": pool.access_key_id, "accessKeySecret": pool.access_key_secret}
    token = httpx.post(emulator.url + TOKEN, json=keys, timeout=10).json()["data"]["access_token"]
    httpx.get(emulator.url + GET, headers={"authorization": token}, timeout=10)

    logged = json.dumps(emulator.requests()) + caplog.text
    for canary in (good, bad, pool.access_key_secret, "planted-wrong-secret", token):
        assert canary not in logged
    assert [e["auth"] for e in emulator.requests()] == ["signature", "signature", None, "token"]


# -- the Java SDK's bare token ---------------------------------------------------------------


def bare_token_call(emulator: EmulatorServer, userpool_id: str) -> dict[str, Any]:
    """A read as the Java SDK makes it: a bare token, an epoch-ms date, signature headers."""
    pool = emulator.pools[0]
    keys = {"accessKeyId": pool.access_key_id, "accessKeySecret": pool.access_key_secret}
    token = httpx.post(emulator.url + TOKEN, json=keys, timeout=10).json()["data"]["access_token"]
    headers = {
        "authorization": token,
        "x-authing-userpool-id": userpool_id,
        "x-authing-signature-method": "HMAC-SHA1",
        "x-authing-signature-version": "1.0",
        "x-authing-signature-nonce": "y840027AiwMtu60F",
        "x-authing-sdk-version": "authing-java-sdk:3.1.4",
        "x-authing-lang": "zh-CN",
        "date": str(int(time.time() * 1000)),
    }
    envelope: dict[str, Any] = httpx.get(emulator.url + GET, headers=headers, timeout=10).json()
    return envelope


@pytest.mark.parametrize(
    ("userpool_id", "status_code"),
    [("pool-a", 200), ("", 200), ("pool-b", 403)],
    ids=["its-pool", "empty-as-the-java-sdk-sends-it", "another-pool"],
)
def test_a_bare_token_is_accepted_with_its_pool_or_an_empty_userpool_header(
    emulator: EmulatorServer, userpool_id: str, status_code: int
) -> None:
    """The Java SDK's bare token works with its pool's id or an empty header, not another pool."""
    envelope = bare_token_call(emulator, userpool_id)

    assert envelope["statusCode"] == status_code, envelope
    assert emulator.requests()[-1]["auth"] == "token"


def test_a_bearer_token_still_needs_the_userpool_header(emulator: EmulatorServer) -> None:
    """With Bearer (the Python SDKs) an empty userpool-id header is refused as missing."""
    pool = emulator.pools[0]
    keys = {"accessKeyId": pool.access_key_id, "accessKeySecret": pool.access_key_secret}
    token = httpx.post(emulator.url + TOKEN, json=keys, timeout=10).json()["data"]["access_token"]

    envelope = httpx.get(
        emulator.url + GET,
        headers={"authorization": f"Bearer {token}", "x-authing-userpool-id": ""},
        timeout=10,
    ).json()

    assert envelope["statusCode"] == 400
    assert "userpool-id" in envelope["message"]
