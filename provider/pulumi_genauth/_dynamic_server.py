"""What the SDK's dynamic-provider server cannot do for the dynamic resource, done here.

Three things: failures in one line, a detailed diff, and messages under their resource.
:func:`install` (from the provider's ``configure()``, in the plugin process only) does the
first two; programs and tests are untouched.

**Failures in one line.** The server answers every exception with
``context.abort(UNKNOWN, traceback.format_exc())``, so the CLI would print ``Traceback (most
recent call last):``, the server's frames and ours, and only then the line that matters. It
offers no hook, but it looks ``traceback`` up in its module's globals at the moment a call
fails: :func:`install_one_line_errors` gives it a ``traceback`` whose ``format_exc`` returns
``_plugin_errors.one_line`` of the exception (unless ``PULUMI_GENAUTH_DEBUG=1``).

**The detailed diff.**
The SDK's server (``pulumi.dynamic.__main__``) answers Diff with ``changes`` and ``replaces``
only: ``DiffResult`` has no field for a detailed diff. Without one, the engine works out what
``pulumi preview --diff`` shows by itself, comparing the old and new inputs after it has masked
every secret as ``"[secret]"`` (pulumi/pulumi v3.274.1: pkg/engine/events.go
``filterPropertyValue``, then pkg/backend/display/object_diff.go ``printOldNewDiffs``): a
rotated password shows as ``sender_pass: [secret]`` with no marker, a drift found in the
outputs is not named at all, and the summary names whatever inputs differ
(``[diff: +verify_smtp]``). Given a detailed diff, the engine shows exactly its paths, a secret
as ``[secret] => [secret]`` (pulumi/pulumi v3.274.1, pkg/engine/detailedDiff.go
``TranslateDetailedDiff``), in ``preview``, ``up`` and ``refresh``.

The server builds its answer as ``proto.DiffResponse(**fields)``, looking ``proto`` up in its
module's globals at that moment, on the thread that has just run our ``diff``. :func:`install`
gives the server module a ``proto`` whose ``DiffResponse`` adds the paths that ``diff`` left
for this thread (:func:`leave_detailed_diff`).

Both lean on details of the SDK's server that are not an API (the names ``traceback`` and
``proto`` in its module). Each install checks its detail and changes nothing when it is
missing; the engine tests that look for ``Traceback`` and read ``preview --diff`` then fail,
which is how an SDK upgrade that breaks them is noticed.

**Messages under their resource.** The server hands the provider no URN and its process no
engine connection, so ``pulumi.log.warn`` lands under the Stack (and a retry line with no
name at all). The URN is in the request the server is answering, a local of its frame below
ours on this thread (:func:`request_urn`); the engine's address is the plugin's last argument.
With both, :func:`warn` and :func:`note` reach the engine's Log service as the native plugin
does (``_engine_log``); without them (an SDK whose server differs, a test calling the provider
directly), they fall back to ``pulumi.log.warn`` and the ``pulumi_genauth`` logger.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

from . import _plugin_errors

if TYPE_CHECKING:
    from types import FrameType

    from ._changes import Change
    from ._engine_log import EngineLog

DYNAMIC_SERVER_MODULE: Final = "pulumi.dynamic.__main__"
_ADDRESS: Final = re.compile(r"^[\w.\-\[\]:]+:\d+$")
logger = logging.getLogger("pulumi_genauth")
_left = threading.local()


def leave_detailed_diff(paths: Mapping[str, Change], replaces: Iterable[str]) -> None:
    """Keep the paths ``diff`` found (dotted, in the resource's spelling) for its answer."""
    _left.diff = (dict(paths), frozenset(replaces))


def _take() -> tuple[dict[str, Change], frozenset[str]] | None:
    found: tuple[dict[str, Change], frozenset[str]] | None = getattr(_left, "diff", None)
    _left.diff = None
    return found


class _ServerProto:
    """The SDK's ``proto`` module, except that ``DiffResponse`` carries the detailed diff."""

    def __init__(self, proto: Any) -> None:
        self._proto = proto
        # The name the server calls.
        self.DiffResponse = _DiffResponseWithDetail(proto)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._proto, name)


class _DiffResponseWithDetail:
    """``proto.DiffResponse``: its constants (``DIFF_SOME``) as they are, a call with detail."""

    def __init__(self, proto: Any) -> None:
        self._proto = proto

    def __getattr__(self, name: str) -> Any:
        return getattr(self._proto.DiffResponse, name)

    def __call__(self, **fields: Any) -> Any:
        found = _take()
        if found is not None:
            fields.update(detailed_diff_fields(self._proto, *found))
        return self._proto.DiffResponse(**fields)


