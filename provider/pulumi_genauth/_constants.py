"""The numbers and names of the talk with GenAuth: hosts, paths, timeouts, retry bounds.

Kept in one place so that a reader (or a test) can see the whole policy at a glance. Numbers
that belong to one other job stay with it, each named and explained there: the SMTP
preflight's waits and its public mail servers (``_smtp_preflight``), the native plugin's API
threads (``native/_provider.API_THREADS``), the port range and the field rules
(``_fields``); the stack config keys are ``_credentials``'.
"""

from __future__ import annotations

import functools
from typing import Final

PACKAGE_NAME: Final = "pulumi-genauth"

# How the engine's wire says "not known yet" (a preview of another resource's output): the
# SDK's pulumi.runtime.rpc.UNKNOWN, written here so that the core needs no pulumi import
# (tests/test_layout.py holds the two equal).
UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@functools.cache
def package_version() -> str:
    """The installed version: one source, the package's metadata (pyproject.toml).

    Read on first use: reading the metadata costs milliseconds that a preview need not pay.
    """
    import importlib.metadata  # noqa: PLC0415 - see above

    try:
        return importlib.metadata.version(PACKAGE_NAME)
    except importlib.metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


GENAUTH_HOST: Final = "https://api.genauth.ai"
AUTHING_HOST: Final = "https://api.authing.cn"
DEFAULT_HOST: Final = GENAUTH_HOST

# Header prefixes by brand: the same API answers under two names.
BRAND_HEADER_PREFIX: Final = {"genauth": "x-genauth-", "authing": "x-authing-"}
# Hosts whose brand is not GenAuth's are recognised by their domain.
AUTHING_DOMAINS: Final = ("authing.cn", "authing.co")

TOKEN_PATH: Final = "/api/v3/get-management-token"  # noqa: S105 - a path
GET_EMAIL_PROVIDER_PATH: Final = "/api/v3/get-email-provider"
CONFIG_EMAIL_PROVIDER_PATH: Final = "/api/v3/config-email-provider"

DEFAULT_LANG: Final = "en-US"

# The envelope's statusCode for success; anything else is a failure.
ENVELOPE_OK: Final = 200
# A rejected (expired, revoked, malformed) management token: refresh once and retry.
TOKEN_REJECTED_STATUS: Final = frozenset({401})

# A token is reused until this many seconds before it expires, so that a call started
# with it does not race its expiry. Short-lived tokens keep at least half their lifetime.
TOKEN_REFRESH_MARGIN_SECONDS: Final = 60.0

# Never "no timeout" by accident: connect fast, give the API time to answer.
# (The client makes an httpx.Timeout of these; httpx itself is imported only with it.)
TIMEOUT_CONNECT_SECONDS: Final = 5.0
TIMEOUT_READ_SECONDS: Final = 30.0
TIMEOUT_WRITE_SECONDS: Final = 30.0
TIMEOUT_POOL_SECONDS: Final = 5.0

# Retries: connect errors, timeouts, 408, 429 and 5xx.
RETRYABLE_STATUS: Final = frozenset({408, 429, 500, 502, 503, 504})
RETRY_MAX_ATTEMPTS: Final = 5
RETRY_MAX_TOTAL_SECONDS: Final = 60.0
RETRY_INITIAL_BACKOFF_SECONDS: Final = 0.5
RETRY_MAX_BACKOFF_SECONDS: Final = 8.0
RETRY_JITTER_SECONDS: Final = 0.5
# A server asking for a longer pause than this is not waited for beyond it.
RETRY_AFTER_CAP_SECONDS: Final = 30.0

# Failures that another attempt cannot mend are not retried: a TLS certificate that fails
# verification or a handshake that fails (the same certificate and protocols answer again),
# and a proxy's 4xx answer to CONNECT (403 forbidden, 407 credentials wanted: its policy). A
# proxy's 5xx (it could not reach the host) is retried like a connect error.
PROXY_REFUSED_STATUS: Final = range(400, 500)
PROXY_AUTHENTICATION_REQUIRED: Final = 407  # its own advice: the proxy's credentials
# OpenSSL's verify codes (X509_V_ERR_*) that get their own advice: the certificate names
# another host (62, or 64 for an IP address); it is outside its validity period (9, 10).
CERT_NAME_MISMATCH_CODES: Final = frozenset({62, 64})
CERT_VALIDITY_CODES: Final = frozenset({9, 10})
# Where httpx (like OpenSSL) reads a CA bundle or folder that replaces its default trust store.
ENV_CA_FILE: Final = "SSL_CERT_FILE"
ENV_CA_DIR: Final = "SSL_CERT_DIR"

# How a masked secret looks in a read answer: a run of these characters only.
SECRET_MASK_CHARS: Final = frozenset("*•")

# Environment variables read when the stack config has no credentials.
ENV_HOST: Final = "GENAUTH_HOST"
ENV_ACCESS_KEY_ID: Final = "GENAUTH_ACCESS_KEY_ID"
ENV_BRAND: Final = "GENAUTH_BRAND"
ENV_ACCESS_KEY_SECRET: Final = "GENAUTH_ACCESS_KEY_SECRET"  # noqa: S105 - a name
