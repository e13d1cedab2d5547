"""The management API client against the emulator on a real loopback port.

Backoff is shortened and sleeps are recorded, so retry behaviour is pinned without waiting.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import email.utils
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from pydantic import SecretStr

import pulumi_genauth._client as client_module
from pulumi_genauth import (
    AuthenticationError,
    ConfigurationError,
    GenAuthClient,
    InvalidRequestError,
    MalformedResponseError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TransportError,
)
from pulumi_genauth._client import UnreachableHosts, retries_told_to, shared_tls_context
from pulumi_genauth.emulator.server import EmulatorServer

from .support import CANARIES, CASES, SMTP_PASSWORD, SleepRecorder, request_for

CONFIG_PATH = "/api/v3/config-email-provider"
READ_PATH = "/api/v3/get-email-provider"
TOKEN_PATH = "/api/v3/get-management-token"
# The hosts of scripted_client and refusing_client.
HOST = "https://api.genauth.ai"
REFUSING_HOST = "https://api.example.com"
FAST = RetryPolicy(initial_backoff_seconds=0.01, max_backoff_seconds=0.02, jitter_seconds=0)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(emulator: EmulatorServer, sleeps: SleepRecorder) -> Iterator[GenAuthClient]:
    pool = emulator.pools[0]
    with GenAuthClient(
        host=emulator.url,
        access_key_id=pool.access_key_id,
        access_key_secret=pool.access_key_secret,
        retry=FAST,
        sleep=sleeps,
    ) as made:
        yield made


def api_calls(emulator: EmulatorServer, path: str) -> list[dict[str, Any]]:
    return [entry for entry in emulator.requests() if entry["path"] == path]


@pytest.mark.parametrize("kind", sorted(CASES))
def test_configures_and_reads_back_each_type(
    client: GenAuthClient, emulator: EmulatorServer, kind: str
) -> None:
    """Each of the four shapes is sent as the API spells it and read back the same."""
    wire = CASES[kind][1]
    answered = client.config_email_provider(request_for(kind))
    assert (answered.enabled, answered.type) == (True, kind)  # the setting the API answered
    stored = emulator.stored("pool-a")
    assert stored is not None
    assert stored == wire  # exactly: no key more, none less
    info = client.get_email_provider()
    assert (info.enabled, info.type) == (True, kind)


def test_the_pool_id_comes_from_the_token(client: GenAuthClient) -> None:
    """The user pool id is the management token's scoped_userpool_id claim."""
    assert client.userpool_id == "pool-a"


def test_the_token_is_reused_until_it_nears_expiry(
    emulator: EmulatorServer, sleeps: SleepRecorder
) -> None:
    """One token serves many calls; a new one is fetched shortly before it expires."""
    now = [1000.0]
    pool = emulator.pools[0]
    with GenAuthClient(
        host=emulator.url,
        access_key_id=pool.access_key_id,
        access_key_secret=pool.access_key_secret,
        clock=lambda: now[0],
        sleep=sleeps,
    ) as made:
        made.get_email_provider()
        made.get_email_provider()
        assert len(api_calls(emulator, "/api/v3/get-management-token")) == 1
        now[0] += 7200  # the emulator's default token lifetime
        made.get_email_provider()
    assert len(api_calls(emulator, "/api/v3/get-management-token")) == 2


def test_an_expired_token_is_refreshed_once_and_the_call_retried(
    client: GenAuthClient, emulator: EmulatorServer
) -> None:
    """When the API rejects the token, the client fetches a new one and succeeds."""
    client.get_email_provider()
    emulator.expire_tokens()
    client.config_email_provider(request_for("sendgrid"))
    assert len(api_calls(emulator, "/api/v3/get-management-token")) == 2
    statuses = [entry["status_code"] for entry in api_calls(emulator, CONFIG_PATH)]
    assert statuses == [401, 200]


def test_a_bad_access_key_is_an_authentication_error(emulator: EmulatorServer) -> None:
    """A refused access key raises AuthenticationError with the API's requestId."""
    with (
        GenAuthClient(
            host=emulator.url, access_key_id="nobody", access_key_secret=SMTP_PASSWORD
        ) as made,
        pytest.raises(AuthenticationError) as info,
    ):
        made.get_email_provider()
    assert info.value.request_id
    assert info.value.status_code == 401
    assert SMTP_PASSWORD not in str(info.value)


