"""The generated TypeScript and Go SDKs: they match the schema, and they compile.

``scripts/gen-sdk --check`` regenerates both from the native provider's schema into a scratch
folder and compares it with ``sdk/``; then the Go SDK and ``examples/go`` are built with
``go build``, and ``examples/typescript`` (which links ``sdk/nodejs``) is type-checked with
``tsc``, with the versions of its package-lock.json. No Node.js or Go language host is served
here, so these programs are compiled, not run; the YAML example runs (tests/engine/test_native.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Final

import pytest

from .engine.support import REPO

pytestmark = pytest.mark.toolchain

TIMEOUT: Final = 540


def run(command: list[str], cwd: Path) -> str:
    """Run a build step; fail with its output if it fails."""
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} is not on PATH: the SDK checks need Go and Node.js (npm)")
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "GOWORK": "off", "GOFLAGS": "-mod=readonly"},
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_the_checked_in_sdks_are_what_the_schema_generates() -> None:
    """sdk/ is exactly the generator's output for schema.json at the package's version."""
    # gen-sdk tidies the generated Go module, which -mod=readonly would forbid.
    done = subprocess.run(
        [str(REPO / "scripts" / "gen-sdk"), "--check"],
        cwd=REPO,
        env={**os.environ, "GOWORK": "off"},
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-4000:]


def test_the_go_sdk_and_the_go_example_build() -> None:
    """go build of sdk/go/genauth and of examples/go, which uses it."""
    run(["go", "build", "./..."], REPO / "sdk" / "go" / "genauth")
    run(["go", "build", "-o", os.devnull, "."], REPO / "examples" / "go")


def test_the_typescript_example_and_sdk_type_check() -> None:
    """tsc (strict) over examples/typescript and, through its link, sdk/nodejs."""
    example = REPO / "examples" / "typescript"
    run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], example)
    run(["npx", "--no-install", "tsc", "-p", "tsconfig.json"], example)
