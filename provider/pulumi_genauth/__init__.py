"""GenAuth's third-party email service, managed as code: the ``EmailProvider`` resource.

The API client (``GenAuthClient``, ``RetryPolicy``) is imported on first use: a program that
only declares resources never loads the HTTP stack.
"""

from typing import TYPE_CHECKING, Any

from ._constants import PACKAGE_VERSION
from ._exceptions import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    DeclarationError,
    GenAuthError,
    InvalidRequestError,
    MalformedResponseError,
    PoolClaimedError,
    PoolMismatchError,
    RateLimitError,
    ServerError,
    SmtpPreflightError,
    TransportError,
)
from ._fields import EmailProviderType
from ._resource import (
    AliExmailConfigArgs,
    AliExmailConfigArgsDict,
    AliExmailConfigOutput,
    EmailProvider,
    SendGridConfigArgs,
    SendGridConfigArgsDict,
    SendGridConfigOutput,
    SmtpConfigArgs,
    SmtpConfigArgsDict,
    SmtpConfigOutput,
    TencentExmailConfigArgs,
    TencentExmailConfigArgsDict,
    TencentExmailConfigOutput,
)

if TYPE_CHECKING:
    from ._client import GenAuthClient, RetryPolicy

__version__ = PACKAGE_VERSION
_LAZY = frozenset({"GenAuthClient", "RetryPolicy"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import _client  # noqa: PLC0415 - the HTTP stack, only when asked for

        return getattr(_client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "APIError",
    "AliExmailConfigArgs",
    "AliExmailConfigArgsDict",
    "AliExmailConfigOutput",
    "AuthenticationError",
    "ConfigurationError",
    "DeclarationError",
    "EmailProvider",
    "EmailProviderType",
    "GenAuthClient",
    "GenAuthError",
    "InvalidRequestError",
    "MalformedResponseError",
    "PoolClaimedError",
    "PoolMismatchError",
    "RateLimitError",
    "RetryPolicy",
    "SendGridConfigArgs",
    "SendGridConfigArgsDict",
    "SendGridConfigOutput",
    "ServerError",
    "SmtpConfigArgs",
    "SmtpConfigArgsDict",
    "SmtpConfigOutput",
    "SmtpPreflightError",
    "TencentExmailConfigArgs",
    "TencentExmailConfigArgsDict",
    "TencentExmailConfigOutput",
    "TransportError",
    "__version__",
]
