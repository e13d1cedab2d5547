"""The error tree: which class a failed answer gets, and what each error says and carries.

The classes are public (``except pulumi_genauth.RateLimitError``), their attributes are how a
program tells failures apart, and their messages are what the CLI prints.
"""

from __future__ import annotations

import pulumi
import pytest

import pulumi_genauth as genauth
from pulumi_genauth._exceptions import api_error_class

# Each an HTTP status, the envelope's statusCode and the class the failure is raised as.
CLASSES = [
    (401, None, genauth.AuthenticationError),
    (403, None, genauth.AuthenticationError),
    (200, 403, genauth.AuthenticationError),  # the envelope refuses under an HTTP 200
    (429, None, genauth.RateLimitError),
    (400, 429, genauth.RateLimitError),
    (500, None, genauth.ServerError),
    (599, None, genauth.ServerError),
    (200, 500, genauth.ServerError),
    (400, None, genauth.InvalidRequestError),
    (404, None, genauth.InvalidRequestError),
    (499, None, genauth.InvalidRequestError),
    (600, None, genauth.InvalidRequestError),
    (200, 600, genauth.InvalidRequestError),
    (200, 404, genauth.InvalidRequestError),
]


@pytest.mark.parametrize(("http_status", "status_code", "expected"), CLASSES)
def test_a_failed_answer_is_raised_as_the_class_of_its_status(
    http_status: int, status_code: int | None, expected: type[genauth.APIError]
) -> None:
    """401/403 authentication, 429 rate limit, 500-599 server, anything else invalid request."""
    assert api_error_class(http_status, status_code) is expected


def test_every_error_is_a_genauth_error() -> None:
    """`except GenAuthError` catches all of them; DeclarationError is also a pulumi.RunError."""
    errors = [getattr(genauth, name) for name in genauth.__all__ if name.endswith("Error")]
    assert len(errors) == 15  # the tree drawn in _exceptions.py, all of it exported
    assert all(issubclass(error, genauth.GenAuthError) for error in errors)
    assert issubclass(genauth.DeclarationError, pulumi.RunError)


def test_a_pool_mismatch_says_which_keys_to_set_and_what_to_run() -> None:
    """Both pools are named, and so is the way out (a refresh that runs the program)."""
    error = genauth.PoolMismatchError(resource_pool_id="pool-a", credentials_pool_id="pool-b")
    assert (error.resource_pool_id, error.credentials_pool_id) == ("pool-a", "pool-b")
    assert str(error) == (
        "this resource manages user pool 'pool-a', but the GenAuth credentials in use belong "
        "to user pool 'pool-b', so nothing was touched: set the stack's genauth:accessKeyId "
        "and genauth:accessKeySecret (or the resource's `pool` entry) to the keys of 'pool-a', "
        "then run `pulumi up`, or `pulumi refresh --run-program` / `pulumi destroy "
        "--run-program` (a plain refresh or destroy reuses the credentials recorded by the "
        "last deployment)"
    )


def test_a_claimed_pool_says_to_declare_one_resource_per_pool() -> None:
    """The pool is named, with the rule that was broken."""
    error = genauth.PoolClaimedError("pool-a")
    assert error.userpool_id == "pool-a"
    assert str(error) == (
        "user pool 'pool-a' is already configured by another EmailProvider of this "
        "deployment: a user pool has one email provider setting, so declare one "
        "EmailProvider per user pool"
    )


def test_an_smtp_preflight_failure_carries_what_failed_and_where() -> None:
    """reason, host, port and the SMTP code are attributes; GenAuth was not called."""
    error = genauth.SmtpPreflightError(
        "the server refused the login (535)", host="smtp.example.com", port=465, code=535
    )
    assert (error.reason, error.host, error.port, error.code) == (
        "the server refused the login (535)",
        "smtp.example.com",
        465,
        535,
    )
    assert str(error) == (
        "SMTP preflight (verify_smtp) of smtp.example.com:465 failed: the server refused the "
        "login (535); nothing was sent to GenAuth, the user pool is unchanged"
    )


@pytest.mark.parametrize(
    ("request_id", "shown"), [("req-7", "requestId req-7"), (None, "requestId none")]
)
def test_a_malformed_answer_carries_the_call_and_its_request_id(
    request_id: str | None, shown: str
) -> None:
    """The call, the HTTP status and the requestId (or "none"), as attributes and in the text."""
    error = genauth.MalformedResponseError(
        "the answer is not a GenAuth JSON envelope",
        method="GET",
        path="/api/v3/get-email-provider",
        http_status=502,
        request_id=request_id,
    )
    assert (error.method, error.path, error.http_status, error.request_id) == (
        "GET",
        "/api/v3/get-email-provider",
        502,
        request_id,
    )
    assert str(error) == (
        "GET /api/v3/get-email-provider: HTTP 502: the answer is not a GenAuth JSON envelope "
        f"({shown})"
    )


def test_an_api_error_without_codes_says_so() -> None:
    """No statusCode, apiCode or requestId in the answer: only what there is, and "none"."""
    error = genauth.ServerError(
        "Bad Gateway",
        method="GET",
        path="/api/v3/get-email-provider",
        http_status=502,
        status_code=None,
        api_code=None,
        request_id=None,
    )
    assert str(error) == (
        "GenAuth API GET /api/v3/get-email-provider failed: Bad Gateway (HTTP 502, requestId none)"
    )
