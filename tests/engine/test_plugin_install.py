"""The plugin tarball of ``make dist``, installed the Pulumi way, under the real engine.

``scripts/dist plugin`` builds ``pulumi-resource-genauth-v<version>-linux-amd64.tar.gz`` once
per session (about a minute: the locked wheels for three Pythons, their bytecode, gzip); the
tests install it with ``pulumi plugin install resource genauth <version> --file <tarball>``
into a PULUMI_HOME of their own and run it with no virtualenv on PATH: the CLI's folder, then
``/usr/bin:/bin`` (and node's and go's folders for those examples). The plugin then has the
system's python3 and what the tarball holds, and examples/yaml, examples/typescript and
examples/go, with no ``plugins:`` path, find it installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Final

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..site_hooks import assert_isolated
from ..support import REPO, REQUIRE_CLI_ENV
from .programs import example_stack, install_go, install_typescript
from .support import PASSPHRASE, PulumiCli
from .yaml_stacks import EXAMPLE, SUPPORT_SETTING, YamlStack, configure_example, marketing_setting

pytestmark = pytest.mark.engine

VERSION: Final = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
PLUGIN: Final = "pulumi-resource-genauth"
# What PATH holds besides the CLI: the system's commands, no virtualenv, no pyenv shims.
SYSTEM_PATH: Final = "/usr/bin:/bin"
SYSTEM_PYTHON: Final = Path("/usr/bin/python3")
PYTHONS: Final = ("3.11", "3.12", "3.13")
BUILD_TIMEOUT_SECONDS: Final = 540
PATH_WARNING: Final = f"using {PLUGIN} from $PATH"


@pytest.fixture(scope="session")
def plugin_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tarball of ``scripts/dist plugin``, built once for the session."""
    missing = [f"python{version}" for version in PYTHONS if python_of(version) is None]
    if missing:
        reason = f"no {', '.join(missing)}: scripts/dist compiles the plugin's bytecode with each"
        if os.environ.get(REQUIRE_CLI_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_CLI_ENV}=1: the engine tests must run)")
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [str(REPO / "scripts" / "dist"), "plugin"],
        env={**os.environ, "DIST_DIR": str(out), "DIST_WORK": str(out / "work")},
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    if built.returncode != 0:
        pytest.fail(f"scripts/dist plugin failed:\n{built.stdout}\n{built.stderr}")
    tarball = Path(built.stdout.strip().splitlines()[-1])
    assert tarball == out / f"{PLUGIN}-v{VERSION}-linux-amd64.tar.gz"
    return tarball


