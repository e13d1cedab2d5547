"""The tree shows one core and two front ends, and the imports keep it so.

The core (the rules, the wire contract, the client, credentials, the lifecycle) imports
neither front end: not the dynamic resource (``_resource``, ``_provider``,
``_dynamic_server``) and not the native plugin (``native/``), and not ``pulumi`` either: what
needs the SDK belongs to a front end (``_engine_log`` is shared by the two plugins). Each front
end may import the core; the two never import each other.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Final

import pytest

PACKAGE: Final = Path(__file__).resolve().parents[1] / "provider" / "pulumi_genauth"
DYNAMIC: Final = frozenset({"_resource", "_provider", "_dynamic_server"})
NATIVE: Final = "native"
# Used by both front ends' plugins (the engine's Log service); imports no front end.
SHARED: Final = frozenset({"_engine_log", "_pulumirpc"})
# The package's own modules that belong to no front end (the emulator is a tool of its own).
CORE: Final = sorted(
    path.stem
    for path in PACKAGE.glob("_*.py")
    if path.stem not in DYNAMIC | SHARED and path.stem != "__init__"
)


def imported_modules(path: Path) -> set[str]:
    """The package's modules ``path`` imports, by their first name under the package.

    ``from .._fields import X`` in native/_provider.py -> ``_fields``; ``from . import
    _properties`` there -> ``native``; ``from .. import _lifecycle`` -> ``_lifecycle``.
    """
    package = ".".join(("pulumi_genauth", *path.relative_to(PACKAGE).parts[:-1]))
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            targets = [base] if node.module else [f"{base}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            parts = target.split(".")
            if parts[0] == "pulumi_genauth" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_imports_no_front_end(module: str) -> None:
    """Core modules never import _resource, _provider or native."""
    imported = imported_modules(PACKAGE / f"{module}.py")
    assert not imported & (DYNAMIC | {NATIVE}), imported


def test_the_native_plugin_imports_nothing_of_the_dynamic_resource() -> None:
    """native/ uses the core (and _plugin_errors' one-line format), never _resource/_provider."""
    for path in (PACKAGE / NATIVE).glob("*.py"):
        imported = imported_modules(path)
        assert not imported & {"_resource", "_provider"}, (path.name, imported)


def test_the_dynamic_front_end_imports_nothing_of_the_native_plugin() -> None:
    """_resource and _provider work without native/ (it is not even imported)."""
    for name in ("_resource", "_provider"):
        assert NATIVE not in imported_modules(PACKAGE / f"{name}.py"), name


def imports_pulumi(path: Path) -> list[str]:
    """The ``pulumi`` modules ``path`` imports, anywhere in it (inside functions too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [name for name in names if name == "pulumi" or name.startswith("pulumi.")]
    return found


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_imports_no_pulumi(module: str) -> None:
    """The SDK is a front end's: the core runs (and a plugin starts) without loading it."""
    assert imports_pulumi(PACKAGE / f"{module}.py") == []


def test_the_shared_plugin_modules_import_no_front_end() -> None:
    for module in SHARED:
        assert not imported_modules(PACKAGE / f"{module}.py") & (DYNAMIC | {NATIVE}), module


def test_the_core_s_unknown_is_the_engine_s() -> None:
    """_constants.UNKNOWN spells the SDK's wire sentinel for a value not known yet."""
    from pulumi.runtime import rpc

    from pulumi_genauth._constants import UNKNOWN

    assert UNKNOWN == rpc.UNKNOWN
