"""The emulator's own contract: validation, auth, header brands, hooks, faults, persistence.

Requests are sent with plain httpx, so that these tests pin the wire itself; the official
SDK's view is in ``test_emulator_sdk.py``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from pulumi_genauth.emulator import DEFAULT_POOL, Pool
from pulumi_genauth.emulator.__main__ import main
from pulumi_genauth.emulator.server import EmulatorControl, EmulatorServer
from pulumi_genauth.emulator.service import EmailProviderService, ServiceError
from pulumi_genauth.emulator.store import EmulatorStore

from .support import emulator_process

TOKEN = "/api/v3/get-management-token"
GET = "/api/v3/get-email-provider"
CONFIG = "/api/v3/config-email-provider"
SECRET = "planted-canary-secret"

SMTP = {"smtp_host": "smtp.example.com", "smtp_port": 465, "senderPass": SECRET}
# One connection pool for the whole module: building a client per call is slow.
# The module's connection pool, made anew for each run of the module's tests by _http (a run in
# the same process after another, as mutation testing does, must not find it closed).
HTTP: httpx.Client

SENDGRID = {"sender": "a@example.com", "apikey": SECRET}
ALI = {"sender": "a@example.com", "senderPass": SECRET}
TENCENT = {"sender": "a@example.com", "senderPass": SECRET}


def token_for(url: str, pool: Pool) -> str:
    """A management token of ``pool``, fetched over the wire."""
    body = {"accessKeyId": pool.access_key_id, "accessKeySecret": pool.access_key_secret}
    envelope = HTTP.post(url + TOKEN, json=body).json()
    assert envelope["statusCode"] == 200, envelope
    token: str = envelope["data"]["access_token"]
    return token


def headers_for(token: str, pool_id: str, brand: str = "genauth") -> dict[str, str]:
    """The headers of a management call, in one brand's spelling."""
    return {
        "authorization": f"Bearer {token}",
        f"x-{brand}-userpool-id": pool_id,
        f"x-{brand}-lang": "en-US",
        f"x-{brand}-sdk-version": "tests:0",
    }


class Api:
    """A minimal caller of one pool's management API, for these tests."""

    def __init__(self, url: str, pool: Pool, brand: str = "genauth") -> None:
        self.url = url
        self.pool = pool
        self.headers = headers_for(token_for(url, pool), pool.id, brand)

    def get(self) -> httpx.Response:
        """GET get-email-provider."""
        return HTTP.get(self.url + GET, headers=self.headers)

    def config(self, body: Any = None, *, content: bytes | None = None) -> httpx.Response:
        """POST config-email-provider with a JSON body (or raw bytes)."""
        data = content if content is not None else json.dumps(body).encode()
        headers = {**self.headers, "content-type": "application/json"}
        return HTTP.post(self.url + CONFIG, content=data, headers=headers)


@pytest.fixture(scope="module", autouse=True)
def _http() -> Iterator[None]:
    """A fresh connection pool for the module's tests, closed once they are done."""
    global HTTP  # noqa: PLW0603 - the helpers above read it
    HTTP = httpx.Client(timeout=httpx.Timeout(10.0))
    yield
    HTTP.close()


@pytest.fixture
def api(emulator: EmulatorServer) -> Api:
    """A caller of pool-a's API, with a fresh token."""
    return Api(emulator.url, emulator.pools[0])


# -- validation ----------------------------------------------------------------------------