def install(cli: PulumiCli, tarball: Path, pulumi_home: Path) -> Path:
    """``pulumi plugin install`` the tarball into ``pulumi_home``; the plugin's folder."""
    env = {
        "PATH": f"{cli.bin_dir}{os.pathsep}{SYSTEM_PATH}",
        "HOME": str(pulumi_home.parent),
        "PULUMI_HOME": str(pulumi_home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    command = ["plugin", "install", "resource", "genauth", VERSION, "--file", str(tarball)]
    subprocess.run(
        [str(cli.bin_dir / "pulumi"), *command], env=env, check=True, capture_output=True
    )
    folder = pulumi_home / "plugins" / f"resource-genauth-v{VERSION}"
    assert os.access(folder / PLUGIN, os.X_OK), sorted(folder.iterdir())
    return folder


@pytest.fixture(scope="session")
def installed_plugin(
    pulumi_cli: PulumiCli, plugin_tarball: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The tarball installed once, for the tests that start the plugin by itself."""
    return install(pulumi_cli, plugin_tarball, tmp_path_factory.mktemp("user") / ".pulumi")


def files_under(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``, with its size and modification time."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


def python_of(version: str) -> Path | None:
    """A plain interpreter of ``version`` (pyenv's own, else python3.X on PATH), as
    scripts/dist finds the ones it compiles bytecode with."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(pyenv.glob(f"{version}.*/bin/python{version}"))
    if found:
        return found[-1]
    on_path = shutil.which(f"python{version}")
    return Path(on_path) if on_path else None


@pytest.fixture
def installed_yaml_stack(
    pulumi_cli: PulumiCli,
    plugin_tarball: Path,
    emulator: EmulatorServer,
    tmp_path: Path,
    _engine_environ: None,
) -> YamlStack:
    """examples/yaml as it is (no ``plugins:``), with the tarball installed in its PULUMI_HOME
    and no virtualenv on PATH; HOME is an empty folder of its own."""
    home = tmp_path / "user"
    home.mkdir()
    install(pulumi_cli, plugin_tarball, home / ".pulumi")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "Pulumi.yaml").write_text(EXAMPLE.read_text())
    (tmp_path / "backend").mkdir()
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in {"VIRTUAL_ENV", "PULUMI_GENAUTH_PYTHON", "PYTHONPATH", "PYTHONHOME"}
    }
    env = {
        **inherited,
        "PATH": f"{pulumi_cli.bin_dir}{os.pathsep}{SYSTEM_PATH}",
        "HOME": str(home),
        "PULUMI_HOME": str(home / ".pulumi"),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    stack = YamlStack(tmp_path, env, pulumi_cli.bin_dir / "pulumi")
    configure_example(stack, emulator)
    return stack


def test_the_system_python_is_a_plain_interpreter_of_a_supported_version() -> None:
    """The python3 that /usr/bin gives the plugin below is 3.11 to 3.13 and no virtualenv
    (its own packages, if any, are not the plugin's: the launcher runs it with -I -S)."""
    probe = "import sys; print(sys.version_info[1], sys.prefix == sys.base_prefix)"
    described = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert f"3.{described[0]}" in PYTHONS
    assert described[1] == "True"


def test_the_installed_tarball_runs_the_yaml_example_with_no_virtualenv(
    installed_yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """With the plugin installed and no virtualenv on PATH: no "from $PATH" warning, up sets
    both pools, a second preview has no changes, and nothing was written to HOME or to the
    plugin's folder."""
    home = Path(installed_yaml_stack.env["HOME"])
    plugin_folder = Path(installed_yaml_stack.env["PULUMI_HOME"]) / "plugins"
    plugin_folder /= f"resource-genauth-v{VERSION}"
    before = files_under(plugin_folder)

    up = installed_yaml_stack.run("up", "--yes")

    assert PATH_WARNING not in up.stdout + up.stderr
    assert emulator.stored("pool-a") == marketing_setting()
    assert emulator.stored("pool-b") == SUPPORT_SETTING
    preview = installed_yaml_stack.run("preview", "--expect-no-changes", "--diff")
    assert PATH_WARNING not in preview.stdout + preview.stderr
    assert files_under(plugin_folder) == before
    assert [path.name for path in home.iterdir()] == [".pulumi"]


@pytest.mark.parametrize("version", PYTHONS)
def test_the_installed_plugin_starts_on_each_python_from_its_own_folder(
    installed_plugin: Path, version: str, tmp_path: Path
) -> None:
    """With python3 of 3.11, 3.12 or 3.13 first on PATH, the plugin prints its port with the
    compiled modules of its own lib/cp3XX loaded and none from a site-packages, and writes
    nothing (HOME stays empty, the folder as installed)."""
    python_dir, home = tmp_path / "python", tmp_path / "home"
    python_dir.mkdir()
    home.mkdir()
    python = python_of(version)
    assert python is not None  # else plugin_tarball skipped
    (python_dir / "python3").symlink_to(python)
    before = files_under(installed_plugin)
    env = {"PATH": f"{python_dir}{os.pathsep}{SYSTEM_PATH}", "HOME": str(home)}

    process = subprocess.Popen(
        [str(installed_plugin / PLUGIN), "127.0.0.1:1"], stdout=subprocess.PIPE, env=env
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        maps = Path(f"/proc/{process.pid}/maps").read_text()
    finally:
        process.kill()
        process.communicate()

    assert port.isdigit(), port
    mapped = {line.split()[-1] for line in maps.splitlines() if line.endswith(".so")}
    cp = f"cp{version.replace('.', '')}"
    assert any(path.startswith(f"{installed_plugin}/lib/{cp}/grpc/") for path in mapped), mapped
    assert not [path for path in mapped if "-packages/" in path], mapped
    assert files_under(installed_plugin) == before
    assert list(home.iterdir()) == []


@pytest.mark.parametrize("python3", ["virtualenv", "interpreter"])
def test_the_installed_plugin_keeps_python_s_site_hooks_and_pythonpath_out(
    installed_plugin: Path, tmp_path: Path, python3: str
) -> None:
    """With python3 on PATH a virtualenv of the system's Python (or that Python itself), and
    PYTHONPATH and HOME set, all holding start-up hooks (sitecustomize, usercustomize, .pth
    files, standard module names), the plugin prints its port and not one hook ran: the
    launcher runs Python isolated (tests/test_plugin_launcher.py has the details)."""
    virtualenv = python3 == "virtualenv"
    assert_isolated(installed_plugin, SYSTEM_PYTHON, tmp_path / "hooks", virtualenv=virtualenv)


def test_with_no_python3_the_plugin_says_what_it_needs(installed_plugin: Path) -> None:
    """No python3 on PATH: one line that names the versions and PULUMI_GENAUTH_PYTHON."""
    started = subprocess.run(
        [str(installed_plugin / PLUGIN), "127.0.0.1:1"],
        env={"PATH": str(installed_plugin / "nowhere")},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )

    assert started.returncode == 1
    assert started.stdout == ""
    assert started.stderr == (
        f"{PLUGIN}: needs python3 (3.11, 3.12 or 3.13) on PATH, or the path of one in"
        " PULUMI_GENAUTH_PYTHON; found no python3\n"
    )


@pytest.mark.usefixtures("_engine_environ")
@pytest.mark.parametrize("language", ["typescript", "go"])
def test_the_installed_tarball_runs_the_typescript_and_go_examples(
    language: str,
    pulumi_cli: PulumiCli,
    plugin_tarball: Path,
    emulator: EmulatorServer,
    tmp_path: Path,
) -> None:
    """The same from TypeScript and Go: the example as it is (no ``plugins:``), the plugin
    installed, no virtualenv on PATH; up sets both pools with no "from $PATH" warning, and a
    second preview has no changes."""
    home = tmp_path / "user" / ".pulumi"
    install(pulumi_cli, plugin_tarball, home)
    (tmp_path / "src").mkdir()
    installed = {"typescript": install_typescript, "go": install_go}[language](tmp_path / "src")
    stacks = example_stack(installed, tmp_path, pulumi_cli, emulator, pulumi_home=home)
    stack = next(stacks)
    assert "plugins" not in (stack.folder / "project" / "Pulumi.yaml").read_text()

    up = stack.run("up", "--yes")

    assert PATH_WARNING not in up.stdout + up.stderr
    assert emulator.stored("pool-a") == marketing_setting()
    assert emulator.stored("pool-b") == SUPPORT_SETTING
    preview = stack.run("preview", "--expect-no-changes")
    assert PATH_WARNING not in preview.stdout + preview.stderr
    stacks.close()
