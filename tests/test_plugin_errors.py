"""How a failure in the plugin process reads in the CLI: one line, the traceback on request.

In-process, against a stand-in for the SDK's server module (``pulumi.dynamic.__main__`` run as
``__main__``); test_dynamic_server.py checks the same through the real server.
"""

from __future__ import annotations

import importlib.machinery
import sys
import traceback
import types
from collections.abc import Callable

import pytest

from pulumi_genauth import APIError, ConfigurationError
from pulumi_genauth._dynamic_server import install_one_line_errors as install
from pulumi_genauth._plugin_errors import debugging, one_line

BUG_LINE = (
    "pulumi-genauth failed unexpectedly: KeyError: 'type' "
    "(set PULUMI_GENAUTH_DEBUG=1 for the traceback, and report it)"
)


def server_module(name: str = "pulumi.dynamic.__main__") -> types.ModuleType:
    """A module like the SDK's server run as ``__main__``: its spec's name, ``traceback`` global."""
    module = types.ModuleType("__main__")
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    module.traceback = traceback  # type: ignore[attr-defined]
    return module


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The stand-in server as this process's ``__main__``, with PULUMI_GENAUTH_DEBUG unset."""
    module = server_module()
    monkeypatch.setitem(sys.modules, "__main__", module)
    monkeypatch.delenv("PULUMI_GENAUTH_DEBUG", raising=False)
    return module


def reported(server: types.ModuleType, fail: Callable[[], object]) -> str:
    """What the server sends the engine when ``fail`` raises in a call it serves."""
    try:
        fail()
    except Exception:  # noqa: BLE001 - as the server does
        text: str = server.traceback.format_exc()
        return text
    raise AssertionError("fail() did not raise")


def lookup_type(props: dict[str, str]) -> str:
    return props["type"]


def chained_failure() -> None:
    try:
        lookup_type({})
    except KeyError as error:
        raise RuntimeError("while creating") from error


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("1", True),
        ("true", True),
        (" True ", True),
        ("YES", True),
        ("", False),
        ("0", False),
        ("false", False),
        ("no", False),
        (None, False),
    ],
)
def test_debugging_is_asked_for_by_1_true_or_yes(
    monkeypatch: pytest.MonkeyPatch, value: str | None, on: bool
) -> None:
    """PULUMI_GENAUTH_DEBUG=1, true or yes (any case, any spaces) turns tracebacks on."""
    if value is None:
        monkeypatch.delenv("PULUMI_GENAUTH_DEBUG", raising=False)
    else:
        monkeypatch.setenv("PULUMI_GENAUTH_DEBUG", value)
    assert debugging() is on


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            ConfigurationError("genauth:host: GenAuth host 'x'\n  is not a URL"),
            "genauth:host: GenAuth host 'x' is not a URL",
        ),
        (
            APIError(
                "bad\nfield",
                method="POST",
                path="/api/v3/config-email-provider",
                http_status=400,
                status_code=400,
                api_code=2001,
                request_id="req-1",
            ),
            "GenAuth API POST /api/v3/config-email-provider failed: bad field "
            "(HTTP 400, statusCode 400, apiCode 2001, requestId req-1)",
        ),
        (KeyError("type"), BUG_LINE),
        (
            ValueError("two\n\tlines"),
            "pulumi-genauth failed unexpectedly: ValueError: two lines "
            "(set PULUMI_GENAUTH_DEBUG=1 for the traceback, and report it)",
        ),
    ],
    ids=["configuration", "api", "bug", "bug over two lines"],
)
def test_one_line_is_the_message_of_our_errors_and_the_type_of_a_bug(
    error: BaseException, line: str
) -> None:
    """Our errors read as their message, anything else as a bug to report; always one line."""
    assert one_line(error) == line


def test_install_makes_the_server_report_a_failure_in_one_line(server: types.ModuleType) -> None:
    """Installed in the server, format_exc() gives the one line and no frames."""
    assert install() is True
    assert reported(server, lambda: lookup_type({})) == BUG_LINE


def test_the_traceback_is_back_when_debugging(
    server: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With PULUMI_GENAUTH_DEBUG=1 the server sends the whole traceback, causes included."""
    install()
    monkeypatch.setenv("PULUMI_GENAUTH_DEBUG", "1")
    text = reported(server, chained_failure)
    assert text.startswith("Traceback (most recent call last):")
    assert "KeyError: 'type'" in text
    assert "The above exception was the direct cause of the following exception" in text
    assert text.endswith("RuntimeError: while creating\n")


def test_format_exc_takes_the_arguments_of_the_traceback_module(
    server: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When debugging, format_exc(limit, chain) means what traceback.format_exc's do."""
    install()
    monkeypatch.setenv("PULUMI_GENAUTH_DEBUG", "1")
    arguments = [(1, False), (None, True)]
    try:
        chained_failure()
    except RuntimeError:
        ours = [server.traceback.format_exc(limit, chain) for limit, chain in arguments]
        theirs = [traceback.format_exc(limit, chain) for limit, chain in arguments]
    assert ours == theirs
    assert len(set(ours)) == len(arguments)  # each argument made a difference


def test_format_exc_outside_a_failure_is_the_traceback_modules(server: types.ModuleType) -> None:
    """With no exception being handled there is nothing to shorten: the usual answer."""
    install()
    assert server.traceback.format_exc() == traceback.format_exc()


def test_the_rest_of_the_traceback_module_is_unchanged(server: types.ModuleType) -> None:
    """Only format_exc is replaced: the server's other traceback calls work as before."""
    install()
    assert server.traceback.format_exception is traceback.format_exception
    assert server.traceback.print_exc is traceback.print_exc


def test_installing_twice_keeps_the_first(server: types.ModuleType) -> None:
    """configure() may run more than once in a process: the second install is a no-op."""
    assert install() is True
    first = server.traceback
    assert install() is True
    assert server.traceback is first


def without_traceback() -> types.ModuleType:
    module = server_module()
    del module.traceback
    return module


def with_its_own_traceback() -> types.ModuleType:
    module = server_module()
    module.traceback = types.SimpleNamespace()  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(
    "make_main",
    [
        pytest.param(lambda: types.ModuleType("__main__"), id="__main__ without a spec"),
        pytest.param(lambda: server_module("pytest"), id="another program"),
        pytest.param(without_traceback, id="a server without traceback"),
        pytest.param(with_its_own_traceback, id="a server with a traceback of its own"),
    ],
)
def test_install_leaves_any_other_process_alone(
    monkeypatch: pytest.MonkeyPatch, make_main: Callable[[], types.ModuleType]
) -> None:
    """Outside the plugin process, or in a server unlike the one expected, nothing changes."""
    main = make_main()
    before = vars(main).get("traceback")
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert install() is False
    assert vars(main).get("traceback") is before


def test_install_without_a_main_module_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """An embedding interpreter may have no __main__ at all: install declines, quietly."""
    monkeypatch.delitem(sys.modules, "__main__")
    assert install() is False
