"""What _dynamic_server adds to the SDK's dynamic-provider server, outside the plugin process.

Through the real server (a process of its own) the detailed diff is pinned in
``test_dynamic_server``; here: that nothing is changed outside the plugin, how the URN of the
request under way is found, and where messages go when it is not.
"""

from __future__ import annotations

import importlib.machinery
import logging
import sys
import threading
import types
from typing import Any

import pulumi
import pytest
from pulumi.runtime import proto
from pulumi.runtime.proto import engine_pb2

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


# -- what the server is given: the DiffResponse fields, the paths taken once ---------------------


def test_the_detailed_diff_fields_name_each_path_with_its_kind_and_the_diffs_once_sorted() -> None:
    """Each kind, with _REPLACE when the path's top property is replaced; diffs by top name."""
    paths = {
        "zone": Change.ADD,
        "pool.name.first": Change.UPDATE,
        "pool.size": Change.DELETE,
        "type": Change.UPDATE,
        "alias.old": Change.DELETE,
        "alias.new": Change.ADD,
        "zone.b": Change.UPDATE,
    }
    fields = _dynamic_server.detailed_diff_fields(proto, paths, frozenset({"pool", "alias"}))
    kind = proto.PropertyDiff
    assert fields == {
        "detailedDiff": {
            "zone": kind(kind=kind.ADD, inputDiff=True),
            "pool.name.first": kind(kind=kind.UPDATE_REPLACE, inputDiff=True),
            "pool.size": kind(kind=kind.DELETE_REPLACE, inputDiff=True),
            "type": kind(kind=kind.UPDATE, inputDiff=True),
            "alias.old": kind(kind=kind.DELETE_REPLACE, inputDiff=True),
            "alias.new": kind(kind=kind.ADD_REPLACE, inputDiff=True),
            "zone.b": kind(kind=kind.UPDATE, inputDiff=True),
        },
        "hasDetailedDiff": True,
        "diffs": ["alias", "pool", "type", "zone"],
    }
    assert all(d.inputDiff is True for d in fields["detailedDiff"].values())
    assert type(fields["diffs"]) is list


def test_a_top_property_named_like_a_nested_path_is_not_replaced_by_it() -> None:
    """Only the part before the first dot is the property: 'a.b.c' with 'a.b' replaced is not."""
    fields = _dynamic_server.detailed_diff_fields(
        proto, {"a.b.c": Change.UPDATE, "x": Change.ADD}, frozenset({"a.b", "x.y"})
    )
    kind = proto.PropertyDiff
    assert fields["detailedDiff"] == {
        "a.b.c": kind(kind=kind.UPDATE, inputDiff=True),
        "x": kind(kind=kind.ADD, inputDiff=True),
    }
    assert fields["diffs"] == ["a", "x"]


def test_a_thread_that_left_nothing_takes_nothing() -> None:
    """The server's threads: one that has not run our diff finds nothing left, and no error."""
    _dynamic_server.leave_detailed_diff({"pool": Change.ADD}, [])  # on this thread, not that one
    taken: list[object] = []
    thread = threading.Thread(target=lambda: taken.append(_dynamic_server._take()))
    thread.start()
    thread.join()
    assert taken == [None]
    assert _dynamic_server._take() == ({"pool": Change.ADD}, frozenset())


def test_what_diff_left_is_taken_once() -> None:
    _dynamic_server.leave_detailed_diff({"pool": Change.ADD}, ["pool"])
    assert _dynamic_server._take() == ({"pool": Change.ADD}, frozenset({"pool"}))
    assert _dynamic_server._take() is None
    assert _dynamic_server._take() is None


def test_install_leaves_a_server_without_a_proto_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    server = server_module()
    del server.proto
    monkeypatch.setitem(sys.modules, "__main__", server)
    assert _dynamic_server.install_detailed_diff() is False
    assert not hasattr(server, "proto")


def test_a_second_install_keeps_the_first_proto(monkeypatch: pytest.MonkeyPatch) -> None:
    server = server_module()
    monkeypatch.setitem(sys.modules, "__main__", server)
    assert _dynamic_server.install_detailed_diff() is True
    first = server.proto
    assert isinstance(first, _dynamic_server._ServerProto)
    assert _dynamic_server.install_detailed_diff() is True
    assert server.proto is first


# -- request_urn: the frames it walks ------------------------------------------------------------


def _module_namespace(name: str) -> dict[str, Any]:
    return {"__spec__": importlib.machinery.ModuleSpec(name, None)}


def test_the_urn_is_found_below_frames_of_other_modules() -> None:
    """A helper of another module between the handler and request_urn; its own request skipped."""
    urn = "urn:pulumi:dev::p::pulumi-python:dynamic/genauth:EmailProvider::mail"
    helper = _module_namespace("pulumi_genauth._provider")
    helper["request_urn"] = _dynamic_server.request_urn
    exec(  # noqa: S102 - a function of another module, with a request of its own
        "def create(request):\n    return request_urn()\n", helper
    )
    server = _module_namespace(DYNAMIC_SERVER_MODULE)
    server["create"] = helper["create"]
    exec(  # noqa: S102 - a handler in the server's globals
        "def Create(self, request, context):\n"
        "    return create(type(request)(urn='urn:of:another:module'))\n",
        server,
    )
    assert server["Create"](None, types.SimpleNamespace(urn=urn), None) == urn