def test_a_refused_request_carries_the_api_fields(
    client: GenAuthClient, emulator: EmulatorServer
) -> None:
    """A request the API refuses raises InvalidRequestError with its message and codes."""
    bad = request_for("custom").model_copy(update={"smtp_config": None})
    with pytest.raises(InvalidRequestError) as info:
        client.config_email_provider(bad)
    error = info.value
    assert error.status_code == 400
    assert error.request_id
    assert "smtpConfig" in error.message
    assert emulator.stored("pool-a") is None


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503},
        {"status": 500},
        {"status": 429},
        {"envelope_status": 500},
        {"malformed": True},
    ],
)
def test_transient_faults_are_retried_then_succeed(
    client: GenAuthClient,
    emulator: EmulatorServer,
    sleeps: SleepRecorder,
    fault: dict[str, Any],
) -> None:
    """Two faulty answers then a good one: the call succeeds after two pauses."""
    emulator.add_fault(path=CONFIG_PATH, times=2, **fault)
    client.config_email_provider(request_for("ali"))
    assert len(sleeps.pauses) == 2
    assert len(api_calls(emulator, CONFIG_PATH)) == 3


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        ({"status": 503}, ServerError),
        ({"status": 429}, RateLimitError),
        ({"status": 408}, InvalidRequestError),
        ({"malformed": True}, MalformedResponseError),
    ],
)
def test_retries_are_bounded_by_attempts(
    client: GenAuthClient,
    emulator: EmulatorServer,
    fault: dict[str, Any],
    error_class: type[Exception],
) -> None:
    """A fault that does not clear fails after max_attempts, with the last answer's error."""
    emulator.add_fault(path=CONFIG_PATH, times=100, **fault)
    with pytest.raises(error_class):
        client.config_email_provider(request_for("qq"))
    assert len(api_calls(emulator, CONFIG_PATH)) == FAST.max_attempts


def test_a_malformed_answer_that_does_not_clear_names_its_request_id(
    client: GenAuthClient, emulator: EmulatorServer
) -> None:
    """HTTP 200 with a body that is not JSON, every time: the error keeps x-request-id."""
    emulator.add_fault(path=CONFIG_PATH, times=100, malformed=True)
    with pytest.raises(MalformedResponseError) as info:
        client.config_email_provider(request_for("qq"))
    last = api_calls(emulator, CONFIG_PATH)[-1]
    assert info.value.request_id == last["request_id"]
    assert f"requestId {last['request_id']}" in str(info.value)


def test_retry_after_is_honoured_up_to_a_cap(
    client: GenAuthClient, emulator: EmulatorServer, sleeps: SleepRecorder
) -> None:
    """Retry-After sets the pause; a very long one is capped."""
    emulator.add_fault(path=CONFIG_PATH, status=429, retry_after="3")
    emulator.add_fault(path=CONFIG_PATH, status=503, retry_after="100000")
    client.config_email_provider(request_for("custom"))
    assert sleeps.pauses == [3.0, FAST.retry_after_cap_seconds]


def fail_on_a_fake_clock(
    emulator: EmulatorServer, retry_after: str, policy: RetryPolicy | None = None
) -> float:
    """Let config calls fail with 503 and ``retry_after``; the fake clock when the client gave up.

    The client's clock only moves by its own pauses, so no test waits for real.
    """
    pool = emulator.pools[0]
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    emulator.add_fault(path=CONFIG_PATH, status=503, retry_after=retry_after, times=100)
    with (
        GenAuthClient(
            host=emulator.url,
            access_key_id=pool.access_key_id,
            access_key_secret=pool.access_key_secret,
            retry=policy,
            clock=lambda: now[0],
            sleep=sleep,
        ) as made,
        pytest.raises(ServerError),
    ):
        made.config_email_provider(request_for("custom"))
    return now[0]


@pytest.mark.parametrize(
    ("budget", "retry_after", "attempts", "gave_up_at"),
    [
        (5.0, "2", 3, 4.0),  # attempts at t=0, 2 and 4; a pause to t=6 would pass 5 s
        (4.0, "2", 3, 4.0),  # the pause to t=4 ends on the budget, so it is taken
        (3.9, "2", 2, 2.0),
        (0.5, "0", 50, 0.0),  # pauses of no time never use the budget up: attempts bound them
    ],
)
def test_retries_are_bounded_by_total_time(
    emulator: EmulatorServer, budget: float, retry_after: str, attempts: int, gave_up_at: float
) -> None:
    """No retry is started whose pause would end past the total time budget; one ending on it is."""
    policy = RetryPolicy(max_attempts=50, max_total_seconds=budget)
    assert fail_on_a_fake_clock(emulator, retry_after, policy) == gave_up_at
    assert len(api_calls(emulator, CONFIG_PATH)) == attempts


def test_connection_errors_are_retried_then_reported(sleeps: SleepRecorder) -> None:
    """A host that refuses connections is retried, then reported as a TransportError."""
    with (
        GenAuthClient(
            host="http://127.0.0.1:9",
            access_key_id="id",
            access_key_secret="secret",
            retry=FAST,
            sleep=sleeps,
        ) as made,
        pytest.raises(TransportError, match="after 5 attempt"),
    ):
        made.get_email_provider()
    assert len(sleeps.pauses) == FAST.max_attempts - 1


def test_timeouts_are_retried_then_reported(emulator: EmulatorServer) -> None:
    """An answer slower than the read timeout is a timeout, retried, then reported."""
    pool = emulator.pools[0]
    emulator.add_fault(latency_seconds=0.5, times=100)
    with (
        GenAuthClient(
            host=emulator.url,
            access_key_id=pool.access_key_id,
            access_key_secret=pool.access_key_secret,
            timeout=httpx.Timeout(0.1),
            retry=RetryPolicy(max_attempts=2, initial_backoff_seconds=0.01, jitter_seconds=0),
        ) as made,
        pytest.raises(TransportError, match="timed out"),
    ):
        made.get_email_provider()


