"""The repository's own Pulumi project through the real CLI, our language host and the venv.

This is what `make demo` and a user's `pulumi up` do: a Pulumi.yaml project with
`runtime: python`, its dev stack's committed config (secrets encrypted with the demo
passphrase), run by the `pulumi` binary, not the Automation API.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pulumi
import pytest

import pulumi_genauth as genauth
from pulumi_genauth._models import ConfigEmailProviderInput
from pulumi_genauth.emulator import DEFAULT_POOL
from pulumi_genauth.emulator.server import EmulatorServer

from ..support import config_calls
from .support import EngineStack, PulumiCli, StackFactory

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
DEV_PASSWORD = "dev-smtp-password"  # the dev stack's (public, demo-only) SMTP password


def run(cli: PulumiCli, cwd: Path, env: dict[str, str], *args: str) -> str:
    """Run the pulumi binary; fail the test with its output when it fails."""
    done = subprocess.run(
        [str(cli.bin_dir / "pulumi"), *args, "--non-interactive"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"pulumi {' '.join(args)} failed:\n{output}"
    return output


@pytest.mark.usefixtures("_engine_environ")
def test_the_top_level_project_goes_up_and_down_through_the_cli(
    pulumi_cli: PulumiCli, emulator: EmulatorServer, tmp_path: Path
) -> None:
    """`pulumi up` of Pulumi.yaml configures the pool, a preview is clean, destroy disables."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("__main__.py", "Pulumi.dev.yaml"):
        shutil.copy(ROOT / name, project / name)
    # The copy lives elsewhere, so its virtualenv is the repository's, by absolute path.
    manifest = (ROOT / "Pulumi.yaml").read_text()
    assert "virtualenv: .venv" in manifest
    (project / "Pulumi.yaml").write_text(
        manifest.replace("virtualenv: .venv", f"virtualenv: {ROOT / '.venv'}")
    )
    emulator.add_pool(DEFAULT_POOL)
    env = {
        **os.environ,
        "PATH": f"{pulumi_cli.bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_HOME": str(tmp_path / "home"),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": "genauth-dev",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    (tmp_path / "backend").mkdir()
    run(pulumi_cli, project, env, "stack", "select", "--create", "dev")
    run(pulumi_cli, project, env, "config", "set", "genauth:host", emulator.url)

    up = run(pulumi_cli, project, env, "up", "--yes")
    stored = emulator.stored(DEFAULT_POOL.id)
    assert stored == {
        "type": "custom",
        "enabled": True,
        "smtpConfig": {
            "smtp_host": "smtp.example.com",
            "smtp_port": 465,
            "sender": "no-reply@example.com",
            "senderPass": DEV_PASSWORD,
            "secure": True,
        },
    }

    served = len(emulator.requests())
    preview = run(pulumi_cli, project, env, "preview", "--expect-no-changes")
    assert len(emulator.requests()) == served, "a preview must make no API call"

    outputs = json.loads(run(pulumi_cli, project, env, "stack", "output", "--json"))
    assert outputs["userpoolId"] == DEFAULT_POOL.id
    assert outputs["smtpConfig"] == "[secret]"
    state = run(pulumi_cli, project, env, "stack", "export")

    destroy = run(pulumi_cli, project, env, "destroy", "--yes")
    stored = emulator.stored(DEFAULT_POOL.id)
    assert stored is not None
    assert stored["enabled"] is False
    for text in (up, preview, state, destroy, json.dumps(outputs)):
        assert DEV_PASSWORD not in text
        assert DEFAULT_POOL.access_key_secret not in text


def test_a_resource_with_an_id_reads_the_live_setting(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """ResourceOptions(id=pool) reads the pool's live setting into the stack, secret kept."""
    seed = genauth.GenAuthClient(
        host=emulator.url,
        access_key_id=emulator.pools[0].access_key_id,
        access_key_secret=emulator.pools[0].access_key_secret,
    )
    with seed:
        seed.config_email_provider(
            ConfigEmailProviderInput.model_validate_json(
                json.dumps(
                    {
                        "type": "sendgrid",
                        "enabled": True,
                        "sendGridConfig": {"sender": "live@example.com", "apikey": "live-key"},
                    }
                ),
                strict=True,
                by_name=False,
            )
        )

    def program() -> None:
        mail = genauth.EmailProvider(
            "mail",
            type="sendgrid",
            send_grid_config=genauth.SendGridConfigArgs(sender="x@example.com", apikey="live-key"),
            opts=pulumi.ResourceOptions(id="pool-a"),
        )
        pulumi.export("sender", mail.send_grid_config.apply(lambda c: (c or {}).get("sender")))

    engine: EngineStack = new_stack(program)
    configured_before = len(config_calls(emulator))
    result = engine.up()
    outputs: dict[str, Any] = {key: value.value for key, value in result.outputs.items()}
    assert outputs["sender"] == "live@example.com"
    assert len(config_calls(emulator)) == configured_before, "a read must not configure"