INVALID_BODIES: list[tuple[str, Any, list[str]]] = [
    (
        "smtpHost-camelCase",
        {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "smtpHost": "h"}},
        ["smtpConfig.smtpHost: unknown field"],
    ),
    (
        "smtpPort-instead-of-smtp_port",
        {
            "type": "custom",
            "enabled": True,
            "smtpConfig": {"smtp_host": "h", "smtpPort": 465, "senderPass": SECRET},
        },
        ["smtpConfig.smtpPort: unknown field", "smtpConfig.smtp_port: is required"],
    ),
    (
        "sender_pass-snake_case",
        {
            "type": "ali",
            "enabled": True,
            "aliExmailConfig": {"sender": "a@example.com", "sender_pass": SECRET},
        },
        ["aliExmailConfig.sender_pass: unknown field", "aliExmailConfig.senderPass: is required"],
    ),
    (
        "smtp_config-property-name",
        {"type": "custom", "enabled": True, "smtp_config": SMTP},
        ["smtp_config: unknown field"],
    ),
    (
        "unknown-top-level-field",
        {"type": "sendgrid", "enabled": True, "sendGridConfig": SENDGRID, "region": "cn"},
        ["region: unknown field"],
    ),
    (
        "missing-sendGridConfig",
        {"type": "sendgrid", "enabled": True},
        ["sendGridConfig is required when type is 'sendgrid'"],
    ),
    (
        "config-of-another-type",
        {"type": "ali", "enabled": True, "smtpConfig": SMTP},
        ["aliExmailConfig is required when type is 'ali'"],
    ),
    ("missing-type", {"enabled": True, "smtpConfig": SMTP}, ["type: is required"]),
    ("missing-enabled", {"type": "custom", "smtpConfig": SMTP}, ["enabled: is required"]),
    (
        "missing-senderPass",
        {"type": "custom", "enabled": True, "smtpConfig": {"smtp_host": "h", "smtp_port": 25}},
        ["smtpConfig.senderPass: is required"],
    ),
    (
        "missing-apikey",
        {"type": "sendgrid", "enabled": True, "sendGridConfig": {"sender": "a@example.com"}},
        ["sendGridConfig.apikey: is required"],
    ),
    (
        "missing-tencent-sender",
        {"type": "qq", "enabled": True, "tencentExmailConfig": {"senderPass": SECRET}},
        ["tencentExmailConfig.sender: is required"],
    ),
    (
        "unknown-type",
        {"type": "gmail", "enabled": True},
        ["type: must be one of 'custom', 'ali', 'qq' or 'sendgrid'"],
    ),
    (
        "enabled-as-string",
        {"type": "sendgrid", "enabled": "true", "sendGridConfig": SENDGRID},
        ["enabled: must be a boolean"],
    ),
    (
        "port-0",
        {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "smtp_port": 0}},
        ["smtpConfig.smtp_port: must be between 1 and 65535"],
    ),
    (
        "port-65536",
        {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "smtp_port": 65536}},
        ["smtpConfig.smtp_port: must be between 1 and 65535"],
    ),
    (
        "port-as-string",
        {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "smtp_port": "465"}},
        ["smtpConfig.smtp_port: must be an integer"],
    ),
    (
        "port-as-fraction",
        {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "smtp_port": 465.5}},
        ["smtpConfig.smtp_port: must be an integer"],
    ),
    (
        "secure-as-string",
        {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "secure": "yes"}},
        ["smtpConfig.secure: must be a boolean"],
    ),
    (
        "host-as-number",
        {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "smtp_host": 10}},
        ["smtpConfig.smtp_host: must be a string"],
    ),
    (
        "empty-senderPass",
        {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "senderPass": ""}},
        ["smtpConfig.senderPass: must not be empty"],
    ),
    (
        "empty-apikey",
        {"type": "sendgrid", "enabled": True, "sendGridConfig": {**SENDGRID, "apikey": ""}},
        ["sendGridConfig.apikey: must not be empty"],
    ),
    (
        "empty-sender",
        {"type": "qq", "enabled": True, "tencentExmailConfig": {**TENCENT, "sender": ""}},
        ["tencentExmailConfig.sender: must not be empty"],
    ),
    (
        "config-not-an-object",
        {"type": "custom", "enabled": True, "smtpConfig": [SECRET]},
        ["smtpConfig: must be an object"],
    ),
    (
        "several-problems-at-once",
        {
            "type": "custom",
            "enabled": 1,
            "smtpConfig": {"smtpHost": "h", "smtp_port": 0, "senderPass": SECRET},
        },
        [
            "enabled: must be a boolean",
            "smtpConfig.smtp_host: is required",
            "smtpConfig.smtp_port: must be between 1 and 65535",
            "smtpConfig.smtpHost: unknown field",
        ],
    ),
    ("body-is-a-list", [SMTP], ["the body must be a JSON object"]),
]