@pytest.mark.parametrize(
    "host",
    ["http://api.genauth.ai", "http://10.0.0.5", "ftp://api.genauth.ai", "api.genauth.ai", ""],
)
def test_insecure_or_malformed_hosts_are_refused(host: str) -> None:
    """Plain http is only for loopback; anything but an http(s) URL is refused up front."""
    with pytest.raises(ConfigurationError):
        GenAuthClient(host=host, access_key_id="id", access_key_secret="secret")


@pytest.mark.parametrize(
    ("host", "prefix"),
    [
        ("https://api.genauth.ai", "x-genauth-"),
        ("https://api.authing.cn", "x-authing-"),
        ("https://core.authing.cn/", "x-authing-"),
        ("https://idp.example.com", "x-genauth-"),
    ],
)
def test_the_header_brand_follows_the_host(host: str, prefix: str) -> None:
    """Authing hosts get x-authing- headers; GenAuth and private hosts x-genauth-."""
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json={"statusCode": 200, "message": "ok", "data": {}})

    with GenAuthClient(
        host=host, access_key_id="id", access_key_secret="s", transport=httpx.MockTransport(handler)
    ) as made:
        made._send("GET", "/api/v3/get-email-provider", body=None, token=None)
    assert f"{prefix}lang" in seen[0]
    assert f"{prefix}sdk-version" in seen[0]


def test_both_header_brands_reach_the_emulator(emulator: EmulatorServer) -> None:
    """The authing brand works end to end (the emulator answers both)."""
    pool = emulator.pools[0]
    with GenAuthClient(
        host=emulator.url,
        access_key_id=pool.access_key_id,
        access_key_secret=pool.access_key_secret,
        brand="authing",
    ) as made:
        made.config_email_provider(request_for("sendgrid"))
        assert made.get_email_provider().type == "sendgrid"


def test_no_secret_in_logs_errors_or_reprs(
    emulator: EmulatorServer, caplog: pytest.LogCaptureFixture, sleeps: SleepRecorder
) -> None:
    """Planted secrets never appear in a log record, an error message or a repr."""
    caplog.set_level(logging.DEBUG)
    key_secret = "canary-access-key-secret-99"
    texts: list[str] = []
    pool = emulator.pools[0]
    with GenAuthClient(
        host=emulator.url,
        access_key_id=pool.access_key_id,
        access_key_secret=SecretStr(pool.access_key_secret),
        retry=FAST,
        sleep=sleeps,
    ) as good:
        texts.append(repr(good))
        request = request_for("custom")
        texts.append(repr(request))
        texts.append(str(request))
        emulator.add_fault(path=CONFIG_PATH, status=503, times=100)
        with pytest.raises(ServerError) as failure:
            good.config_email_provider(request)
        texts.append(str(failure.value))
        texts.append(repr(failure.value))
    with GenAuthClient(host=emulator.url, access_key_id="x", access_key_secret=key_secret) as bad:
        texts.append(repr(bad))
        with pytest.raises(AuthenticationError) as refused:
            bad.get_email_provider()
    texts.append(str(refused.value))
    everything = "\n".join([*texts, caplog.text])
    for canary in (*CANARIES, key_secret, pool.access_key_secret):
        assert canary not in everything


def test_threads_share_one_token(emulator: EmulatorServer) -> None:
    """Calls from several threads at once fetch the management token once, not per thread."""
    pool = emulator.pools[0]
    with (
        GenAuthClient(
            host=emulator.url,
            access_key_id=pool.access_key_id,
            access_key_secret=pool.access_key_secret,
        ) as shared,
        concurrent.futures.ThreadPoolExecutor(max_workers=8) as workers,
    ):
        answers = list(workers.map(lambda _: shared.get_email_provider(), range(16)))
    assert len(answers) == 16
    assert len(api_calls(emulator, "/api/v3/get-management-token")) == 1


def refusing_client(
    sleeps: SleepRecorder,
    retry: RetryPolicy | None = None,
    error: type[Exception] = httpx.ConnectError,
    *,
    unreachable: UnreachableHosts | None = None,
    attempts: list[str] | None = None,
) -> tuple[GenAuthClient, list[str]]:
    """A client whose every request fails with ``error``; the list records the attempts.

    Pass ``attempts`` to share one record between several clients.
    """
    tried: list[str] = [] if attempts is None else attempts

    def fail(request: httpx.Request) -> httpx.Response:
        tried.append(request.url.path)
        raise error("no answer", request=request)  # type: ignore[call-arg]

    made = GenAuthClient(
        host="https://api.example.com",
        access_key_id="id",
        access_key_secret="s",
        retry=retry,
        transport=httpx.MockTransport(fail),
        sleep=sleeps,
        unreachable=unreachable,
    )
    return made, tried


def test_a_host_that_cannot_be_reached_is_tried_once_per_budget_for_all_clients(
    sleeps: SleepRecorder,
) -> None:
    """The first client spends the retry budget; the next fail at once with the same line."""
    unreachable = UnreachableHosts()
    attempts: list[str] = []
    errors = []
    for _ in range(3):
        client, _ = refusing_client(sleeps, FAST, unreachable=unreachable, attempts=attempts)
        with client, pytest.raises(TransportError) as info:
            client.get_email_provider()
        errors.append(str(info.value))

    assert len(attempts) == FAST.max_attempts  # the first client's, and nobody else's
    line = (
        "POST /api/v3/get-management-token: could not reach https://api.example.com "
        "(ConnectError) (after 5 attempt(s))"
    )
    assert errors == [line] * 3


