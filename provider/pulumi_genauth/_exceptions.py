"""The error tree of pulumi-genauth.

    GenAuthError                    every error this package raises
    ├── DeclarationError            the program declares what cannot work (also a RunError;
    │                               the dynamic front end's, in _resource)
    ├── ConfigurationError          bad host, missing or malformed credentials; nothing was sent
    │   └── MissingCredentialsError no access key for the default credentials
    ├── PoolMismatchError           the credentials belong to another user pool than the resource
    ├── PoolClaimedError            a second resource claims a user pool in one deployment
    ├── SmtpPreflightError          verify_smtp: the mail server refused; nothing was sent
    ├── TransportError              the API could not be reached (after retries)
    │   ├── TLSError                the host's certificate or TLS handshake was refused (at once)
    │   └── ProxyRefusedError       the proxy refused the tunnel to the host (at once)
    ├── MalformedResponseError      the API answered something that is not its envelope
    └── APIError                    the API answered with a failure (HTTP status or statusCode)
        ├── AuthenticationError     the access key or the management token was refused
        ├── RateLimitError          429: too many requests (after retries)
        ├── ServerError             5xx (after retries)
        └── InvalidRequestError     any other refusal, e.g. a field the API did not accept

Errors carry what identifies the failure (status, codes, message, requestId), never a
request body, a header or a credential.
"""

from __future__ import annotations

from typing import Final


class GenAuthError(Exception):
    """Root of every error raised by pulumi-genauth."""


class ConfigurationError(GenAuthError):
    """The client or provider is set up wrongly; nothing was sent to the API."""


class MissingCredentialsError(ConfigurationError):
    """No access key for the default credentials; the message says where to set one."""


# Where the keys of a resource's pool are set, as PoolMismatchError names it, per front end.
DYNAMIC_RESOURCE_KEYS: Final = (
    "the stack's genauth:accessKeyId and genauth:accessKeySecret (or the resource's `pool` entry)"
)
NATIVE_PROVIDER_KEYS: Final = (
    "the provider's accessKeyId and accessKeySecret (genauth:accessKeyId and "
    "genauth:accessKeySecret of the stack for the default provider)"
)


class PoolMismatchError(GenAuthError):
    """The credentials in use belong to a user pool other than the one the resource manages."""

    def __init__(
        self,
        *,
        resource_pool_id: str,
        credentials_pool_id: str,
        keys: str = DYNAMIC_RESOURCE_KEYS,
    ) -> None:
        self.resource_pool_id = resource_pool_id
        self.credentials_pool_id = credentials_pool_id
        # The usual way in: an `up` with other keys failed, and the engine recorded those keys
        # as the provider's config, which a plain refresh or destroy then reuses.
        super().__init__(
            f"this resource manages user pool {resource_pool_id!r}, but the GenAuth credentials "
            f"in use belong to user pool {credentials_pool_id!r}, so nothing was touched: set "
            f"{keys} to the keys of {resource_pool_id!r}, then run `pulumi up`, or "
            "`pulumi refresh --run-program` / `pulumi destroy --run-program` (a plain refresh "
            "or destroy reuses the credentials recorded by the last deployment)"
        )


class PoolClaimedError(GenAuthError):
    """Two resources of one deployment configure the same user pool."""

    def __init__(self, userpool_id: str) -> None:
        self.userpool_id = userpool_id
        super().__init__(
            f"user pool {userpool_id!r} is already configured by another EmailProvider of this "
            "deployment: a user pool has one email provider setting, so declare one "
            "EmailProvider per user pool"
        )


class SmtpPreflightError(GenAuthError):
    """The mail server could not be reached, or refused the login; GenAuth was not called.

    ``reason`` says what failed (``connection refused``, a TLS or certificate failure, the
    server's refusal with its code); ``code`` is the server's SMTP reply code when it gave
    one (e.g. 535). The message never contains the password.
    """

    def __init__(self, reason: str, *, host: str, port: int, code: int | None = None) -> None:
        self.reason = reason
        self.host = host
        self.port = port
        self.code = code
        super().__init__(
            f"SMTP preflight (verify_smtp) of {host}:{port} failed: {reason}; "
            "nothing was sent to GenAuth, the user pool is unchanged"
        )