@pytest.mark.parametrize(
    ("body", "named"),
    [row[1:] for row in INVALID_BODIES],
    ids=[row[0] for row in INVALID_BODIES],
)
def test_invalid_config_is_refused_by_field_name_and_not_stored(
    emulator: EmulatorServer, api: Api, body: Any, named: list[str]
) -> None:
    """An invalid body answers statusCode 400 naming each field by its wire path; stores nothing."""
    response = api.config(body)
    envelope = response.json()

    assert response.status_code == 200
    assert envelope["statusCode"] == 400
    assert isinstance(envelope["apiCode"], int)
    for fragment in named:
        assert fragment in envelope["message"]
    assert SECRET not in response.text
    assert emulator.stored(api.pool.id) is None


def test_a_body_that_is_not_json_is_refused(emulator: EmulatorServer, api: Api) -> None:
    """A body that is not JSON answers statusCode 400 and stores nothing."""
    envelope = api.config(content=b"{not json").json()

    assert envelope["statusCode"] == 400
    assert "not valid JSON" in envelope["message"]
    assert emulator.stored(api.pool.id) is None


def test_a_refused_config_leaves_the_previous_setting(emulator: EmulatorServer, api: Api) -> None:
    """A refused config-email-provider call does not touch the setting already stored."""
    good = {"type": "sendgrid", "enabled": True, "sendGridConfig": SENDGRID}
    assert api.config(good).json()["statusCode"] == 200

    refused = api.config({"type": "custom", "enabled": True, "smtpConfig": {"smtpHost": "h"}})

    assert refused.json()["statusCode"] == 400
    assert emulator.stored(api.pool.id) == good


# -- configuring and reading ----------------------------------------------------------------

VALID_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("custom", {"type": "custom", "enabled": True, "smtpConfig": {**SMTP, "sender": "a@b.c"}}),
    ("sendgrid", {"type": "sendgrid", "enabled": False, "sendGridConfig": SENDGRID}),
    ("ali", {"type": "ali", "enabled": True, "aliExmailConfig": ALI}),
    ("qq", {"type": "qq", "enabled": True, "tencentExmailConfig": TENCENT}),
]


@pytest.mark.parametrize("brand", ["genauth", "authing"])
@pytest.mark.parametrize("body", [row[1] for row in VALID_BODIES], ids=[r[0] for r in VALID_BODIES])
def test_each_type_is_stored_as_sent_under_both_header_brands(
    emulator: EmulatorServer, brand: str, body: dict[str, Any]
) -> None:
    """A valid body is stored as sent and read back, with x-genauth-* or x-authing-* headers."""
    api = Api(emulator.url, emulator.pools[0], brand)

    answer = api.config(body).json()
    read = api.get().json()

    assert answer["statusCode"] == 200
    assert read["statusCode"] == 200
    assert emulator.stored(api.pool.id) == body
    for dto in (answer["data"], read["data"]):
        assert dto["enabled"] is body["enabled"]
        assert dto["type"] == body["type"]
    assert emulator.requests()[-1]["header_brand"] == brand


def test_a_never_configured_pool_reads_as_disabled(api: Api) -> None:
    """A pool nobody configured reads {enabled: false} and nothing else."""
    envelope = api.get().json()

    assert envelope["statusCode"] == 200
    assert envelope["data"] == {"enabled": False}


