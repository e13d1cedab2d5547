"""What _dynamic_server adds to the SDK's dynamic-provider server, outside the plugin process.

Through the real server (a process of its own) the detailed diff is pinned in
``test_dynamic_server``; here: that nothing is changed outside the plugin, how the URN of the
request under way is found, and where messages go when it is not.
"""

from __future__ import annotations

import importlib.machinery
import logging
import sys
import types
from typing import Any

import pulumi
import pytest
from pulumi.runtime import proto

from pulumi_genauth import _dynamic_server
from pulumi_genauth._changes import Change
from pulumi_genauth._dynamic_server import DYNAMIC_SERVER_MODULE
from pulumi_genauth._engine_log import EngineLog


def server_module(name: str = DYNAMIC_SERVER_MODULE) -> types.ModuleType:
    """A stand-in for the plugin's __main__: a module spec'd as the server, with its proto."""
    module = types.ModuleType("__main__")
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    module.proto = proto  # type: ignore[attr-defined]
    return module


def test_install_gives_the_server_a_proto_whose_diff_response_carries_the_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = server_module()
    monkeypatch.setitem(sys.modules, "__main__", server)
    assert _dynamic_server.install_detailed_diff() is True
    assert _dynamic_server.install_detailed_diff() is True  # a second configure() keeps the first
    patched: Any = server.proto
    assert patched.DiffResponse.DIFF_SOME == proto.DiffResponse.DIFF_SOME
    assert patched.PropertyDiff is proto.PropertyDiff

    _dynamic_server.leave_detailed_diff({"pool": Change.UPDATE, "type": Change.UPDATE}, ["pool"])
    answer = patched.DiffResponse(changes=proto.DiffResponse.DIFF_SOME, replaces=["pool"])
    kinds = {path: proto.PropertyDiff.Kind.Name(d.kind) for path, d in answer.detailedDiff.items()}
    assert kinds == {"pool": "UPDATE_REPLACE", "type": "UPDATE"}
    assert answer.hasDetailedDiff
    assert list(answer.diffs) == ["pool", "type"]
    # What diff left is used once: an answer built without a diff of ours has no detail.
    assert not patched.DiffResponse(changes=proto.DiffResponse.DIFF_NONE).hasDetailedDiff


@pytest.mark.parametrize(
    "make_main",
    [
        pytest.param(lambda: server_module("pytest"), id="another program"),
        pytest.param(lambda: types.ModuleType("__main__"), id="__main__ without a spec"),
    ],
)
def test_install_leaves_any_other_process_alone(
    monkeypatch: pytest.MonkeyPatch, make_main: Any
) -> None:
    main = make_main()
    before = vars(main).get("proto")
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert _dynamic_server.install_detailed_diff() is False
    assert vars(main).get("proto") is before


def test_install_leaves_a_server_with_a_proto_of_its_own_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = server_module()
    server.proto = types.SimpleNamespace()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "__main__", server)
    assert _dynamic_server.install_detailed_diff() is False


def _answering(urn: str | None) -> str | None:
    """request_urn() called from a handler of a module spec'd as the server, like Create."""
    namespace: dict[str, Any] = {
        "__spec__": importlib.machinery.ModuleSpec(DYNAMIC_SERVER_MODULE, None),
        "request_urn": _dynamic_server.request_urn,
    }
    exec(  # noqa: S102 - a handler defined in the server's globals, as the SDK's are
        "def Create(self, request, context):\n    return request_urn()\n", namespace
    )
    request = types.SimpleNamespace(urn=urn)
    found: str | None = namespace["Create"](None, request, None)
    return found


def test_the_urn_is_the_request_s_that_the_server_is_answering() -> None:
    urn = "urn:pulumi:dev::p::pulumi-python:dynamic/genauth:EmailProvider::mail"
    assert _answering(urn) == urn
    assert _answering("") is None
    assert _answering(None) is None
    assert _dynamic_server.request_urn() is None  # not called from the server


def test_without_a_urn_a_warning_goes_to_pulumi_log_and_a_note_to_the_logger(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", warned.append)
    caplog.set_level(logging.WARNING, logger="pulumi_genauth")
    _dynamic_server.warn("a warning")
    _dynamic_server.note("a retry")
    assert warned == ["a warning"]
    assert [r.getMessage() for r in caplog.records if r.name == "pulumi_genauth"] == ["a retry"]


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["__main__.py", "127.0.0.1:40123"], True),
        (["__main__.py", "--logtostderr", "-v=9", "localhost:1"], True),
        (["__main__.py"], False),
        (["__main__.py", "--logtostderr"], False),
    ],
)
def test_the_engine_is_the_plugin_s_last_argument(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], found: bool
) -> None:
    monkeypatch.setattr(sys, "argv", argv)
    _dynamic_server._engine_log.cache_clear()
    try:
        assert isinstance(_dynamic_server._engine_log(), EngineLog) is found
    finally:
        _dynamic_server._engine_log.cache_clear()