class TransportError(GenAuthError):
    """The API could not be reached: connection refused, timed out, or cut off."""

    def __init__(self, message: str, *, method: str, path: str, attempts: int) -> None:
        self.reason = message
        self.method = method
        self.path = path
        self.attempts = attempts
        super().__init__(self._summary())

    def _summary(self) -> str:
        return f"{self.method} {self.path}: {self.reason} (after {self.attempts} attempt(s))"


class TLSError(TransportError):
    """The host's certificate failed verification, or no TLS handshake could be agreed.

    Not retried: another attempt meets the same certificate. ``reason`` is the TLS library's
    (``certificate verify failed: self-signed certificate in certificate chain``); ``fix``
    says what to change (trust a private CA with ``SSL_CERT_FILE``, use the certificate's host
    name). The request was not sent.
    """

    def __init__(
        self, reason: str, *, host: str, certificate: bool, fix: str, method: str, path: str
    ) -> None:
        self.host = host
        self.certificate = certificate
        self.fix = fix
        super().__init__(reason, method=method, path=path, attempts=1)

    def _summary(self) -> str:
        what = (
            f"the TLS certificate of {self.host} was not accepted"
            if self.certificate
            else f"the TLS handshake with {self.host} failed"
        )
        return (
            f"{self.method} {self.path}: {what} ({self.reason}): {self.fix}; "
            "nothing was sent to GenAuth"
        )


class ProxyRefusedError(TransportError):
    """The HTTP proxy refused to open a tunnel to the host (its CONNECT answer was 4xx).

    Not retried. ``proxy`` is the proxy's URL without any user name or password; ``reason``
    its status line (``407 Proxy Authentication Required``).
    """

    def __init__(
        self, reason: str, *, proxy: str, host: str, fix: str, method: str, path: str
    ) -> None:
        self.proxy = proxy
        self.host = host
        self.fix = fix
        super().__init__(reason, method=method, path=path, attempts=1)

    def _summary(self) -> str:
        return (
            f"{self.method} {self.path}: the proxy {self.proxy} refused the tunnel to "
            f"{self.host} ({self.reason}): {self.fix}; nothing was sent to GenAuth"
        )


class MalformedResponseError(GenAuthError):
    """The API answered with a body that is not its JSON envelope."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        http_status: int,
        request_id: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.http_status = http_status
        self.request_id = request_id
        # The requestId comes from the x-request-id header when the body cannot carry it.
        super().__init__(
            f"{method} {path}: HTTP {http_status}: {message} (requestId {request_id or 'none'})"
        )


class APIError(GenAuthError):
    """The API refused the call; carries its HTTP status, statusCode, apiCode and requestId."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        http_status: int,
        status_code: int | None,
        api_code: int | None,
        request_id: str | None,
    ) -> None:
        self.message = message
        self.method = method
        self.path = path
        self.http_status = http_status
        self.status_code = status_code
        self.api_code = api_code
        self.request_id = request_id
        super().__init__(self._summary())

    def _summary(self) -> str:
        parts = [f"HTTP {self.http_status}"]
        if self.status_code is not None:
            parts.append(f"statusCode {self.status_code}")
        if self.api_code is not None:
            parts.append(f"apiCode {self.api_code}")
        parts.append(f"requestId {self.request_id or 'none'}")
        return f"GenAuth API {self.method} {self.path} failed: {self.message} ({', '.join(parts)})"


class AuthenticationError(APIError):
    """The access key or the management token was refused (401/403)."""


class RateLimitError(APIError):
    """The API kept answering 429 Too Many Requests."""


class ServerError(APIError):
    """The API kept failing on its side (5xx)."""


class InvalidRequestError(APIError):
    """The API refused the request itself, e.g. a field it does not accept."""


def api_error_class(http_status: int, status_code: int | None) -> type[APIError]:
    """Pick the error class for a failed answer, by the HTTP status and the envelope's code."""
    for code in (http_status, status_code):
        if code in (401, 403):
            return AuthenticationError
        if code == 429:
            return RateLimitError
        if code is not None and 500 <= code <= 599:
            return ServerError
    return InvalidRequestError
