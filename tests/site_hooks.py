"""Start-up hooks planted wherever a Python that is not isolated reads, and the plugin
started beside them: the check that the plugin's launcher runs an isolated Python.

tests/test_plugin_launcher.py runs it on a bundle assembled from the checkout,
tests/engine/test_plugin_install.py on the tarball of ``scripts/dist``, installed the Pulumi way.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parents[1]
PLUGIN_BUNDLE: Final = REPO / "scripts" / "plugin-bundle"
PLUGIN: Final = "pulumi-resource-genauth"
# The system's commands, no virtualenv: what PATH holds after the planted python3.
SYSTEM_PATH: Final = "/usr/bin:/bin"
# Standard modules the plugin imports after lib/boot.py has put its folders first (argparse
# reads its arguments; enum, under re, grpc and asyncio): found on PYTHONPATH, were it read.
SHADOWED: Final = ("argparse", "enum")
EXIT_TIMEOUT_SECONDS: Final = 30  # for the killed plugin to end


@dataclass(frozen=True)
class SiteHooks:
    """Start-up hooks in every place a Python that is not isolated reads, each writing a
    marker named for itself when it runs."""

    env: dict[str, str]
    """PATH (the planted python3 first), PYTHONPATH and HOME, each with hooks."""
    markers: Path

    def reached(self) -> list[str]:
        """The hooks that ran, as "<where>: <file>"."""
        return sorted(path.name for path in self.markers.iterdir())


def plant_site_hooks(folder: Path, python: Path, *, virtualenv: bool) -> SiteHooks:
    """Under ``folder``: python3 (a virtualenv of ``python``, or ``python`` itself), a
    PYTHONPATH folder and a HOME, holding hooks that write their markers in ``folder/markers``.

    A virtualenv's python3 reads its own site-packages (which gets hooks) and never a user
    site; the interpreter itself reads the user site of HOME (which gets hooks) and its own
    site-packages (which the test leaves alone).
    """
    markers = folder / "markers"
    markers.mkdir(parents=True)
    bin_dir = folder / "venv" / "bin"
    if virtualenv:
        subprocess.run(
            [str(python), "-m", "venv", "--without-pip", str(bin_dir.parent)], check=True
        )
    else:
        bin_dir.mkdir(parents=True)
        (bin_dir / "python3").symlink_to(python)
    version = subprocess.run(
        [str(bin_dir / "python3"), "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    home, python_path = folder / "home", folder / "pythonpath"
    site_packages = Path("lib") / f"python{version}" / "site-packages"
    planted = [
        ("PYTHONPATH", python_path, ["sitecustomize.py", "usercustomize.py",
                                     *(f"{module}.py" for module in SHADOWED)]),
        ("user site", home / ".local" / site_packages, ["usercustomize.py", "hooks.pth"]),
    ]  # fmt: skip
    if virtualenv:
        planted.append(
            ("virtualenv", bin_dir.parent / site_packages, ["sitecustomize.py", "hooks.pth"])
        )
    for where, place, names in planted:
        place.mkdir(parents=True, exist_ok=True)
        for name in names:
            marker = markers / f"{where}: {name}"
            # A .pth runs a line that starts with "import"; a module runs all of it.
            (place / name).write_text(f"import io; io.open({str(marker)!r}, 'w').close()\n")
    return SiteHooks(
        env={
            "PATH": f"{bin_dir}{os.pathsep}{SYSTEM_PATH}",
            "PYTHONPATH": str(python_path),
            "HOME": str(home),
        },
        markers=markers,
    )


def start_plugin(executable: Path, env: dict[str, str]) -> str:
    """Start the plugin as the engine does and stop it at once: the line it printed first
    (its port), or "" if it ended without one."""
    process = subprocess.Popen(
        [str(executable), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        return process.stdout.readline().strip()
    finally:
        process.kill()
        process.communicate(timeout=EXIT_TIMEOUT_SECONDS)


def assert_isolated(plugin_folder: Path, python: Path, scratch: Path, *, virtualenv: bool) -> None:
    """The plugin in ``plugin_folder``, started with python3 a virtualenv of ``python`` (or
    ``python`` itself), prints its port, and no hook of that python3, of HOME or of PYTHONPATH
    ran."""
    hooks = plant_site_hooks(scratch, python, virtualenv=virtualenv)

    port = start_plugin(plugin_folder / PLUGIN, hooks.env)

    assert hooks.reached() == []
    assert port.isdigit(), port