def test_a_slow_answer_is_not_taken_for_an_unreachable_host(sleeps: SleepRecorder) -> None:
    """A read timeout means the host answers: the next client tries again."""
    unreachable = UnreachableHosts()
    attempts: list[str] = []
    for _ in range(2):
        client, _ = refusing_client(
            sleeps, FAST, httpx.ReadTimeout, unreachable=unreachable, attempts=attempts
        )
        with client, pytest.raises(TransportError, match="timed out"):
            client.get_email_provider()
    assert len(attempts) == 2 * FAST.max_attempts


def test_timeouts_are_retried_as_often_as_connect_errors(sleeps: SleepRecorder) -> None:
    """A read timeout is tried max_attempts times, with a pause between each."""
    made, attempts = refusing_client(sleeps, FAST, httpx.ReadTimeout)
    with made, pytest.raises(TransportError, match=r"timed out \(ReadTimeout\) \(after 5 attempt"):
        made.get_email_provider()
    assert len(attempts) == FAST.max_attempts == 5
    assert len(sleeps.pauses) == 4


def test_the_backoff_doubles_up_to_its_cap_and_adds_jitter(sleeps: SleepRecorder) -> None:
    """The default pauses: 0.5, 1, 2, 4 s, each plus up to 0.5 s of jitter."""
    made, _ = refusing_client(sleeps)
    with made, pytest.raises(TransportError):
        made.get_email_provider()
    bases = [0.5, 1.0, 2.0, 4.0]
    assert len(sleeps.pauses) == len(bases)
    for pause, base in zip(sleeps.pauses, bases, strict=True):
        assert base <= pause <= base + 0.5
    assert [round(p - b, 6) for p, b in zip(sleeps.pauses, bases, strict=True)] != [0.0] * 4


def test_the_backoff_is_capped(sleeps: SleepRecorder) -> None:
    """However many attempts, no pause is longer than the cap (plus jitter)."""
    policy = RetryPolicy(max_attempts=8, max_total_seconds=1000, jitter_seconds=0)
    made, _ = refusing_client(sleeps, policy)
    with made, pytest.raises(TransportError):
        made.get_email_provider()
    assert sleeps.pauses == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_the_default_budget_is_sixty_seconds(emulator: EmulatorServer) -> None:
    """With the README's defaults, retries stop before 60 s: 5 attempts, or fewer if slow."""
    # 25 s per Retry-After: attempts at 0, 25 and 50; the next would start at 75 > 60.
    gave_up_at = fail_on_a_fake_clock(emulator, "25")
    assert len(api_calls(emulator, CONFIG_PATH)) == 3
    assert gave_up_at == 50.0


def test_the_error_line_carries_every_api_field(
    client: GenAuthClient, emulator: EmulatorServer
) -> None:
    """statusCode, apiCode, message and requestId all stand in the one line."""
    emulator.add_fault(path=CONFIG_PATH, status=400, times=10)
    with pytest.raises(InvalidRequestError) as info:
        client.config_email_provider(request_for("qq"))
    error = info.value
    assert error.api_code is not None
    assert str(error) == (
        f"GenAuth API POST {CONFIG_PATH} failed: {error.message} (HTTP 400, statusCode 400, "
        f"apiCode {error.api_code}, requestId {error.request_id})"
    )


def test_an_expired_token_is_fetched_once_for_the_calls_after_it(
    client: GenAuthClient, emulator: EmulatorServer
) -> None:
    """After expiry, one new token serves every later call: not one per call."""
    client.get_email_provider()
    emulator.expire_tokens()
    for _ in range(3):
        client.get_email_provider()
    assert len(api_calls(emulator, "/api/v3/get-management-token")) == 2


# -- answers the emulator does not give: a scripted API on httpx.MockTransport -------------

SIGNING_KEY = "a-test-signing-key-of-at-least-32-bytes"


def management_token(claims: dict[str, Any] | None = None) -> str:
    """A JWT as the API issues it, scoped to pool-m unless ``claims`` says otherwise."""
    return jwt.encode(
        {"scoped_userpool_id": "pool-m"} if claims is None else claims, SIGNING_KEY, "HS256"
    )


def envelope(data: Any = None, status: int = 200, **fields: Any) -> httpx.Response:
    """An answer in the API's envelope: statusCode, message, data and any other ``fields``."""
    return httpx.Response(
        status, json={"statusCode": status, "message": "ok", "data": data, **fields}
    )


class ScriptedAPI:
    """A MockTransport handler: the token path answers ``token``, other paths ``answers``.

    Each answer is used once, in order; the last one repeats. ``requests`` records them all.
    """

    def __init__(
        self,
        *answers: httpx.Response,
        token: Callable[[], httpx.Response] | None = None,
    ) -> None:
        self.answers = list(answers)
        self.token = token or (
            lambda: envelope({"access_token": management_token(), "expires_in": 7200})
        )
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == TOKEN_PATH:
            return self.token()
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def calls(self, path: str) -> int:
        return sum(1 for request in self.requests if request.url.path == path)


