"""How a failure in the provider reads in the CLI: one line, the traceback only on request.

:func:`one_line` is what both plugins report for an exception:

* a :class:`GenAuthError` (API, credentials, transport, ownership) as its own message, which
  carries statusCode, apiCode, message and requestId, or the host that could not be reached;
* anything else (a bug in this package, or in the SDK) as its type and message, with a
  pointer to ``PULUMI_GENAUTH_DEBUG=1``, which restores the full traceback for everything
  (:func:`debugging`).

Each front end puts it where its server reports failures: the native plugin's servicer
(``native/_server``), the SDK's dynamic-provider server (``_dynamic_server``).
"""

from __future__ import annotations

import os
from typing import Final

from ._exceptions import GenAuthError

DEBUG_ENV: Final = "PULUMI_GENAUTH_DEBUG"


def debugging() -> bool:
    """Whether the user asked for full tracebacks (``PULUMI_GENAUTH_DEBUG=1``)."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes")


def one_line(error: BaseException) -> str:
    """What the CLI shows for ``error``: one line, no frames."""
    if isinstance(error, GenAuthError):
        return " ".join(str(error).split())
    message = " ".join(str(error).split())
    return (
        f"pulumi-genauth failed unexpectedly: {type(error).__name__}: {message} "
        f"(set {DEBUG_ENV}=1 for the traceback, and report it)"
    )