def test_smtp_read_fills_the_output_dto_fields(api: Api) -> None:
    """An SMTP config sent without sender and secure reads back with "" and false."""
    api.config({"type": "custom", "enabled": True, "smtpConfig": SMTP})

    assert api.get().json()["data"]["smtpConfig"] == {**SMTP, "sender": "", "secure": False}


def test_every_config_object_sent_is_kept(emulator: EmulatorServer, api: Api) -> None:
    """All four config objects sent in one call are stored and read back, not just the type's."""
    body = {
        "type": "ali",
        "enabled": True,
        "smtpConfig": {**SMTP, "sender": "s@b.c", "secure": True},
        "sendGridConfig": SENDGRID,
        "aliExmailConfig": ALI,
        "tencentExmailConfig": TENCENT,
    }

    api.config(body)

    assert api.get().json()["data"] == body
    assert emulator.stored(api.pool.id) == body


def test_a_config_call_replaces_the_whole_setting(emulator: EmulatorServer, api: Api) -> None:
    """A later config-email-provider call replaces the setting; config objects not sent go."""
    api.config({"type": "custom", "enabled": True, "smtpConfig": SMTP})
    second = {"type": "sendgrid", "enabled": True, "sendGridConfig": SENDGRID}

    api.config(second)

    assert api.get().json()["data"] == second
    assert emulator.stored(api.pool.id) == second


def test_pools_are_isolated(emulator: EmulatorServer) -> None:
    """One pool's setting is neither seen nor changed through another pool's token."""
    pool_a, pool_b = (Api(emulator.url, pool) for pool in emulator.pools[:2])
    body_a = {"type": "sendgrid", "enabled": True, "sendGridConfig": SENDGRID}
    body_b = {"type": "ali", "enabled": False, "aliExmailConfig": ALI}

    pool_a.config(body_a)
    assert pool_b.get().json()["data"] == {"enabled": False}
    pool_b.config(body_b)

    assert pool_a.get().json()["data"] == body_a
    assert pool_b.get().json()["data"] == body_b
    assert emulator.stored(pool_a.pool.id) == body_a
    assert emulator.stored(pool_b.pool.id) == body_b


def test_a_pool_added_at_runtime_is_served(emulator: EmulatorServer) -> None:
    """A pool added through the hook gets tokens and its own setting."""
    pool = Pool(f"pool-{uuid.uuid4().hex[:8]}", f"key-{uuid.uuid4().hex}", "runtime-secret")

    emulator.add_pool(pool)
    api = Api(emulator.url, pool)
    api.config({"type": "qq", "enabled": True, "tencentExmailConfig": TENCENT})

    assert pool in emulator.pools
    assert api.get().json()["data"]["type"] == "qq"
    assert emulator.stored(emulator.pools[0].id) is None


def test_an_access_key_id_cannot_open_two_pools(emulator: EmulatorServer) -> None:
    """Adding a pool with another pool's access key id is refused with HTTP 409."""
    taken = emulator.pools[0].access_key_id

    with pytest.raises(httpx.HTTPStatusError) as refused:
        emulator.add_pool(Pool("pool-thief", taken, "other-secret"))

    assert refused.value.response.status_code == 409


# -- authentication ------------------------------------------------------------------------


def test_the_token_is_a_jwt_scoped_to_the_pool(emulator: EmulatorServer) -> None:
    """get-management-token answers an HS256 JWT with scoped_userpool_id, iat, exp."""
    pool = emulator.pools[1]
    body = {"accessKeyId": pool.access_key_id, "accessKeySecret": pool.access_key_secret}

    envelope = HTTP.post(emulator.url + TOKEN, json=body).json()

    data = envelope["data"]
    assert envelope["statusCode"] == 200
    assert data["expires_in"] == 7200
    assert jwt.get_unverified_header(data["access_token"])["alg"] == "HS256"
    claims = jwt.decode(data["access_token"], options={"verify_signature": False})
    assert claims["scoped_userpool_id"] == pool.id
    assert claims["exp"] - claims["iat"] == 7200


