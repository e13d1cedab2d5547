"""The TypeScript and Go examples on the real engine: the harness of test_typescript and test_go.

examples/typescript and examples/go declare what examples/yaml declares (two explicit
providers holding pool-a's and pool-b's keys; a custom SMTP setting in pool-a, a SendGrid one
in pool-b), so a stack of either is test_native's :class:`YamlStack` (the ``pulumi`` CLI run in
a project folder with a backend of its own), and both languages go through the same scenarios:

* :func:`pack_npm` builds the npm package of sdk/nodejs (scripts/pack-npm), once per session;
* :func:`install_typescript` and :func:`install_go` copy an example and install what it
  needs, as a user would (``npm ci`` of the packed tarball; the Go build cache warmed by the
  same ``go build`` the language host runs);
* :func:`example_stack` makes stack ``dev`` of an installed example in a folder of its own,
  configured for the emulator as test_native's stacks are, with the native plugin of the
  Python under test named in ``plugins.providers``; the program runs through the language
  host that scripts/install-pulumi-cli builds;
* :func:`lifecycle` and :func:`plain_secrets` are the scenarios.

Each copy is laid out as in the repository (the project two folders below a root that holds
``dist/`` and ``sdk/``), so that the example's own relative paths hold: package.json's
``file:../../dist/...tgz`` and go.mod's ``replace ... => ../../sdk/go/genauth``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import pytest
import yaml

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import (
    GO_BUILD,
    INSTALL_TIMEOUT_SECONDS,
    REPO,
    SENDGRID_KEY,
    SMTP_PASSWORD,
    pack_npm,
    sdk_client,
)
from .support import CONFIG_EMAIL_PROVIDER, PASSPHRASE, SECRET_SIG, PulumiCli, marked
from .yaml_stacks import (
    PLUGIN_DIR,
    SUPPORT_SETTING,
    YamlStack,
    configure_example,
    marketing_setting,
)

EXAMPLES: Final = REPO / "examples"

ROTATED_PASSWORD: Final = "canary-rotated-smtp-pass-91ab"
DRIFTED_SENDER: Final = "drift@example.com"


def run_step(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    """Run an install or build step; fail the test with its output if it fails (or if its
    command is not on PATH)."""
    if shutil.which(command[0]) is None and not Path(cwd, command[0]).exists():
        pytest.fail(f"{command[0]} is not on PATH: the TypeScript and Go engine tests need it")
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=INSTALL_TIMEOUT_SECONDS,
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


@functools.cache
def _copy_example(language: str, root: Path) -> Path:
    """The example's own files (not its node_modules, not a stack's config) in root/examples/."""
    source, target = EXAMPLES / language, root / "examples" / language
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and not re.fullmatch(r"Pulumi\..+\.yaml", path.name):
            shutil.copy2(path, target / path.name)
    return target


def install_typescript(root: Path) -> Path:
    """examples/typescript with its dependencies installed by ``npm ci`` from its lock: the SDK
    from the tarball that scripts/pack-npm has just built, the rest from the registry."""
    (root / "dist").mkdir()
    shutil.copy2(pack_npm(), root / "dist")
    example = _copy_example("typescript", root)
    run_step(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], example)
    return example


def go_env() -> dict[str, str]:
    """Go as the tests build with: the example's go.mod and go.sum as they are, no workspace."""
    return {**os.environ, "GOWORK": "off", "GOFLAGS": "-mod=readonly"}


def install_go(root: Path) -> Path:
    """examples/go, beside sdk/, with the Go build cache warmed by the language host's build."""
    (root / "sdk").symlink_to(REPO / "sdk", target_is_directory=True)
    example = _copy_example("go", root)
    run_step([*GO_BUILD, "-o", os.devnull, "."], example, go_env())
    return example


