"""GenAuth's third-party email service, managed as code: the ``EmailProvider`` resource."""

from ._client import GenAuthClient, RetryPolicy
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
    TransportError,
)
from ._models import EmailProviderType
from ._resource import (
    AliExmailConfigArgs,
    EmailProvider,
    SendGridConfigArgs,
    SmtpConfigArgs,
    SmtpConfigArgsDict,
    TencentExmailConfigArgs,
)

__all__ = [
    "APIError",
    "AliExmailConfigArgs",
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
    "ServerError",
    "SmtpConfigArgs",
    "SmtpConfigArgsDict",
    "TencentExmailConfigArgs",
    "TransportError",
]