TOKEN_REFUSALS: list[tuple[str, Any, int]] = [
    ("wrong-secret", {"accessKeyId": "pool-a-access-key-id", "accessKeySecret": "nope"}, 401),
    (
        "unknown-key-id",
        {"accessKeyId": "nobody", "accessKeySecret": "pool-a-access-key-secret"},
        401,
    ),
    ("missing-secret", {"accessKeyId": "pool-a-access-key-id"}, 400),
    ("empty-key-id", {"accessKeyId": "", "accessKeySecret": "x"}, 400),
    ("not-an-object", ["pool-a-access-key-id"], 400),
]


@pytest.mark.parametrize(
    ("body", "status_code"), [r[1:] for r in TOKEN_REFUSALS], ids=[r[0] for r in TOKEN_REFUSALS]
)
def test_a_bad_access_key_gets_no_token(
    emulator: EmulatorServer, body: Any, status_code: int
) -> None:
    """A bad access key answers HTTP 200 with a failure envelope and no token."""
    response = HTTP.post(emulator.url + TOKEN, json=body)
    envelope = response.json()

    assert response.status_code == 200
    assert envelope["statusCode"] == status_code
    assert envelope["data"] is None
    assert isinstance(envelope["apiCode"], int)
    assert envelope["message"]
    assert "pool-a-access-key-secret" not in response.text


def _forged_token(pool_id: str) -> str:
    now = int(time.time())
    claims = {"scoped_userpool_id": pool_id, "iat": now, "exp": now + 60}
    return jwt.encode(claims, "a-key-the-emulator-never-used-" * 2, algorithm="HS256")


AUTH_REFUSALS: list[tuple[str, dict[str, str], int, str]] = [
    ("no-authorization", {"x-genauth-userpool-id": "pool-a"}, 401, "management token is required"),
    (
        "not-bearer",
        {"authorization": "Basic abc", "x-genauth-userpool-id": "pool-a"},
        401,
        "management token is required",
    ),
    (
        "garbage-token",
        {"authorization": "Bearer not.a.jwt", "x-genauth-userpool-id": "pool-a"},
        401,
        "not valid",
    ),
    (
        "forged-token",
        {"authorization": f"Bearer {_forged_token('pool-a')}", "x-genauth-userpool-id": "pool-a"},
        401,
        "not valid",
    ),
]


@pytest.mark.parametrize("path", [GET, CONFIG])
@pytest.mark.parametrize(
    ("headers", "status_code", "message"),
    [r[1:] for r in AUTH_REFUSALS],
    ids=[r[0] for r in AUTH_REFUSALS],
)
def test_a_management_call_without_a_valid_token_is_refused(
    emulator: EmulatorServer, path: str, headers: dict[str, str], status_code: int, message: str
) -> None:
    """A missing, malformed or forged token answers statusCode 401 and changes nothing."""
    body = {"type": "sendgrid", "enabled": True, "sendGridConfig": SENDGRID}
    method = "GET" if path == GET else "POST"

    envelope = HTTP.request(method, emulator.url + path, headers=headers, json=body).json()

    assert envelope["statusCode"] == status_code
    assert message in envelope["message"]
    assert emulator.stored("pool-a") is None


@pytest.mark.parametrize(
    ("userpool_headers", "status_code"),
    [
        ({}, 400),
        ({"x-genauth-userpool-id": "pool-b"}, 403),
        ({"x-authing-userpool-id": "pool-b"}, 403),
        ({"x-genauth-userpool-id": "pool-a", "x-authing-userpool-id": "pool-b"}, 403),
        ({"x-genauth-userpool-id": "pool-a", "x-authing-userpool-id": "pool-a"}, 200),
    ],
    ids=["missing", "other-pool-genauth", "other-pool-authing", "brands-disagree", "brands-agree"],
)
def test_the_userpool_header_must_name_the_tokens_pool(
    emulator: EmulatorServer, userpool_headers: dict[str, str], status_code: int
) -> None:
    """The userpool-id header (either brand) must be present and match the token's pool."""
    token = token_for(emulator.url, emulator.pools[0])
    headers = {"authorization": f"Bearer {token}", **userpool_headers}

    envelope = HTTP.get(emulator.url + GET, headers=headers).json()

    assert envelope["statusCode"] == status_code


