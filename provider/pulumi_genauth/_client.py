"""The GenAuth management API client: hosts, management token, retries, error mapping.

One client talks to one user pool (the pool its access key belongs to). It is safe to share
between threads: the Pulumi dynamic-provider server calls the provider from several worker
threads, so the token cache is guarded by a lock and ``httpx.Client`` is thread-safe.

Every call goes through :meth:`GenAuthClient._send`, the one retry loop: connect errors,
timeouts, 408, 429, 5xx and malformed answers are retried with exponential backoff and
jitter (or the server's ``Retry-After``), bounded by attempts and by total time. A management
call whose token the API rejects (401) fetches a new token once and is tried again. What
another attempt cannot mend fails at once, in one line with the fix: a certificate that
fails verification or a failed TLS handshake (:class:`TLSError`), a proxy that refuses the
tunnel (:class:`ProxyRefusedError`); ``_refusals`` tells which failures those are.

The trust store and the proxies are the environment's, read as httpx reads them:
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` replace the default CA bundle (certifi's), and
``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` choose a proxy per host.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import functools
import logging
import os
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import httpx
import jwt
from pydantic import SecretStr, ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    wait_exponential,
    wait_random,
)
from tenacity.stop import stop_base

from . import _constants as c
from . import _refusals
from ._exceptions import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    MalformedResponseError,
    TransportError,
    api_error_class,
)
from ._hosts import Brand, brand_for_host, normalize_host
from ._models import ConfigEmailProviderInput, EmailProviderInfo

if TYPE_CHECKING:
    from ._credentials import Credentials

__all__ = [
    "UNREACHABLE_HOSTS",
    "Brand",
    "GenAuthClient",
    "RetryPolicy",
    "UnreachableHosts",
    "brand_for_host",
    "normalize_host",
]

SDK_VERSION_HEADER_VALUE: Final = f"{c.PACKAGE_NAME}:{c.package_version()}"

# The four limits of _constants (why they are what they are is said there).
DEFAULT_TIMEOUT: Final = httpx.Timeout(
    connect=c.TIMEOUT_CONNECT_SECONDS,
    read=c.TIMEOUT_READ_SECONDS,
    write=c.TIMEOUT_WRITE_SECONDS,
    pool=c.TIMEOUT_POOL_SECONDS,
)

logger = logging.getLogger("pulumi_genauth")

RetryNotice = Callable[[str], None]
"""Shows the user one line about a retry (the front end's way to reach the CLI)."""
# Where a retry is told, for the call under way on this thread: a front end sets it around
# each step of a resource, so that the line shows under that resource (and, as the engine's
# ephemeral messages do, is gone from the summary once the step succeeds). Unset: logged.
_retry_notice: ContextVar[RetryNotice | None] = ContextVar("genauth_retry_notice", default=None)


@contextmanager
def retries_told_to(notice: RetryNotice) -> Iterator[None]:
    """Tell ``notice`` of every retry of the calls made inside this block, on this thread."""
    token = _retry_notice.set(notice)
    try:
        yield
    finally:
        _retry_notice.reset(token)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, total time, backoff. Tests shorten the pauses."""

    max_attempts: int = c.RETRY_MAX_ATTEMPTS
    max_total_seconds: float = c.RETRY_MAX_TOTAL_SECONDS
    initial_backoff_seconds: float = c.RETRY_INITIAL_BACKOFF_SECONDS
    max_backoff_seconds: float = c.RETRY_MAX_BACKOFF_SECONDS
    jitter_seconds: float = c.RETRY_JITTER_SECONDS
    retry_after_cap_seconds: float = c.RETRY_AFTER_CAP_SECONDS


_TLS_LOCK = threading.Lock()
# One per trust store the environment names, (SSL_CERT_FILE, SSL_CERT_DIR); (None, None) is
# certifi's bundle. A process (a plugin) sees one; a test that changes them gets the new one.
_TLS_CONTEXTS: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def shared_tls_context() -> ssl.SSLContext:
    """The process's one TLS context, shared by every client (so by every user pool).

    Building one loads the CA bundle, about 25 ms of CPU; an httpx.Client builds its own
    unless given one, so a provider of many pools would spend most of its start-up on copies
    of one context (benchmarks/scale.py runs fifty pools). httpx builds it, so
    ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` choose the trust store as they do for httpx; one that
    cannot be loaded is a :class:`ConfigurationError` naming the variable.
    """
    key = (os.environ.get(c.ENV_CA_FILE) or None, os.environ.get(c.ENV_CA_DIR) or None)
    with _TLS_LOCK:
        context = _TLS_CONTEXTS.get(key)
        if context is None:
            try:
                if key[0] and not os.path.exists(key[0]):
                    # What httpx 0.28 raises; 0.27 (the oldest allowed) would fall back to
                    # certifi's bundle without a word, and the CA meant to be trusted is not.
                    raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), key[0])
                context = httpx.create_ssl_context()
            except (OSError, ssl.SSLError) as error:
                name, value = (c.ENV_CA_FILE, key[0]) if key[0] else (c.ENV_CA_DIR, key[1])
                raise ConfigurationError(
                    f"{name}={value!r} could not be loaded as CA certificates "
                    f"({_refusals.tls_text(error)}): point it at a PEM file of CA certificates "
                    f"({c.ENV_CA_DIR}: a folder of them), or unset it"
                ) from None
            _TLS_CONTEXTS[key] = context
        return context


class UnreachableHosts:
    """Hosts that could not be connected to at all, remembered for one retry budget.

    Shared by the clients of one provider process: when the GenAuth host does not answer,
    the resources after the first learn it from the first and fail at once with the same
    line, instead of each spending the whole retry budget.
    """

    def __init__(
        self,
        remember_seconds: float = c.RETRY_MAX_TOTAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._remember_seconds = remember_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[float, TransportError]] = {}

    def remember(self, host: str, error: TransportError) -> None:
        """Record that ``host`` could not be reached, and the error that said so."""
        with self._lock:
            self._failures[host] = (self._clock(), error)

    def recall(self, host: str) -> TransportError | None:
        """The error of a recent failure to reach ``host``, if there is one."""
        with self._lock:
            found = self._failures.get(host)
            if found is None:
                return None
            when, error = found
            if self._clock() - when > self._remember_seconds:
                del self._failures[host]
                return None
            return error


# The one the provider's clients share (tests make their own, or none).
UNREACHABLE_HOSTS: Final = UnreachableHosts()


@dataclass(frozen=True)
class _Token:
    value: str
    userpool_id: str
    refresh_at: float  # on the client's monotonic clock


@dataclass(frozen=True)
class _Answer:
    """A successful answer: the envelope's ``data``, and the requestId to quote if it is bad."""

    data: Any
    request_id: str | None


class _RetryableAnswer(Exception):  # noqa: N818 - internal signal, never escapes the client
    """An answer worth trying again; carries the error to raise if no attempt succeeds."""

    def __init__(self, error: APIError | MalformedResponseError, retry_after: float | None):
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class _OutOfTime(stop_base):
    """Stop when the next pause would end past the total time budget (on the client's clock)."""

    def __init__(self, clock: Callable[[], float], budget_seconds: float) -> None:
        self._clock = clock
        self._started = clock()
        self._budget = budget_seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        elapsed = self._clock() - self._started
        return elapsed + (retry_state.upcoming_sleep or 0.0) > self._budget


def _is_retryable(exc: BaseException) -> bool:
    # A refusal (TLSError, ProxyRefusedError) is no httpx error: it ends the loop at once.
    return isinstance(exc, (_RetryableAnswer, httpx.TransportError))


class GenAuthClient:
    """A client of one user pool's management API, authenticated by an access key."""

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str | SecretStr,
        host: str = c.DEFAULT_HOST,
        brand: Brand | None = None,
        lang: str = c.DEFAULT_LANG,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        unreachable: UnreachableHosts | None = None,
    ) -> None:
        if not access_key_id:
            raise ConfigurationError("the GenAuth access key id is empty")
        secret = (
            access_key_secret
            if isinstance(access_key_secret, SecretStr)
            else SecretStr(access_key_secret)
        )
        if not secret.get_secret_value():
            raise ConfigurationError("the GenAuth access key secret is empty")
        self.host = normalize_host(host)
        self.brand: Brand = brand or brand_for_host(self.host)
        self._access_key_id = access_key_id
        self._access_key_secret = secret
        self._lang = lang
        self._retry = retry or RetryPolicy()
        self._clock = clock
        self._sleep = sleep
        self._token_lock = threading.Lock()
        self._token: _Token | None = None
        self._unreachable = unreachable
        self._http = httpx.Client(
            base_url=self.host,
            timeout=timeout,
            transport=transport,
            verify=shared_tls_context(),
            follow_redirects=False,
            headers={"content-type": "application/json", "accept": "application/json"},
        )

    def __repr__(self) -> str:
        return (
            f"GenAuthClient(host={self.host!r}, access_key_id={self._access_key_id!r}, "
            f"access_key_secret={self._access_key_secret!r})"
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> GenAuthClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the API --------------------------------------------------------------------------

    @property
    def access_key_id(self) -> str:
        """The id of the access key this client signs in with (not a secret)."""
        return self._access_key_id

    @property
    def userpool_id(self) -> str:
        """The user pool the access key belongs to (from the management token)."""
        return self._current_token().userpool_id

    def get_email_provider(self) -> EmailProviderInfo:
        """Read the pool's email provider setting."""
        answer = self._management_call("GET", c.GET_EMAIL_PROVIDER_PATH)
        return self._parse_info(answer, "GET", c.GET_EMAIL_PROVIDER_PATH)

    def config_email_provider(self, request: ConfigEmailProviderInput) -> EmailProviderInfo:
        """Set the pool's email provider; the call is idempotent, so retrying it is safe."""
        path = c.CONFIG_EMAIL_PROVIDER_PATH
        answer = self._management_call("POST", path, body=request.to_wire())
        return self._parse_info(answer, "POST", path)

    # -- the management token -------------------------------------------------------------

    def _current_token(self) -> _Token:
        # Held while fetching, so that threads arriving together share one token request.
        with self._token_lock:
            if self._token is None or self._clock() >= self._token.refresh_at:
                self._token = self._fetch_token()
            return self._token

    def _forget_token(self, token: _Token) -> None:
        with self._token_lock:
            if self._token is token:
                self._token = None

    def _fetch_token(self) -> _Token:
        started = self._clock()
        body = {
            "accessKeyId": self._access_key_id,
            "accessKeySecret": self._access_key_secret.get_secret_value(),
        }
        answer = self._send("POST", c.TOKEN_PATH, body=body, token=None)
        data = answer.data

        def malformed(message: str) -> MalformedResponseError:
            return MalformedResponseError(
                message,
                method="POST",
                path=c.TOKEN_PATH,
                http_status=200,
                request_id=answer.request_id,
            )

        if not isinstance(data, dict):
            raise malformed("no token in the answer")
        value, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(value, str) or not isinstance(expires_in, (int, float)):
            raise malformed("the answer lacks access_token or expires_in")
        try:
            claims = jwt.decode(value, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise malformed("the management token is not a JWT") from None
        pool = claims.get("scoped_userpool_id")
        if not isinstance(pool, str) or not pool:
            raise malformed("the management token has no scoped_userpool_id claim")
        margin = min(c.TOKEN_REFRESH_MARGIN_SECONDS, float(expires_in) / 2)
        return _Token(value=value, userpool_id=pool, refresh_at=started + expires_in - margin)

    def _management_call(self, method: str, path: str, body: Any = None) -> _Answer:
        token = self._current_token()
        try:
            return self._send(method, path, body=body, token=token)
        except AuthenticationError as error:
            rejected = {error.http_status, error.status_code} & c.TOKEN_REJECTED_STATUS
            if not rejected:
                raise
            logger.info("%s %s: management token rejected; fetching a new one", method, path)
            self._forget_token(token)
            return self._send(method, path, body=body, token=self._current_token())

    # -- one request, retried -------------------------------------------------------------

    def _send(self, method: str, path: str, *, body: Any, token: _Token | None) -> _Answer:
        """Send one request through the retry loop; the envelope's ``data`` and requestId."""
        if self._unreachable is not None:
            known = self._unreachable.recall(self.host)
            if known is not None:
                raise TransportError(
                    str(known.reason), method=known.method, path=known.path, attempts=known.attempts
                )
        policy = self._retry
        retrying = Retrying(
            stop=stop_any(
                stop_after_attempt(policy.max_attempts),
                _OutOfTime(self._clock, policy.max_total_seconds),
            ),
            wait=self._wait,
            retry=retry_if_exception(_is_retryable),
            sleep=self._sleep,
            reraise=True,
            before_sleep=functools.partial(self._note_retry, f"{method} {self.host}{path}"),
        )
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    return self._attempt(method, path, body=body, token=token)
        except _RetryableAnswer as final:
            raise final.error from None
        except httpx.TransportError as exc:
            kind = type(exc).__name__
            proxy = _refusals.proxy_for(self.host) if isinstance(exc, httpx.ProxyError) else None
            if isinstance(exc, httpx.TimeoutException) and not isinstance(
                exc, httpx.ConnectTimeout
            ):
                reason = f"timed out ({kind})"
            elif isinstance(exc, httpx.ProxyError):
                # A proxy's 5xx: it could not reach the host. Its status line, never its URL's
                # user info.
                name = proxy[0] if proxy else "the proxy"
                reason = f"the proxy {name} could not reach {self.host} ({exc})"
            else:
                reason = f"could not reach {self.host} ({kind})"
            error = TransportError(reason, method=method, path=path, attempts=attempts)
            if self._unreachable is not None and isinstance(
                exc, (httpx.ConnectError, httpx.ConnectTimeout)
            ):
                self._unreachable.remember(self.host, error)
            raise error from None
        raise AssertionError("unreachable: the retry loop returns or raises")  # pragma: no cover

    def _attempt(self, method: str, path: str, *, body: Any, token: _Token | None) -> _Answer:
        headers = self._headers(token)
        try:
            response = self._http.request(method, path, json=body, headers=headers)
        except httpx.TransportError as exc:
            refusal = _refusals.classify(exc, host=self.host, method=method, path=path)
            if refusal is not None:
                raise refusal from None
            raise
        logger.debug("%s %s -> HTTP %s", method, path, response.status_code)
        return self._interpret(response, method, path)

    def _headers(self, token: _Token | None) -> dict[str, str]:
        prefix = c.BRAND_HEADER_PREFIX[self.brand]
        headers = {f"{prefix}lang": self._lang, f"{prefix}sdk-version": SDK_VERSION_HEADER_VALUE}
        if token is not None:
            headers["authorization"] = f"Bearer {token.value}"
            headers[f"{prefix}userpool-id"] = token.userpool_id
        return headers

    def _interpret(self, response: httpx.Response, method: str, path: str) -> _Answer:
        http_status = response.status_code
        retry_after = _retry_after_seconds(response)
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("statusCode"), int):
            if http_status < 400:
                # A success status with a body that is not ours: a proxy's page, a cut-off
                # answer. Worth another try; the configuration call is idempotent.
                malformed = MalformedResponseError(
                    "the answer is not a GenAuth JSON envelope",
                    method=method,
                    path=path,
                    http_status=http_status,
                    request_id=response.headers.get("x-request-id"),
                )
                raise _RetryableAnswer(malformed, retry_after)
            error = api_error_class(http_status, None)(
                "the answer carried no GenAuth envelope",
                method=method,
                path=path,
                http_status=http_status,
                status_code=None,
                api_code=None,
                request_id=response.headers.get("x-request-id"),
            )
            if http_status in c.RETRYABLE_STATUS:
                raise _RetryableAnswer(error, retry_after)
            raise error

        status_code: int = envelope["statusCode"]
        request_id = envelope.get("requestId") or response.headers.get("x-request-id")
        request_id = request_id if isinstance(request_id, str) else None
        if 200 <= http_status < 300 and status_code == c.ENVELOPE_OK:
            return _Answer(envelope.get("data"), request_id)

        api_code = envelope.get("apiCode")
        message = envelope.get("message")
        api_error = api_error_class(http_status, status_code)(
            message if isinstance(message, str) and message else "no message",
            method=method,
            path=path,
            http_status=http_status,
            status_code=status_code,
            api_code=api_code if isinstance(api_code, int) else None,
            request_id=request_id,
        )
        if http_status in c.RETRYABLE_STATUS or status_code in c.RETRYABLE_STATUS:
            raise _RetryableAnswer(api_error, retry_after)
        raise api_error

    def _wait(self, state: RetryCallState) -> float:
        policy = self._retry
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableAnswer) and exc.retry_after is not None:
            return min(exc.retry_after, policy.retry_after_cap_seconds)
        # Exponential backoff, capped, plus full jitter: wait_exponential and wait_random are
        # in every tenacity since 8 (wait_exponential_jitter changed its arguments in 9.2).
        backoff = wait_exponential(
            multiplier=policy.initial_backoff_seconds, max=policy.max_backoff_seconds
        ) + wait_random(0, policy.jitter_seconds)
        return float(backoff(state))

    @staticmethod
    def _note_retry(request: str, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        reason = type(exc).__name__ if not isinstance(exc, _RetryableAnswer) else str(exc.error)
        pause = state.next_action.sleep if state.next_action else 0.0
        message = (
            f"{request}: attempt {state.attempt_number} failed ({reason}); retrying in {pause:.2f}s"
        )
        notice = _retry_notice.get()
        if notice is not None:
            notice(message)
        else:
            logger.warning("%s", message)

    @staticmethod
    def _parse_info(answer: _Answer, method: str, path: str) -> EmailProviderInfo:
        data = answer.data
        try:
            return EmailProviderInfo.model_validate(data if data is not None else {})
        except ValidationError:
            raise MalformedResponseError(
                "the email provider in the answer has an unexpected shape",
                method=method,
                path=path,
                http_status=200,
                request_id=answer.request_id,
            ) from None


def _retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (either delta-seconds or an HTTP date), if present."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def make_client(credentials: Credentials) -> GenAuthClient:
    """The client of one pool's credentials, as both front ends make it.

    It shares the process's TLS context and its memory of hosts that cannot be reached.
    """
    return GenAuthClient(
        host=credentials.host,
        access_key_id=credentials.access_key_id,
        access_key_secret=credentials.access_key_secret,
        brand=credentials.brand,
        unreachable=UNREACHABLE_HOSTS,
    )