def scripted_client(api: ScriptedAPI, sleeps: SleepRecorder, **options: Any) -> GenAuthClient:
    """A client of https://api.genauth.ai whose answers come from ``api``; pauses recorded."""
    settings: dict[str, Any] = {"retry": FAST, "sleep": sleeps, **options}
    return GenAuthClient(
        host="https://api.genauth.ai",
        access_key_id="id",
        access_key_secret="s",
        transport=httpx.MockTransport(api),
        **settings,
    )


@pytest.mark.parametrize(
    ("key_id", "key_secret", "message"),
    [
        ("", "s", "the GenAuth access key id is empty"),
        ("id", "", "the GenAuth access key secret is empty"),
        ("id", SecretStr(""), "the GenAuth access key secret is empty"),
    ],
)
def test_empty_credentials_are_refused_up_front(
    key_id: str, key_secret: str | SecretStr, message: str
) -> None:
    """An empty access key id or secret is a ConfigurationError naming which one."""
    with pytest.raises(ConfigurationError) as info:
        GenAuthClient(access_key_id=key_id, access_key_secret=key_secret)
    assert str(info.value) == message


def test_clients_and_their_connections_share_one_tls_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process builds one TLS context (loading the CA bundle); clients and connections none."""
    monkeypatch.setattr(client_module, "_TLS_CONTEXTS", {})  # as in a fresh process
    built: list[object] = []
    load = ssl.SSLContext.load_verify_locations

    # What costs is loading the CA bundle, which every httpx builds a context with (through
    # create_default_context in 0.28, directly in 0.27): count the loads.
    def counting(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        built.append(args)
        load(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    first = shared_tls_context()
    assert isinstance(first, ssl.SSLContext)
    assert shared_tls_context() is first
    assert len(built) == 1
    # A port that accepts connections and never answers the TLS handshake.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        with (
            GenAuthClient(
                host=f"https://127.0.0.1:{port}",
                access_key_id="id",
                access_key_secret="s",
                timeout=httpx.Timeout(0.2),
                retry=RetryPolicy(max_attempts=1),
            ) as made,
            pytest.raises(TransportError),
        ):
            made.get_email_provider()
    assert len(built) == 1


def test_every_request_sends_and_accepts_json(sleeps: SleepRecorder) -> None:
    """Reads and writes alike carry content-type and accept application/json."""
    api = ScriptedAPI(envelope({"enabled": False}))
    with scripted_client(api, sleeps) as made:
        made.get_email_provider()
        made.config_email_provider(request_for("qq"))
    assert [(r.method, r.url.path) for r in api.requests] == [
        ("POST", TOKEN_PATH),
        ("GET", READ_PATH),
        ("POST", CONFIG_PATH),
    ]
    for request in api.requests:
        assert request.headers["content-type"] == "application/json"
        assert request.headers["accept"] == "application/json"


def test_a_redirect_is_not_followed(sleeps: SleepRecorder) -> None:
    """A 302 is not followed to another host: it is an answer that is not the API's envelope."""
    api = ScriptedAPI(
        httpx.Response(302, headers={"location": "https://elsewhere.example.com/api/v3/x"})
    )
    with scripted_client(api, sleeps) as made, pytest.raises(MalformedResponseError) as info:
        made.get_email_provider()
    assert {r.url.host for r in api.requests} == {"api.genauth.ai"}
    assert info.value.http_status == 302


def test_an_answer_without_data_reads_as_no_setting(sleeps: SleepRecorder) -> None:
    """A read whose envelope has ``data: null`` is a pool with no setting: disabled, no type."""
    with scripted_client(ScriptedAPI(envelope(None)), sleeps) as made:
        info = made.get_email_provider()
    assert (info.enabled, info.type) == (False, None)


@pytest.mark.parametrize(
    ("call", "line"),
    [
        pytest.param(GenAuthClient.get_email_provider, f"GET {READ_PATH}", id="read"),
        pytest.param(
            lambda made: made.config_email_provider(request_for("qq")),
            f"POST {CONFIG_PATH}",
            id="configure",
        ),
    ],
)
def test_a_setting_of_an_unexpected_shape_is_a_malformed_answer(
    sleeps: SleepRecorder, call: Callable[[GenAuthClient], object], line: str
) -> None:
    """An envelope whose data is no email provider raises MalformedResponseError naming the call."""
    made = scripted_client(ScriptedAPI(envelope(["not", "a", "setting"])), sleeps)
    with made, pytest.raises(MalformedResponseError) as info:
        call(made)
    assert str(info.value) == (
        f"{line}: HTTP 200: the email provider in the answer has an unexpected shape"
        " (requestId none)"
    )


