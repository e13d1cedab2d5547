"""GenAuth's third-party email service, managed as code: the ``EmailProvider`` resource.

The package has three groups of modules and a tool of its own:

* **the core**: the setting and its rules (``_fields``, ``_validation``, ``_setting``,
  ``_addresses``, ``_changes``), the wire contract and its client (``_models``, ``_client``,
  ``_refusals``, ``_hosts``, ``_pool_clients``, ``_credentials``), and what each step does
  to a pool (``_lifecycle``, ``_ownership``, ``_claims``, ``_smtp_preflight``), with the
  error tree (``_exceptions``, ``_plugin_errors``) and the numbers (``_constants``);
* **the dynamic front end**, for Python programs: ``_resource`` (what a program declares),
  ``_provider`` (what the SDK's dynamic-provider server calls) and ``_dynamic_server`` (what
  that server cannot do: a detailed diff, messages under their resource);
* **the native front end**, ``native/``: the ``pulumi-resource-genauth`` plugin for every
  other Pulumi language; both plugins reach the engine's Log through ``_engine_log``;
* **the emulator**, ``emulator/``: a local GenAuth management API for tests and the demo,
  speaking the wire contract of ``docs/genauth-api.md``.

``tests/test_layout.py`` holds the boundaries: the core imports neither front end, and the
front ends do not import each other. The error tree and the provider types are imported with
the package; the resource, its argument types and the API client are imported on first use
(see ``_LAZY``).
"""

import importlib
from typing import TYPE_CHECKING, Any, Final

from ._exceptions import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    GenAuthError,
    InvalidRequestError,
    MalformedResponseError,
    PoolClaimedError,
    PoolMismatchError,
    ProxyRefusedError,
    RateLimitError,
    ServerError,
    SmtpPreflightError,
    TLSError,
    TransportError,
)
from ._fields import EmailProviderType

if TYPE_CHECKING:
    from ._client import GenAuthClient, RetryPolicy
    from ._resource import (
        AliExmailConfigArgs,
        AliExmailConfigArgsDict,
        AliExmailConfigOutput,
        DeclarationError,
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

    __version__: str

# Where each public name that is imported on first use lives. A program pays for the resource
# module when it first names one; the plugin process, which unpickles the provider and so
# imports only _provider, never does; nobody pays for the HTTP stack before a call to GenAuth.
_LAZY: Final = {
    "GenAuthClient": "_client",
    "RetryPolicy": "_client",
    "AliExmailConfigArgs": "_resource",
    "AliExmailConfigArgsDict": "_resource",
    "AliExmailConfigOutput": "_resource",
    "DeclarationError": "_resource",
    "EmailProvider": "_resource",
    "SendGridConfigArgs": "_resource",
    "SendGridConfigArgsDict": "_resource",
    "SendGridConfigOutput": "_resource",
    "SmtpConfigArgs": "_resource",
    "SmtpConfigArgsDict": "_resource",
    "SmtpConfigOutput": "_resource",
    "TencentExmailConfigArgs": "_resource",
    "TencentExmailConfigArgsDict": "_resource",
    "TencentExmailConfigOutput": "_resource",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from ._constants import package_version  # noqa: PLC0415 - reads the metadata

        return package_version()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


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
    "ProxyRefusedError",
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
    "TLSError",
    "TencentExmailConfigArgs",
    "TencentExmailConfigArgsDict",
    "TencentExmailConfigOutput",
    "TransportError",
    "__version__",
]
