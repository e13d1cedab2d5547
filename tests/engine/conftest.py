"""Fixtures of the real-engine tests: the Pulumi CLI, a clean environment, new stacks, and
examples/yaml as a stack.

pytest loads them for every test of this folder (never import this module: pytest rewrites
its asserts); the helpers the tests use live in ``support`` and ``yaml_stacks``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
import yaml
from pulumi import automation as auto

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import INSTALL_TIMEOUT_SECONDS, REQUIRE_CLI_ENV
from .support import (
    INSTALL_CLI,
    PASSPHRASE,
    SCRUBBED_NAMES,
    SCRUBBED_PREFIXES,
    EngineStack,
    PulumiCli,
    StackFactory,
    create_stack,
    stack_config,
)
from .yaml_stacks import EXAMPLE, PLUGIN_DIR, YamlStack, configure_example


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_CLI_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_CLI_ENV}=1: the engine tests must run)")
    pytest.skip(f"{reason}; run scripts/install-pulumi-cli (or set {REQUIRE_CLI_ENV}=1 to fail)")


@pytest.fixture(scope="session")
def pulumi_cli(tmp_path_factory: pytest.TempPathFactory) -> PulumiCli:
    """The Pulumi CLI and our plugin launcher, from scripts/install-pulumi-cli (skip if absent)."""
    try:
        installed = subprocess.run(
            [str(INSTALL_CLI)],
            capture_output=True,
            text=True,
            check=False,
            timeout=INSTALL_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        _unavailable(f"scripts/install-pulumi-cli could not run: {error}")
    lines = installed.stdout.strip().splitlines()
    if installed.returncode != 0 or not lines:
        tail = " / ".join(installed.stderr.strip().splitlines()[-3:])
        _unavailable(f"no Pulumi CLI: scripts/install-pulumi-cli failed: {tail}")
    bin_dir = Path(lines[-1])
    for executable in ("pulumi", "pulumi-resource-pulumi-python"):
        if not os.access(bin_dir / executable, os.X_OK):
            _unavailable(f"no executable {executable} in {bin_dir}")
    # PulumiCommand runs <root>/bin/pulumi; the folder found may have another name than bin.
    root = tmp_path_factory.mktemp("pulumi-cli")
    (root / "bin").symlink_to(bin_dir, target_is_directory=True)
    return PulumiCli(bin_dir=bin_dir, command=auto.PulumiCommand(root=str(root)))


@pytest.fixture(scope="session")
def _engine_environ() -> Iterator[None]:
    """The CLI inherits this process's environment: drop what would let credentials leak in."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(SCRUBBED_PREFIXES) or name in SCRUBBED_NAMES:
                patch.delenv(name)
        yield


@pytest.fixture
def new_stack(
    pulumi_cli: PulumiCli,
    _engine_environ: None,
    emulator: EmulatorServer,
    tmp_path: Path,
) -> StackFactory:
    """Make a stack running a program against the emulator: ``new_stack(fn, credentials=True)``."""
    made = 0

    def make(fn: auto.PulumiFn, *, credentials: bool = True) -> EngineStack:
        nonlocal made
        made += 1
        config = stack_config(emulator, credentials=credentials)
        return create_stack(pulumi_cli, tmp_path / f"stack-{made}", fn, config)

    return make


@pytest.fixture
def yaml_stack(
    pulumi_cli: PulumiCli, emulator: EmulatorServer, tmp_path: Path, _engine_environ: None
) -> Iterator[YamlStack]:
    """examples/yaml as stack `dev`, configured for the emulator's pool-a and pool-b."""
    if not (pulumi_cli.bin_dir / "pulumi-language-yaml").exists():
        pytest.fail("no pulumi-language-yaml beside pulumi: run scripts/install-pulumi-cli")
    project = tmp_path / "project"
    project.mkdir()
    program = yaml.safe_load(EXAMPLE.read_text())
    program["plugins"] = {"providers": [{"name": "genauth", "path": str(PLUGIN_DIR)}]}
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    (tmp_path / "backend").mkdir()
    env = {
        **os.environ,
        "PATH": f"{pulumi_cli.bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_HOME": str(tmp_path / "home"),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    stack = YamlStack(tmp_path, env, pulumi_cli.bin_dir / "pulumi")
    configure_example(stack, emulator)
    yield stack
    shutil.rmtree(tmp_path / "home", ignore_errors=True)