def example_stack(
    installed: Path,
    root: Path,
    cli: PulumiCli,
    emulator: EmulatorServer,
    pulumi_home: Path | None = None,
) -> Iterator[YamlStack]:
    """Stack ``dev`` of a copy of the installed example under ``root``, configured as
    test_native's: the emulator's host, pool-a's keys as marketing's, pool-b's as support's,
    the two canary secrets; the plugin named in Pulumi.yaml's ``plugins.providers``.

    With ``pulumi_home`` (where ``pulumi plugin install`` has put the plugin), the project is
    left as it is, with no ``plugins:`` entry, and PATH holds no virtualenv: the CLI's folder,
    node's and go's, and the system's.
    """
    language = installed.name
    host = {"typescript": "pulumi-language-nodejs", "go": "pulumi-language-go"}[language]
    if not (cli.bin_dir / host).exists():
        pytest.fail(f"no {host} beside pulumi: run scripts/install-pulumi-cli")
    project = root / "stack" / "project"
    project.mkdir(parents=True)
    for path in installed.iterdir():
        if path.is_file():
            shutil.copy2(path, project / path.name)
    if (installed / "node_modules").is_dir():
        (project / "node_modules").symlink_to(installed / "node_modules")
    (root / "sdk").symlink_to(REPO / "sdk", target_is_directory=True)
    path = [str(cli.bin_dir), os.environ["PATH"]]
    if pulumi_home is None:
        settings = yaml.safe_load((project / "Pulumi.yaml").read_text())
        settings["plugins"] = {"providers": [{"name": "genauth", "path": str(PLUGIN_DIR)}]}
        (project / "Pulumi.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    else:
        tools = {str(Path(found).parent) for found in map(shutil.which, ("node", "go")) if found}
        path = [str(cli.bin_dir), *sorted(tools), "/usr/bin:/bin"]
    (root / "stack" / "backend").mkdir()
    env = {
        **go_env(),
        "PATH": os.pathsep.join(path),
        "PULUMI_HOME": str(pulumi_home or root / "home"),
        "PULUMI_BACKEND_URL": f"file://{root / 'stack' / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # Plain JSON state files, so that a search for a secret cannot miss it.
        "PULUMI_SELF_MANAGED_STATE_GZIP": "false",
    }
    stack = YamlStack(root / "stack", env, cli.bin_dir / "pulumi")
    configure_example(stack, emulator)
    yield stack
    shutil.rmtree(root / "home", ignore_errors=True)


@pytest.fixture
def stack(
    installed: Path,
    pulumi_cli: PulumiCli,
    emulator: EmulatorServer,
    tmp_path: Path,
    _engine_environ: None,
) -> Iterator[YamlStack]:
    """Stack ``dev`` of the example the test module installed (its ``installed`` fixture),
    configured for the emulator's two pools. Imported by test_typescript and test_go."""
    yield from example_stack(installed, tmp_path, pulumi_cli, emulator)


def replace_once(source: str, old: str, new: str) -> str:
    """``source`` with its one occurrence of ``old`` replaced (fail if the example changed)."""
    assert source.count(old) == 1, f"the example no longer reads {old!r}: update the test"
    return source.replace(old, new)


def _diagnostics_of(text: str, resource: str) -> list[str]:
    """The lines of the last Diagnostics section under ``resource`` (``type (name)``)."""
    diagnostics = text.rsplit("\nDiagnostics:\n", 1)[-1]
    # One block per resource: "  <type> (<name>):", its lines indented further, a blank line.
    for block in diagnostics.split("\n\n"):
        header, _, body = block.strip("\n").partition("\n")
        if header.strip() == f"{resource}:":
            return [line.strip() for line in body.splitlines()]
    raise AssertionError(f"no diagnostics under {resource}:\n{text}")


def lifecycle(stack: YamlStack, emulator: EmulatorServer) -> None:
    """up; a preview with no change and no API call; a rotated secret in preview --diff; an
    API error at up, one line under its resource; drift found by refresh; up repairs both;
    destroy hands both pools back. No secret in the output or in any file of the backend."""
    up = stack.run("up", "--yes")
    assert emulator.stored("pool-a") == marketing_setting()
    assert emulator.stored("pool-b") == SUPPORT_SETTING
    assert "using pulumi-resource-genauth from $PATH" not in up.stdout + up.stderr
    state = stack.resource("marketingMail")
    assert state["outputs"]["userpoolId"] == "pool-a"
    assert SECRET_SIG in json.dumps(state["inputs"]["smtpConfig"]["senderPass"])
    assert SECRET_SIG in json.dumps(state["outputs"]["smtpConfig"]["senderPass"])

    calls = len(emulator.requests())
    stack.run("preview", "--expect-no-changes", "--diff")
    assert len(emulator.requests()) == calls, "a preview made an API call"

    stack.run("config", "set", "--secret", "smtpPassword", ROTATED_PASSWORD)
    preview = stack.run("preview", "--diff").stdout
    assert marked(preview) == ["~ smtpConfig: {", "~ senderPass: [secret] => [secret]"], preview
    assert "1 to update" in preview, preview
    assert "replace" not in preview, preview
    assert len(emulator.requests()) == calls, "a preview made an API call"

    emulator.add_fault(path=CONFIG_EMAIL_PROVIDER, envelope_status=400, times=1)
    failed = stack.run("up", "--yes", check=False)
    text = failed.stdout + failed.stderr
    assert failed.returncode != 0, text
    assert "Traceback" not in text, text
    assert 'File "' not in text, text
    error = _diagnostics_of(text, "genauth:index:EmailProvider (marketingMail)")
    assert len(error) == 1, text
    assert error[0].startswith(f"error: GenAuth API POST {CONFIG_EMAIL_PROVIDER} failed"), text
    assert "requestId" in error[0], text
    assert emulator.stored("pool-a") == marketing_setting()  # nothing half-applied

    answer = sdk_client(emulator, 1).config_email_provider(
        type="sendgrid",
        enabled=True,
        send_grid_config={"sender": DRIFTED_SENDER, "apikey": SENDGRID_KEY},
    )
    assert answer["statusCode"] == 200
    refresh = stack.run("refresh", "--yes", "--skip-preview", "--diff").stdout
    assert marked(refresh) == [
        "~ sendGridConfig: {",
        f'~ sender: "support@example.com" => "{DRIFTED_SENDER}"',
    ], refresh

    stack.run("up", "--yes")
    assert emulator.stored("pool-a") == marketing_setting(ROTATED_PASSWORD)
    assert emulator.stored("pool-b") == SUPPORT_SETTING

    stack.run("destroy", "--yes")
    assert emulator.stored("pool-a") == {**marketing_setting(ROTATED_PASSWORD), "enabled": False}
    assert emulator.stored("pool-b") == {**SUPPORT_SETTING, "enabled": False}
    keys = [pool.access_key_secret for pool in emulator.pools]
    stack.assert_no_secret_leaked(SMTP_PASSWORD, ROTATED_PASSWORD, SENDGRID_KEY, *keys)


def plain_secrets(
    stack: YamlStack, emulator: EmulatorServer, program: str, make_plain: Callable[[str], str]
) -> None:
    """The program passes the password and the API key as plain string literals
    (``make_plain`` turns the example's ``program`` file into one that does, and exports both
    config objects as ``marketingSmtp`` and ``supportSendGrid``): applied as given, yet secret
    in the state, in the stack's outputs and in every file of the backend, and never printed.

    (Literals, not plain stack config: the engine records a run's plain config values in the
    backend's update history, by design.)"""
    source = stack.folder / "project" / program
    source.write_text(make_plain(source.read_text()))

    stack.run("up", "--yes")

    assert emulator.stored("pool-a") == marketing_setting()
    assert emulator.stored("pool-b") == SUPPORT_SETTING
    for name, config, field in [
        ("marketingMail", "smtpConfig", "senderPass"),
        ("supportMail", "sendGridConfig", "apikey"),
    ]:
        state = stack.resource(name)
        assert SECRET_SIG in json.dumps(state["inputs"][config][field]), state
        assert SECRET_SIG in json.dumps(state["outputs"][config][field]), state
    exported = stack_outputs(stack)
    for name in ("marketingSmtp", "supportSendGrid"):
        assert SECRET_SIG in json.dumps(exported[name]), exported
    shown = json.loads(stack.run("stack", "output", "--json").stdout)
    assert shown["marketingSmtp"] == shown["supportSendGrid"] == "[secret]", shown
    stack.assert_no_secret_leaked(SMTP_PASSWORD, SENDGRID_KEY)


def stack_outputs(stack: YamlStack) -> dict[str, Any]:
    """The outputs the program exported, as the state holds them."""
    for resource in stack.state()["deployment"]["resources"]:
        if resource["type"] == "pulumi:pulumi:Stack":
            found: dict[str, Any] = resource.get("outputs", {})
            return found
    raise AssertionError("no stack resource in the state")