def test_expire_tokens_rejects_every_token_issued_so_far(emulator: EmulatorServer) -> None:
    """After the expire-tokens hook old tokens answer 401 "expired" and new ones work."""
    old = Api(emulator.url, emulator.pools[0])
    assert old.get().json()["statusCode"] == 200

    emulator.expire_tokens()
    refused = old.get().json()
    fresh = Api(emulator.url, emulator.pools[0])

    assert refused["statusCode"] == 401
    assert "expired" in refused["message"]
    assert fresh.get().json()["statusCode"] == 200


def test_a_token_past_its_lifetime_is_refused_as_expired(tmp_path: Path) -> None:
    """A token whose exp has passed is refused with statusCode 401 and an "expired" message."""
    store = EmulatorStore(str(tmp_path / "emulator.sqlite"))
    store.put_pool(DEFAULT_POOL)
    long_ago = EmailProviderService(store, token_ttl_seconds=60, clock=lambda: time.time() - 3600)
    body = {
        "accessKeyId": DEFAULT_POOL.access_key_id,
        "accessKeySecret": DEFAULT_POOL.access_key_secret,
    }
    token = long_ago.issue_token(json.dumps(body).encode())["access_token"]

    with pytest.raises(ServiceError) as refused:
        long_ago.authenticate(f"Bearer {token}", [DEFAULT_POOL.id])

    store.close()
    assert refused.value.status_code == 401
    assert "expired" in refused.value.message


# -- envelope, request log, masking ----------------------------------------------------------


def test_every_answer_has_a_fresh_request_id_in_body_and_header(api: Api) -> None:
    """Each API answer carries a new uuid4 requestId, also sent as x-request-id."""
    responses = [api.get(), api.get(), api.config({"type": "qq", "enabled": True})]

    ids = [r.json()["requestId"] for r in responses]
    assert len(set(ids)) == 3
    for response, request_id in zip(responses, ids, strict=True):
        assert uuid.UUID(request_id).version == 4
        assert response.headers["x-request-id"] == request_id


def test_an_unknown_api_path_answers_a_404_envelope(emulator: EmulatorServer) -> None:
    """An API path the emulator does not serve answers HTTP 200 with a 404 envelope."""
    response = HTTP.get(emulator.url + "/api/v3/list-users")

    assert response.status_code == 200
    assert response.json()["statusCode"] == 404


def test_the_request_log_records_api_calls_but_not_hooks_or_credentials(
    emulator: EmulatorServer, api: Api
) -> None:
    """The log lists each API call with its statuses and requestId, never hooks or tokens."""
    read = api.get()
    emulator.stored(api.pool.id)
    refused = api.config({"type": "gmail", "enabled": True})

    log = emulator.requests()

    assert [(e["method"], e["path"], e["http_status"], e["status_code"]) for e in log] == [
        ("POST", TOKEN, 200, 200),
        ("GET", GET, 200, 200),
        ("POST", CONFIG, 200, 400),
    ]
    assert log[1]["request_id"] == read.json()["requestId"]
    assert log[2]["request_id"] == refused.json()["requestId"]
    assert log[1]["userpool_id"] == api.pool.id
    dumped = json.dumps(log)
    assert api.headers["authorization"].split()[1] not in dumped
    assert api.pool.access_key_secret not in dumped


