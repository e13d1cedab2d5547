"""The plugin's launcher runs an isolated Python: nothing of the user's Python setup reaches it.

``scripts/plugin-bundle/pulumi-resource-genauth`` runs ``python3 -I -S lib/boot.py``: ``-I``
ignores every ``PYTHON*`` variable (``PYTHONPATH`` among them) and the user's site-packages,
``-S`` skips the site module, so no ``.pth`` file, ``sitecustomize`` or ``usercustomize`` of
the interpreter runs. The python3 a user has on PATH may be a virtualenv's with anything
installed, and PYTHONPATH anything: were they to reach the plugin, it could import other
versions of its dependencies, or code that is not the plugin's at all.

The proof is a started plugin: python3 on PATH is a virtualenv whose site-packages holds a
``sitecustomize`` and a ``.pth``, HOME has a user site with a ``usercustomize`` and a ``.pth``,
and PYTHONPATH a ``sitecustomize``, a ``usercustomize`` and modules named as standard ones the
plugin imports after lib/boot.py (which ``-S`` alone does not keep out). Each writes a marker
when it runs; the plugin must print its port with no marker written. Here the bundle is
assembled from the checkout (the launcher and boot.py of scripts/plugin-bundle, the tests'
own site-packages as this Python's ``lib/cp3XX``); tests/engine/test_plugin_install.py runs
the same check on the tarball of ``scripts/dist``, installed the Pulumi way.
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path

import pytest

import pulumi_genauth

from .site_hooks import PLUGIN, PLUGIN_BUNDLE, assert_isolated


@pytest.fixture
def checkout_plugin(tmp_path: Path) -> Path:
    """A plugin folder as the tarball lays it out, from the checkout: the launcher and
    lib/boot.py copied from scripts/plugin-bundle, the tests' own site-packages as this
    Python's lib/cp3XX and the package under test in lib/any."""
    folder = tmp_path / "plugin"
    lib = folder / "lib"
    (lib / "any").mkdir(parents=True)
    shutil.copy2(PLUGIN_BUNDLE / PLUGIN, folder / PLUGIN)
    shutil.copy2(PLUGIN_BUNDLE / "boot.py", lib / "boot.py")
    (lib / f"cp3{sys.version_info[1]}").symlink_to(sysconfig.get_paths()["purelib"])
    (lib / "any" / "pulumi_genauth").symlink_to(Path(pulumi_genauth.__file__).parent)
    return folder


def base_python() -> Path:
    """The interpreter the tests' virtualenv was made from (a virtualenv of it is planted)."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return Path(sys.base_prefix) / "bin" / f"python{version}"


@pytest.mark.parametrize("python3", ["virtualenv", "interpreter"])
def test_the_launcher_keeps_python_s_site_hooks_and_pythonpath_from_the_plugin(
    checkout_plugin: Path, tmp_path: Path, python3: str
) -> None:
    """With python3 on PATH a virtualenv (or a plain interpreter), and PYTHONPATH and HOME
    set, all holding start-up hooks (sitecustomize, usercustomize, .pth files, standard
    module names), the plugin prints its port and not one hook ran: Python runs isolated."""
    virtualenv = python3 == "virtualenv"
    assert_isolated(checkout_plugin, base_python(), tmp_path / "hooks", virtualenv=virtualenv)
