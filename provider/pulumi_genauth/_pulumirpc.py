"""The Pulumi engine protocol's messages and gRPC stubs, loaded without the Pulumi SDK.

Both plugins speak the engine's gRPC protocol (``pulumirpc``): the generated modules for it
ship in the ``pulumi`` package, under ``pulumi/runtime/proto``. Importing them the usual way
runs ``pulumi/__init__.py`` first, which loads the whole SDK (the Automation API, the
runtime, mocks): about 0.3 s and 20 MB that the native plugin, serving a few calls, never
uses, paid once per provider process (and a stack may have one per user pool).

So this module loads the same files under a package name of its own, whose ``__init__`` is
empty: the generated modules import each other relatively (``from . import plugin_pb2``), so
they resolve inside that package, and the Pulumi SDK's own code never runs. The message
classes are the SDK's: protobuf keeps one class per message descriptor, so a process that
imports ``pulumi.runtime.proto`` too (the tests) gets the very same classes from both.

Only the files are borrowed: which messages exist and what they hold is the installed SDK's
(the dependency range in ``pyproject.toml``), as it would be through the SDK's own server.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any, Final

_PACKAGE: Final = "pulumi_genauth_pulumirpc"


def _package() -> str:
    """Register the alias package over the SDK's proto folder (once), and return its name."""
    if _PACKAGE not in sys.modules:
        # find_spec of a top-level package locates it without running its __init__.
        spec = importlib.util.find_spec("pulumi")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("the pulumi package is not installed")
        folder = Path(next(iter(spec.submodule_search_locations))) / "runtime" / "proto"
        package = types.ModuleType(_PACKAGE, "pulumirpc, as generated in the pulumi package")
        package.__path__ = [str(folder)]
        sys.modules[_PACKAGE] = package
    return _PACKAGE


def load(name: str) -> Any:
    """The generated module ``name`` (``provider_pb2``, ``engine_pb2_grpc``, ...)."""
    return importlib.import_module(f"{_package()}.{name}")


provider_pb2: Final = load("provider_pb2")
provider_pb2_grpc: Final = load("provider_pb2_grpc")
plugin_pb2: Final = load("plugin_pb2")
engine_pb2: Final = load("engine_pb2")
engine_pb2_grpc: Final = load("engine_pb2_grpc")