def test_the_mask_switch_hides_secrets_in_answers_only(emulator: EmulatorServer, api: Api) -> None:
    """With mask_secrets on, answers show ****** for senderPass and apikey; the store keeps them."""
    body = {
        "type": "custom",
        "enabled": True,
        "smtpConfig": SMTP,
        "sendGridConfig": SENDGRID,
    }
    emulator.mask_secrets(True)

    answer = api.config(body).json()["data"]
    read = api.get().json()["data"]
    emulator.mask_secrets(False)
    plain = api.get().json()["data"]

    for dto in (answer, read):
        assert dto["smtpConfig"]["senderPass"] == "******"
        assert dto["sendGridConfig"]["apikey"] == "******"
        assert SECRET not in json.dumps(dto)
    assert plain["smtpConfig"]["senderPass"] == SECRET
    assert emulator.stored(api.pool.id) == body


def test_reset_forgets_settings_log_faults_and_masking(emulator: EmulatorServer, api: Api) -> None:
    """The reset hook clears settings, the log, faults and the mask switch, but keeps pools."""
    api.config({"type": "ali", "enabled": True, "aliExmailConfig": ALI})
    emulator.mask_secrets(True)
    emulator.add_fault(status=500, times=5)

    emulator.reset()

    assert emulator.stored(api.pool.id) is None
    assert emulator.requests() == []
    api.config({"type": "ali", "enabled": True, "aliExmailConfig": ALI})
    assert api.get().json()["data"]["aliExmailConfig"]["senderPass"] == SECRET


# -- faults --------------------------------------------------------------------------------


def test_a_status_fault_answers_real_http_errors_then_clears(
    api: Api, emulator: EmulatorServer
) -> None:
    """A queued 503 fault answers HTTP 503 with Retry-After for `times` requests, then stops."""
    emulator.add_fault(path=GET, status=503, times=2, retry_after="1")

    answers = [api.get() for _ in range(3)]

    assert [r.status_code for r in answers] == [503, 503, 200]
    assert [r.json()["statusCode"] for r in answers] == [503, 503, 200]
    assert answers[0].headers["retry-after"] == "1"
    assert answers[0].headers["x-request-id"] == answers[0].json()["requestId"]
    assert [e["http_status"] for e in emulator.requests()[-3:]] == [503, 503, 200]


def test_a_fault_for_one_path_spares_the_others(api: Api, emulator: EmulatorServer) -> None:
    """A fault queued for config-email-provider leaves get-email-provider alone."""
    emulator.add_fault(path=CONFIG, status=500)

    read = api.get()
    refused = api.config({"type": "qq", "enabled": True, "tencentExmailConfig": TENCENT})
    retried = api.config({"type": "qq", "enabled": True, "tencentExmailConfig": TENCENT})

    assert read.status_code == 200
    assert refused.status_code == 500
    assert emulator.stored(api.pool.id) is not None
    assert retried.json()["statusCode"] == 200


def test_a_fault_without_a_path_hits_any_api_path(emulator: EmulatorServer) -> None:
    """A fault with no path applies to the next API request, the token call included."""
    emulator.add_fault(status=429, retry_after="2")
    pool = emulator.pools[0]
    body = {"accessKeyId": pool.access_key_id, "accessKeySecret": pool.access_key_secret}

    first = HTTP.post(emulator.url + TOKEN, json=body)
    second = HTTP.post(emulator.url + TOKEN, json=body)

    assert first.status_code == 429
    assert first.headers["retry-after"] == "2"
    assert second.json()["statusCode"] == 200


def test_a_malformed_fault_answers_http_200_with_a_non_json_body(
    api: Api, emulator: EmulatorServer
) -> None:
    """A malformed fault answers HTTP 200 with a body that is not JSON."""
    emulator.add_fault(path=GET, malformed=True)

    response = api.get()

    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert emulator.requests()[-1]["status_code"] is None


