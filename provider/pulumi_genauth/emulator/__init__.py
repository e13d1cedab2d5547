"""A local GenAuth management API: the email-provider endpoints, for tests and demos.

The emulator speaks the real wire contract (the repository's ``docs/genauth-api.md``, which
names its sources and what the emulator invents where they are silent): management tokens
(``Bearer`` or bare), requests signed with the access key secret, both header brands, the
``{statusCode, message, apiCode, requestId, data}`` envelope, and strict validation of
``config-email-provider`` bodies. Its modules have one job each:

    store.py     state in a sqlite3 database (pools, settings, request log, faults)
    service.py   the API's rules: access keys, tokens, validation, what a read answers
    signature.py the Node SDK's signed requests: the string to sign, the HMAC, the date
    faults.py    misbehaviour on request: HTTP errors, latency, malformed answers
    app.py       the thin Starlette HTTP layer, plus the ``/_emulator/`` test hooks
    server.py    an in-process threaded server and a control client for the hooks
    __main__.py  the ``genauth-emulator`` console script

Run it with ``genauth-emulator`` or ``python -m pulumi_genauth.emulator``; in tests use
``pulumi_genauth.emulator.server.EmulatorServer``.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class Pool(NamedTuple):
    """A user pool the emulator serves, with the one access key that opens it."""

    id: str
    access_key_id: str
    access_key_secret: str


# The documented demo pool, served when no pool is given. Public test values, not secrets.
DEFAULT_POOL: Final = Pool(
    id="emulator-pool",
    access_key_id="emulator-access-key-id",
    access_key_secret="emulator-access-key-secret",  # noqa: S106 - a public demo value
)
DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8765
DEFAULT_TOKEN_TTL_SECONDS: Final = 7200

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_POOL",
    "DEFAULT_PORT",
    "DEFAULT_TOKEN_TTL_SECONDS",
    "Pool",
]