@pytest.mark.parametrize(
    ("expires_in", "refreshed_at"),
    [
        (7200, 7140.0),  # 60 s before it expires
        (100, 50.0),  # a short-lived token keeps half its lifetime
    ],
)
def test_a_token_is_refreshed_a_margin_before_it_expires(
    sleeps: SleepRecorder, expires_in: int, refreshed_at: float
) -> None:
    """A token serves calls until 60 s (at most half its lifetime) before it expires."""
    now = [0.0]
    api = ScriptedAPI(
        envelope({"enabled": False}),
        token=lambda: envelope({"access_token": management_token(), "expires_in": expires_in}),
    )
    with scripted_client(api, sleeps, clock=lambda: now[0]) as made:
        made.get_email_provider()
        now[0] = refreshed_at - 0.001
        made.get_email_provider()
        assert api.calls(TOKEN_PATH) == 1
        now[0] = refreshed_at
        made.get_email_provider()
        assert api.calls(TOKEN_PATH) == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "no token in the answer"),
        ("a-token", "no token in the answer"),
        ({"expires_in": 7200}, "the answer lacks access_token or expires_in"),
        ({"access_token": management_token()}, "the answer lacks access_token or expires_in"),
        (
            {"access_token": management_token(), "expires_in": "7200"},
            "the answer lacks access_token or expires_in",
        ),
        ({"access_token": "opaque", "expires_in": 7200}, "the management token is not a JWT"),
        (
            {"access_token": management_token({"sub": "x"}), "expires_in": 7200},
            "the management token has no scoped_userpool_id claim",
        ),
        (
            {"access_token": management_token({"scoped_userpool_id": ""}), "expires_in": 7200},
            "the management token has no scoped_userpool_id claim",
        ),
    ],
)
def test_a_token_answer_that_is_not_a_token_is_malformed(
    sleeps: SleepRecorder, data: Any, reason: str
) -> None:
    """A token answer without a usable JWT fails with one line saying what it lacks."""
    api = ScriptedAPI(envelope({"enabled": False}), token=lambda: envelope(data))
    with scripted_client(api, sleeps) as made, pytest.raises(MalformedResponseError) as info:
        made.get_email_provider()
    assert (
        str(info.value) == f"POST /api/v3/get-management-token: HTTP 200: {reason} (requestId none)"
    )
    assert api.calls(READ_PATH) == 0


def test_a_failing_token_request_names_the_token_call(sleeps: SleepRecorder) -> None:
    """When the token endpoint keeps failing, the error line names POST get-management-token."""
    busy = envelope(status=503, message="busy", apiCode=5000, requestId="r-1")
    api = ScriptedAPI(envelope({"enabled": False}), token=lambda: busy)
    with scripted_client(api, sleeps) as made, pytest.raises(ServerError) as info:
        made.get_email_provider()
    assert str(info.value) == (
        "GenAuth API POST /api/v3/get-management-token failed: busy "
        "(HTTP 503, statusCode 503, apiCode 5000, requestId r-1)"
    )


@pytest.mark.parametrize(
    ("answer", "token_requests", "attempts"),
    [
        (envelope(status=401, message="token expired"), 2, 2),
        (httpx.Response(200, json={"statusCode": 401, "message": "token expired"}), 2, 2),
        (envelope(status=403, message="not allowed"), 1, 1),
    ],
)
def test_only_a_rejected_token_is_fetched_again(
    sleeps: SleepRecorder, answer: httpx.Response, token_requests: int, attempts: int
) -> None:
    """401 (as HTTP status or statusCode) gets a new token and one more try; 403 does not."""
    api = ScriptedAPI(answer)
    with scripted_client(api, sleeps) as made, pytest.raises(AuthenticationError):
        made.get_email_provider()
    assert (api.calls(TOKEN_PATH), api.calls(READ_PATH)) == (token_requests, attempts)


NOT_JSON = "<html><body>502 Bad Gateway</body></html>"


@pytest.mark.parametrize(
    ("answer", "error_class", "line", "attempts"),
    [
        (
            httpx.Response(200, text=NOT_JSON),
            MalformedResponseError,
            f"POST {CONFIG_PATH}: HTTP 200: the answer is not a GenAuth JSON envelope"
            " (requestId r-1)",
            5,
        ),
        (
            httpx.Response(200, json={"data": {}}),
            MalformedResponseError,
            f"POST {CONFIG_PATH}: HTTP 200: the answer is not a GenAuth JSON envelope"
            " (requestId r-1)",
            5,
        ),
        (
            httpx.Response(400, text=NOT_JSON),
            InvalidRequestError,
            f"GenAuth API POST {CONFIG_PATH} failed: the answer carried no GenAuth envelope"
            " (HTTP 400, requestId r-1)",
            1,
        ),
        (
            httpx.Response(502, text=NOT_JSON),
            ServerError,
            f"GenAuth API POST {CONFIG_PATH} failed: the answer carried no GenAuth envelope"
            " (HTTP 502, requestId r-1)",
            5,
        ),
    ],
)
def test_an_answer_without_an_envelope(
    sleeps: SleepRecorder,
    answer: httpx.Response,
    error_class: type[Exception],
    line: str,
    attempts: int,
) -> None:
    """No envelope: retried when 2xx/3xx or a retryable status, else refused at once; one line."""
    answer.headers["x-request-id"] = "r-1"
    api = ScriptedAPI(answer)
    with scripted_client(api, sleeps) as made, pytest.raises(error_class) as info:
        made.config_email_provider(request_for("qq"))
    assert str(info.value) == line
    assert api.calls(CONFIG_PATH) == attempts


@pytest.mark.parametrize(
    ("http_status", "status_code", "outcome"),
    [
        (200, 200, None),
        (201, 200, None),
        (300, 200, InvalidRequestError),
        (200, 400, InvalidRequestError),
        (200, 403, AuthenticationError),
        (403, 400, AuthenticationError),  # either code can name the refusal
    ],
)
def test_success_needs_a_2xx_status_and_statuscode_200(
    sleeps: SleepRecorder, http_status: int, status_code: int, outcome: type[Exception] | None
) -> None:
    """Only HTTP 2xx with statusCode 200 is success; anything else raises the mapped error."""
    answer = httpx.Response(
        http_status, json={"statusCode": status_code, "message": "m", "data": {"type": "qq"}}
    )
    with scripted_client(ScriptedAPI(answer), sleeps) as made:
        if outcome is None:
            assert made.get_email_provider().type == "qq"
        else:
            with pytest.raises(outcome):
                made.get_email_provider()