def test_an_envelope_fault_answers_http_200_with_a_failure_envelope(
    api: Api, emulator: EmulatorServer
) -> None:
    """An envelope_status fault answers HTTP 200 whose envelope statusCode is the failure."""
    emulator.add_fault(path=GET, envelope_status=500)

    response = api.get()

    assert response.status_code == 200
    assert response.json()["statusCode"] == 500
    assert isinstance(response.json()["apiCode"], int)


def test_a_latency_fault_delays_a_normal_answer(api: Api, emulator: EmulatorServer) -> None:
    """A latency-only fault delays the answer but lets the request through."""
    emulator.add_fault(path=GET, latency_seconds=0.3)

    started = time.monotonic()
    response = api.get()

    assert time.monotonic() - started >= 0.3
    assert response.json()["statusCode"] == 200


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 99},
        {"times": 0},
        {"latency_seconds": -1},
        {"malformed": "yes"},
        {"colour": "red"},
    ],
    ids=["status-99", "times-0", "negative-latency", "malformed-string", "unknown-key"],
)
def test_a_bad_fault_spec_is_refused(emulator: EmulatorServer, fault: dict[str, Any]) -> None:
    """The faults hook refuses a spec it cannot honour with HTTP 400."""
    response = HTTP.post(emulator.url + "/_emulator/faults", json=fault)

    assert response.status_code == 400
    assert "bad fault" in response.json()["error"]


# -- the console script ----------------------------------------------------------------------


def test_the_console_script_keeps_state_in_its_db_across_a_restart(tmp_path: Path) -> None:
    """With --db, a setting and an issued token survive killing and restarting the emulator."""
    db = str(tmp_path / "emulator.sqlite")
    body = {"type": "custom", "enabled": True, "smtpConfig": SMTP}

    with emulator_process("--db", db) as url:
        assert url.startswith("http://127.0.0.1:")
        api = Api(url, DEFAULT_POOL)
        assert api.config(body).json()["statusCode"] == 200

    with emulator_process("--db", db) as url:
        api.url = url
        read = api.get().json()
        with EmulatorControl(url) as control:
            stored = control.stored(DEFAULT_POOL.id)

    assert read["statusCode"] == 200
    assert read["data"]["smtpConfig"]["smtp_host"] == SMTP["smtp_host"]
    assert stored == body


def test_the_console_script_serves_every_pool_given() -> None:
    """Repeated --pool options each open their own pool; the demo pool is then not served."""
    pools = [Pool("cli-a", "cli-key-a", "cli:secret:with:colons"), Pool("cli-b", "cli-key-b", "s")]
    args = [arg for pool in pools for arg in ("--pool", ":".join(pool))]

    with emulator_process(*args, "--token-ttl", "30") as url:
        answers = [
            HTTP.post(
                url + TOKEN,
                json={"accessKeyId": p.access_key_id, "accessKeySecret": p.access_key_secret},
            ).json()
            for p in pools
        ]
        demo = HTTP.post(
            url + TOKEN,
            json={
                "accessKeyId": DEFAULT_POOL.access_key_id,
                "accessKeySecret": DEFAULT_POOL.access_key_secret,
            },
        ).json()

    assert [a["data"]["expires_in"] for a in answers] == [30, 30]
    claims = [
        jwt.decode(a["data"]["access_token"], options={"verify_signature": False}) for a in answers
    ]
    assert [c["scoped_userpool_id"] for c in claims] == ["cli-a", "cli-b"]
    assert demo["statusCode"] == 401


@pytest.mark.parametrize(
    "argv",
    [["--pool", "only-an-id"], ["--pool", "id:key-without-secret"], ["--token-ttl", "0"]],
    ids=["pool-id-only", "pool-without-secret", "zero-ttl"],
)
def test_the_console_script_refuses_bad_options(argv: list[str]) -> None:
    """Malformed --pool or --token-ttl options stop the CLI with a usage error."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)

    assert stopped.value.code == 2