def test_a_server_frame_without_a_urn_is_passed_for_the_one_below() -> None:
    urn = "urn:pulumi:dev::p::pulumi-python:dynamic/genauth:EmailProvider::mail"
    server = _module_namespace(DYNAMIC_SERVER_MODULE)
    server["request_urn"] = _dynamic_server.request_urn
    exec(  # noqa: S102 - two server frames, the upper one's request without a URN
        "def inner(request):\n    return request_urn()\n"
        "def Create(self, request, context):\n    return inner(None)\n",
        server,
    )
    assert server["Create"](None, types.SimpleNamespace(urn=urn), None) == urn


@pytest.mark.parametrize("urn", [b"urn:pulumi:x", 7, ["urn"]], ids=["bytes", "int", "list"])
def test_a_urn_that_is_not_a_str_is_no_urn(urn: object) -> None:
    assert _answering(urn) is None  # type: ignore[arg-type]


# -- where messages go: the engine's Log when there are both a URN and an engine -----------------


URN = "urn:pulumi:dev::p::pulumi-python:dynamic/genauth:EmailProvider::mail"


class _Stub:
    """An EngineStub recording the LogRequests sent."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def Log(self, request: Any) -> None:  # noqa: N802 - the stub's method
        self.sent.append(request)


def _route(
    monkeypatch: pytest.MonkeyPatch, urn: str | None, engine: bool
) -> tuple[_Stub, list[str]]:
    """request_urn gives ``urn``; the engine log is there if ``engine``: (its stub, pulumi.log's
    warnings)."""
    stub = _Stub()
    log = EngineLog("127.0.0.1:1")
    log._stub = stub  # type: ignore[assignment]
    monkeypatch.setattr(_dynamic_server, "request_urn", lambda: urn)
    monkeypatch.setattr(_dynamic_server, "_engine_log", lambda: log if engine else None)
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", warned.append)
    return stub, warned


def test_with_a_urn_and_the_engine_a_warning_is_kept_under_the_resource(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stub, warned = _route(monkeypatch, URN, engine=True)
    caplog.set_level(logging.DEBUG, logger="pulumi_genauth")
    _dynamic_server.warn("user pool pool-a already sends mail")
    assert [(r.severity, r.urn, r.message, r.ephemeral) for r in stub.sent] == [
        (engine_pb2.WARNING, URN, "user pool pool-a already sends mail", False)
    ]
    assert warned == []
    assert caplog.records == []


def test_with_a_urn_and_the_engine_a_note_is_shown_while_the_step_runs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stub, warned = _route(monkeypatch, URN, engine=True)
    caplog.set_level(logging.DEBUG, logger="pulumi_genauth")
    _dynamic_server.note("POST https://h/p: attempt 1 failed")
    assert [(r.severity, r.urn, r.message, r.ephemeral) for r in stub.sent] == [
        (engine_pb2.WARNING, URN, "POST https://h/p: attempt 1 failed", True)
    ]
    assert warned == []
    assert caplog.records == []


@pytest.mark.parametrize(
    ("urn", "engine"),
    [(None, True), (URN, False), (None, False)],
    ids=["no urn", "no engine", "neither"],
)
def test_without_both_messages_fall_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, urn: str | None, engine: bool
) -> None:
    stub, warned = _route(monkeypatch, urn, engine)
    caplog.set_level(logging.DEBUG, logger="pulumi_genauth")
    _dynamic_server.warn("a warning: 100%")
    _dynamic_server.note("a retry: 100%")
    assert stub.sent == []
    assert warned == ["a warning: 100%"]
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("pulumi_genauth", logging.WARNING, "a retry: 100%")
    ]


# -- the engine's address ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "found"),
    [
        ("127.0.0.1:40123", True),
        ("[::1]:40123", True),
        ("engine-host.example_1:9", True),
        ("localhost", False),
        ("localhost:", False),
        ("localhost:1x", False),
        ("x localhost:1", False),
        ("localhost:1 x", False),
        ("-v=9:1", False),
        (":1", False),
        ("a/b:1", False),
    ],
)
def test_the_engine_address_is_a_host_and_a_port(
    monkeypatch: pytest.MonkeyPatch, address: str, found: bool
) -> None:
    monkeypatch.setattr(sys, "argv", ["__main__.py", address])
    _dynamic_server._engine_log.cache_clear()
    try:
        log = _dynamic_server._engine_log()
        assert isinstance(log, EngineLog) is found
        if found:
            assert log is not None
            assert log._address == address
    finally:
        _dynamic_server._engine_log.cache_clear()