@pytest.mark.parametrize(
    ("fields", "request_id_header", "line"),
    [
        (
            {"message": "bad type", "apiCode": 2001, "requestId": "body-id"},
            "header-id",
            "bad type (HTTP 400, statusCode 400, apiCode 2001, requestId body-id)",
        ),
        (
            {"message": "bad type", "apiCode": 2001},
            "header-id",
            "bad type (HTTP 400, statusCode 400, apiCode 2001, requestId header-id)",
        ),
        ({}, "header-id", "no message (HTTP 400, statusCode 400, requestId header-id)"),
        ({"message": ""}, None, "no message (HTTP 400, statusCode 400, requestId none)"),
        ({"message": 42}, None, "no message (HTTP 400, statusCode 400, requestId none)"),
        (
            {"message": "m", "apiCode": "2001", "requestId": 7},
            None,
            "m (HTTP 400, statusCode 400, requestId none)",
        ),
    ],
)
def test_the_error_line_takes_what_the_envelope_gives(
    sleeps: SleepRecorder, fields: dict[str, Any], request_id_header: str | None, line: str
) -> None:
    """The envelope's message, apiCode and requestId (else x-request-id) make the error line."""
    headers = {} if request_id_header is None else {"x-request-id": request_id_header}
    answer = httpx.Response(400, json={"statusCode": 400, **fields}, headers=headers)
    with (
        scripted_client(ScriptedAPI(answer), sleeps) as made,
        pytest.raises(InvalidRequestError) as info,
    ):
        made.get_email_provider()
    assert str(info.value) == f"GenAuth API GET {READ_PATH} failed: {line}"


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(429, json={"statusCode": 429, "message": "slow down"}),
        httpx.Response(503, text=NOT_JSON),
        httpx.Response(200, text=NOT_JSON),
    ],
)
def test_retry_after_is_honoured_on_every_retried_answer(
    sleeps: SleepRecorder, answer: httpx.Response
) -> None:
    """Errors, answers without an envelope and malformed answers alike wait the Retry-After."""
    answer.headers["retry-after"] = "7"
    api = ScriptedAPI(answer, envelope({"enabled": False}))
    with scripted_client(api, sleeps) as made:
        made.get_email_provider()
    assert sleeps.pauses == [7.0]


PLUS_TWO_HOURS = dt.timezone(dt.timedelta(hours=2))


def retry_after_value(value: str | float, zone: dt.tzinfo | None) -> str:
    """A Retry-After value: ``value`` if a string, else an HTTP date ``value`` seconds from now.

    The date is written in ``zone``, in GMT if that is UTC, with ``-0000`` (no zone) if None.
    """
    if isinstance(value, str):
        return value
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=value)
    if zone is None:
        return email.utils.format_datetime(when.replace(tzinfo=None))
    return email.utils.format_datetime(when.astimezone(zone), usegmt=zone is dt.UTC)


@pytest.mark.parametrize(
    ("value", "zone", "low", "high"),
    [
        ("3", None, 3.0, 3.0),
        ("0", None, 0.0, 0.0),
        ("-5", None, 0.0, 0.0),
        (20, dt.UTC, 15.0, 20.0),
        (20, PLUS_TWO_HOURS, 15.0, 20.0),
        (20, None, 15.0, 20.0),  # a date with no zone is taken as UTC
        (-20, dt.UTC, 0.0, 0.0),  # a date already past: no pause
    ],
)
def test_retry_after_values(
    sleeps: SleepRecorder, value: str | float, zone: dt.tzinfo | None, low: float, high: float
) -> None:
    """Retry-After in seconds or as an HTTP date (in any zone) is the pause, never below zero."""
    busy = httpx.Response(
        503,
        json={"statusCode": 503, "message": "busy"},
        headers={"retry-after": retry_after_value(value, zone)},
    )
    with scripted_client(ScriptedAPI(busy, envelope({"enabled": False})), sleeps) as made:
        made.get_email_provider()
    assert len(sleeps.pauses) == 1
    assert low <= sleeps.pauses[0] <= high


@pytest.mark.parametrize(
    ("seconds_later", "remembered"),
    [(59.0, True), (60.0, True), (60.5, False)],
)
def test_an_unreachable_host_is_remembered_for_the_retry_budget(
    seconds_later: float, remembered: bool
) -> None:
    """A failure to reach a host is recalled for 60 s (one retry budget), then forgotten."""
    now = [100.0]
    hosts = UnreachableHosts(clock=lambda: now[0])
    error = TransportError("could not reach", method="GET", path="/", attempts=5)
    hosts.remember("https://api.genauth.ai", error)
    now[0] += seconds_later
    assert (hosts.recall("https://api.genauth.ai") is error) is remembered


