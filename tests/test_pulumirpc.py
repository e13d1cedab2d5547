"""The engine protocol's generated modules, loaded without the Pulumi SDK (``_pulumirpc``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from pulumi.runtime.proto import provider_pb2

from pulumi_genauth import _pulumirpc


def test_the_alias_package_is_the_sdk_s_proto_folder_registered_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, _pulumirpc._PACKAGE)
    name = _pulumirpc._package()
    package = sys.modules[name]
    assert package.__path__ == [str(Path(provider_pb2.__file__).parent)]
    assert (package.__name__, package.__doc__) == (
        _pulumirpc._PACKAGE,
        "pulumirpc, as generated in the pulumi package",
    )
    assert _pulumirpc._package() == name
    assert sys.modules[name] is package


def test_a_missing_pulumi_package_is_an_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, _pulumirpc._PACKAGE)
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name: None)
    with pytest.raises(ImportError, match=r"^the pulumi package is not installed$"):
        _pulumirpc._package()


def test_a_loaded_module_holds_the_sdk_s_own_message_classes() -> None:
    loaded = _pulumirpc.load("provider_pb2")
    assert loaded.__name__ == f"{_pulumirpc._PACKAGE}.provider_pb2"
    assert Path(loaded.__file__) == Path(provider_pb2.__file__)
    assert loaded.CheckRequest is provider_pb2.CheckRequest