def detailed_diff_fields(
    proto: Any, paths: Mapping[str, Change], replaces: frozenset[str]
) -> dict[str, Any]:
    """The DiffResponse fields that say which paths change: ``detailedDiff`` and ``diffs``."""
    kinds = proto.PropertyDiff
    detailed = {}
    for path, change in paths.items():
        top = path.split(".", 1)[0]
        # The proto's kinds are named as ours are: ADD, DELETE, UPDATE, each with _REPLACE.
        name = change.name + ("_REPLACE" if top in replaces else "")
        kind = getattr(kinds, name)
        # inputDiff: the old value shown is the last input, as the program declared it.
        detailed[path] = kinds(kind=kind, inputDiff=True)
    return {
        "detailedDiff": detailed,
        "hasDetailedDiff": True,
        "diffs": sorted({path.split(".", 1)[0] for path in paths}),
    }


def install() -> None:
    """Make the dynamic-provider server of this process report failures in one line and send
    the detailed diff (each where the server is the one this was written for)."""
    install_one_line_errors()
    install_detailed_diff()


def dynamic_server() -> ModuleType | None:
    """The SDK's dynamic-provider server, if it is this process's ``__main__`` (the plugin)."""
    server = sys.modules.get("__main__")
    spec = getattr(server, "__spec__", None)
    if server is None or spec is None or spec.name != DYNAMIC_SERVER_MODULE:
        return None
    return server


class _OneLineTraceback:
    """The ``traceback`` module, except that ``format_exc`` gives one line unless debugging."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(limit: int | None = None, chain: bool = True) -> str:
        error = sys.exception()
        if error is None or _plugin_errors.debugging():
            return traceback.format_exc(limit, chain)
        return _plugin_errors.one_line(error)


def install_one_line_errors() -> bool:
    """Make the dynamic-provider server of this process report errors in one line.

    Returns whether it did: not outside the plugin process, nor when the server does not look
    like the one this was written for.
    """
    return _replace_global("traceback", traceback, _OneLineTraceback, _OneLineTraceback)


def install_detailed_diff() -> bool:
    """Make the dynamic-provider server of this process send the detailed diff.

    Returns whether it did: not outside the plugin process, nor when the server does not look
    like the one this was written for.
    """
    from pulumi.runtime import proto  # noqa: PLC0415 - the plugin process has it loaded

    return _replace_global("proto", proto, _ServerProto, lambda: _ServerProto(proto))


def _replace_global(name: str, original: Any, replacement: type, make: Callable[[], Any]) -> bool:
    """Give the server module ``make()`` as its global ``name`` where that is ``original``.

    True when the server has the replacement (given by this call or by an earlier one); False
    outside the plugin, or when the global is not what this was written for.
    """
    server = dynamic_server()
    if server is None:
        return False
    current = getattr(server, name, None)
    if isinstance(current, replacement):
        return True
    if current is not original:
        return False
    setattr(server, name, make())
    return True


def request_urn() -> str | None:
    """The URN of the engine's request this thread is answering, if the server's frame has it.

    The server's handlers are ``Create(self, request, context)`` and the like, run on the
    thread that calls the provider; their ``request`` carries the resource's URN.
    """
    frame: FrameType | None = sys._getframe()
    while frame is not None:
        spec = frame.f_globals.get("__spec__")
        if getattr(spec, "name", None) == DYNAMIC_SERVER_MODULE:
            urn = getattr(frame.f_locals.get("request"), "urn", None)
            if isinstance(urn, str) and urn:
                return urn
        frame = frame.f_back
    return None


@functools.cache
def _engine_log() -> EngineLog | None:
    """The engine's Log service, at the address the engine started this plugin with."""
    address = sys.argv[-1] if len(sys.argv) > 1 else ""
    if not _ADDRESS.match(address):
        return None
    from ._engine_log import EngineLog  # noqa: PLC0415 - the plugin process only

    return EngineLog(address)


def warn(message: str) -> None:
    """Show a warning under the resource of the request under way (else under the Stack)."""
    if not _to_engine(message, ephemeral=False):
        import pulumi  # noqa: PLC0415 - loaded already wherever a provider runs

        pulumi.log.warn(message)


def note(message: str) -> None:
    """Show a line under the resource while its step runs (a retry); not kept after it."""
    if not _to_engine(message, ephemeral=True):
        logger.warning(message)


def _to_engine(message: str, *, ephemeral: bool) -> bool:
    """Send ``message`` to the engine under the request's resource; False when there is none."""
    urn, log = request_urn(), _engine_log()
    if urn is None or log is None:
        return False
    (log.note if ephemeral else log.warn)(urn, message)
    return True
