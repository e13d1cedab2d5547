"""How a failure in the provider reaches the CLI: one line, the traceback only on request.

The SDK's dynamic-provider server (``pulumi.dynamic.__main__``, run as the plugin process's
``__main__``) answers every exception with ``context.abort(UNKNOWN, traceback.format_exc())``,
so the CLI would print ``Traceback (most recent call last):``, the server's frames and ours,
and only then the line that matters. The server offers no hook; but it looks ``traceback`` up
in its module's globals at the moment a call fails. :func:`install` gives that module a
``traceback`` whose ``format_exc`` returns one line:

* a :class:`GenAuthError` (API, credentials, transport, ownership) as its own message, which
  carries statusCode, apiCode, message and requestId, or the host that could not be reached;
* anything else (a bug in this package, or in the SDK) as its type and message, with a
  pointer to ``PULUMI_GENAUTH_DEBUG=1``, which restores the full traceback for everything.

What it costs: it leans on a detail of the SDK's server that is not an API (the name
``traceback`` in its module). :func:`install` checks that detail and changes nothing when it is
missing: errors then show their traceback as before, and the engine test that looks for
``Traceback`` fails, which is how an SDK upgrade that breaks it is noticed. It is installed in
the plugin process only (from ``configure()``); programs and tests are untouched.
"""

from __future__ import annotations

import os
import sys
import traceback
from types import ModuleType
from typing import Any, Final

from ._exceptions import GenAuthError

DEBUG_ENV: Final = "PULUMI_GENAUTH_DEBUG"
DYNAMIC_SERVER_MODULE: Final = "pulumi.dynamic.__main__"


def dynamic_server() -> ModuleType | None:
    """The SDK's dynamic-provider server, if it is this process's ``__main__`` (the plugin)."""
    server = sys.modules.get("__main__")
    spec = getattr(server, "__spec__", None)
    if server is None or spec is None or spec.name != DYNAMIC_SERVER_MODULE:
        return None
    return server


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


class _OneLineTraceback:
    """The ``traceback`` module, except that ``format_exc`` gives one line unless debugging."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(limit: int | None = None, chain: bool = True) -> str:
        error = sys.exception()
        if error is None or debugging():
            return traceback.format_exc(limit, chain)
        return one_line(error)


def install() -> bool:
    """Make the dynamic-provider server of this process report errors in one line.

    Returns whether it did: not outside the plugin process, nor when the server does not look
    like the one this was written for.
    """
    server = dynamic_server()
    if server is None:
        return False
    current = getattr(server, "traceback", None)
    if isinstance(current, _OneLineTraceback):
        return True
    if current is not traceback:
        return False
    server.traceback = _OneLineTraceback()  # type: ignore[attr-defined]
    return True
