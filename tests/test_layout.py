"""The tree shows one core and two front ends, and the imports keep it so.

The core (the rules, the wire contract, the client, credentials, the lifecycle) imports
neither front end: not the dynamic resource (``_resource``, ``_provider``) and not the native
plugin (``native/``). Each front end may import the core; the two never import each other.
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
# The package's own modules that belong to no front end (the emulator is a tool of its own).
CORE: Final = sorted(
    path.stem
    for path in PACKAGE.glob("_*.py")
    if path.stem not in DYNAMIC and path.stem != "__init__"
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
