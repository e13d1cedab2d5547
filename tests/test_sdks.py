"""The generated TypeScript and Go SDKs: they match the schema, they build, and so do the examples.

``scripts/gen-sdk --check`` regenerates both from the native provider's schema into a scratch
folder and compares it with ``sdk/``. The Go SDK and ``examples/go`` are built with ``go build``
(with the flags our Go language host builds programs with, so that the build cache serves both);
``scripts/pack-npm`` compiles ``sdk/nodejs`` (``tsc``, strict, declarations on) into the npm
package, and ``examples/typescript`` installs that tarball (``npm ci``, with the versions of its
package-lock.json) and is type-checked with ``tsc`` against it. Both examples also *run* on the
real engine, through our Node.js and Go language hosts: tests/engine/test_typescript.py and
tests/engine/test_go.py (the YAML example: tests/engine/test_native.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Final

import pytest

from .support import GO_BUILD, REPO, pack_npm

pytestmark = pytest.mark.toolchain

TIMEOUT: Final = 540
VERSION: Final = re.search(
    r'^version = "(.+)"$', (REPO / "pyproject.toml").read_text(), re.MULTILINE
)
GO_SDK: Final = "github.com/pulumi-genauth/pulumi-genauth/sdk/go/genauth"


def package_version() -> str:
    """The package's version (pyproject.toml), which every SDK and example carries."""
    assert VERSION is not None, "no version in pyproject.toml"
    return VERSION.group(1)


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


def test_the_examples_use_the_sdks_at_the_package_s_version() -> None:
    """examples/typescript installs the tarball of this version; examples/go requires this
    version of the Go SDK (and replaces it by sdk/go/genauth only in this checkout)."""
    version = package_version()
    example = json.loads((REPO / "examples" / "typescript" / "package.json").read_text())
    tarball = f"file:../../dist/pulumi-genauth-genauth-{version}.tgz"
    assert example["dependencies"]["@pulumi-genauth/genauth"] == tarball
    go_mod = (REPO / "examples" / "go" / "go.mod").read_text()
    assert f"\t{GO_SDK} v{version}\n" in go_mod
    assert f"replace {GO_SDK} => ../../sdk/go/genauth\n" in go_mod


def test_the_go_sdk_and_the_go_example_build() -> None:
    """go build of sdk/go/genauth and of examples/go, which uses it."""
    run([*GO_BUILD, "./..."], REPO / "sdk" / "go" / "genauth")
    run([*GO_BUILD, "-o", os.devnull, "."], REPO / "examples" / "go")


def test_the_npm_package_is_compiled_with_its_declarations() -> None:
    """scripts/pack-npm: a tarball of JavaScript and declarations, its package.json pointing at
    them, with the package's version and the plugin it needs (the `pulumi` block)."""
    version = package_version()
    tarball = pack_npm()
    assert tarball == REPO / "dist" / f"pulumi-genauth-genauth-{version}.tgz"
    with tarfile.open(tarball) as packed:
        names = set(packed.getnames())
        manifest = packed.extractfile("package/package.json")
        assert manifest is not None
        package = json.load(manifest)
    assert {"package/index.js", "package/index.d.ts", "package/emailProvider.d.ts"} <= names
    sources = [n for n in names if n.endswith(".map") or n.endswith(".ts") != n.endswith(".d.ts")]
    assert not sources, sources  # no TypeScript source, no source map pointing at one
    assert package["main"] == "index.js"
    assert package["types"] == "index.d.ts"
    assert package["version"] == version
    plugin = package["pulumi"]
    assert (plugin["resource"], plugin["name"], plugin["version"]) == (True, "genauth", version)
    assert "devDependencies" not in package


def test_the_typescript_example_type_checks_against_the_npm_package() -> None:
    """npm ci of examples/typescript (the packed SDK included), then tsc (strict) over it."""
    pack_npm()
    example = REPO / "examples" / "typescript"
    run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], example)
    run(["npx", "--no-install", "tsc", "-p", "tsconfig.json"], example)
