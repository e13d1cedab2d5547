"""GenAuth's third-party email service, managed as code: the ``EmailProvider`` resource."""

from ._client import GenAuthClient, RetryPolicy
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
    TransportError,
)
from ._models import EmailProviderType
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

__version__ = PACKAGE_VERSION

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
    "TencentExmailConfigArgs",
    "TencentExmailConfigArgsDict",
    "TencentExmailConfigOutput",
    "TransportError",
    "__version__",
]