def test_each_retry_logs_one_warning_saying_why(
    sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    """Every retry logs a warning with the attempt, the failure (the API's line) and the pause."""
    caplog.set_level(logging.WARNING, logger="pulumi_genauth")
    busy = httpx.Response(
        503, json={"statusCode": 503, "message": "busy"}, headers={"retry-after": "2"}
    )
    with scripted_client(ScriptedAPI(busy, envelope({"enabled": False})), sleeps) as made:
        made.get_email_provider()
    made, _ = refusing_client(sleeps, RetryPolicy(max_attempts=2, jitter_seconds=0))
    with made, pytest.raises(TransportError):
        made.get_email_provider()
    assert [r.getMessage() for r in caplog.records if r.name == "pulumi_genauth"] == [
        f"GET {HOST}{READ_PATH}: attempt 1 failed (GenAuth API GET {READ_PATH} failed: busy "
        "(HTTP 503, statusCode 503, requestId none)); retrying in 2.00s",
        f"POST {REFUSING_HOST}{TOKEN_PATH}: attempt 1 failed (ConnectError); retrying in 0.50s",
    ]


# The line of a retry after one 503 answer of read_once_busy, with FAST's first pause.
BUSY_RETRY = (
    f"GET {HOST}{READ_PATH}: attempt 1 failed (GenAuth API GET {READ_PATH} failed: busy "
    "(HTTP 503, statusCode 503, requestId none)); retrying in 0.01s"
)


def read_once_busy(sleeps: SleepRecorder) -> None:
    """A read whose first answer is a 503: one retry."""
    busy = httpx.Response(503, json={"statusCode": 503, "message": "busy"})
    with scripted_client(ScriptedAPI(busy, envelope({"enabled": False})), sleeps) as made:
        made.get_email_provider()


def test_a_retry_is_told_to_the_notice_of_the_call_under_way(
    sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    """Inside retries_told_to, a retry goes to the notice (a front end's line under the
    resource), not to the log, in the log's words; outside, it is logged as before."""
    caplog.set_level(logging.WARNING, logger="pulumi_genauth")
    told: list[str] = []
    with retries_told_to(told.append):
        read_once_busy(sleeps)
    assert told == [BUSY_RETRY]
    assert [r for r in caplog.records if r.name == "pulumi_genauth"] == []
    read_once_busy(sleeps)
    assert told == [BUSY_RETRY]
    assert [r.getMessage() for r in caplog.records if r.name == "pulumi_genauth"] == [BUSY_RETRY]


def test_a_notice_is_told_the_retries_of_its_own_thread_only(
    sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    """The dynamic server runs steps of several resources at once, on threads of its own: a
    notice set around one step is never told of a retry on another thread (that is logged)."""
    caplog.set_level(logging.WARNING, logger="pulumi_genauth")
    told_here: list[str] = []
    told_there: list[str] = []
    holding = threading.Event()
    done = threading.Event()

    def hold_a_notice() -> None:
        with retries_told_to(told_there.append):
            holding.set()
            done.wait(timeout=10)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as threads:
        held = threads.submit(hold_a_notice)
        assert holding.wait(timeout=10)
        read_once_busy(sleeps)  # while another thread has a notice
        with retries_told_to(told_here.append):
            threads.submit(read_once_busy, sleeps).result()  # on another thread
        done.set()
        held.result()
    assert (told_here, told_there) == ([], [])
    assert [r.getMessage() for r in caplog.records if r.name == "pulumi_genauth"] == [
        BUSY_RETRY,
        BUSY_RETRY,
    ]


def test_the_debug_log_traces_each_request_and_a_token_refresh(
    sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    """DEBUG names each request and its HTTP status; INFO says when a token was refused."""
    caplog.set_level(logging.DEBUG, logger="pulumi_genauth")
    api = ScriptedAPI(envelope(status=401, message="token expired"), envelope({"enabled": False}))
    with scripted_client(api, sleeps) as made:
        made.get_email_provider()
    assert [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "pulumi_genauth"
    ] == [
        ("DEBUG", f"POST {TOKEN_PATH} -> HTTP 200"),
        ("DEBUG", f"GET {READ_PATH} -> HTTP 401"),
        ("INFO", f"GET {READ_PATH}: management token rejected; fetching a new one"),
        ("DEBUG", f"POST {TOKEN_PATH} -> HTTP 200"),
        ("DEBUG", f"GET {READ_PATH} -> HTTP 200"),
    ]


def test_a_malformed_success_quotes_the_answer_s_request_id() -> None:
    """A setting or token of the wrong shape names the requestId its envelope (or header) gave."""
    sleeps = SleepRecorder()
    api = ScriptedAPI(envelope(["not", "a", "setting"], requestId="req-setting-1"))
    with scripted_client(api, sleeps) as made, pytest.raises(MalformedResponseError) as info:
        made.get_email_provider()
    assert info.value.request_id == "req-setting-1"
    assert str(info.value).endswith("(requestId req-setting-1)")

    bad_token = httpx.Response(
        200,
        json={"statusCode": 200, "message": "ok", "data": {"access_token": "opaque"}},
        headers={"x-request-id": "req-token-2"},
    )
    api = ScriptedAPI(envelope({"enabled": False}), token=lambda: bad_token)
    with scripted_client(api, sleeps) as made, pytest.raises(MalformedResponseError) as info:
        made.get_email_provider()
    assert info.value.request_id == "req-token-2"
