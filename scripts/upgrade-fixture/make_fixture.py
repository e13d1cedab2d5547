"""Make the state of a stack deployed by pulumi-genauth 0.1.0 (run by scripts/make-upgrade-fixture).

Runs with 0.1.0 installed (its own virtualenv): starts that version's emulator with the two
pools of the test suite, deploys two EmailProviders through the real engine (a custom SMTP
setting on the default credentials, SendGrid on the `genauth:pools` entry "second"), and
writes the exported state and what the emulator then held. The emulator's URL is replaced by
a placeholder, which the upgrade test fills with its own emulator's.

The secrets in it are the test suite's planted canaries, never real ones.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pulumi
from pulumi import automation as auto

import pulumi_genauth as genauth
from pulumi_genauth.emulator import Pool
from pulumi_genauth.emulator.server import EmulatorServer

URL_PLACEHOLDER = "{{EMULATOR_URL}}"
POOLS = (
    Pool("pool-a", "pool-a-access-key-id", "pool-a-access-key-secret"),
    Pool("pool-b", "pool-b-access-key-id", "pool-b-access-key-secret"),
)
# tests/support.py: the canaries the upgrade test's stack config holds under the same keys.
SMTP_PASSWORD = "canary-smtp-pass-7f3a9c"
SENDGRID_KEY = "canary-sendgrid-key-1b2c3d"


def without_source_positions(resources_of: Any) -> Any:
    """The exported state without the engine's ``sourcePosition`` and ``stackTrace`` metadata,
    which name paths of the machine the fixture was made on (and mean nothing to an upgrade)."""
    if isinstance(resources_of, dict):
        return {
            key: without_source_positions(value)
            for key, value in resources_of.items()
            if key not in ("sourcePosition", "stackTrace")
        }
    if isinstance(resources_of, list):
        return [without_source_positions(item) for item in resources_of]
    return resources_of


def program() -> None:
    config = pulumi.Config()
    genauth.EmailProvider(
        "mail",
        type="custom",
        smtp_config=genauth.SmtpConfigArgs(
            smtp_host="smtp.example.com",
            smtp_port=465,
            sender="no-reply@example.com",
            sender_pass=config.require_secret("customSecret"),
            secure=True,
        ),
    )
    genauth.EmailProvider(
        "second-mail",
        type="sendgrid",
        send_grid_config=genauth.SendGridConfigArgs(
            sender="mail@example.com", apikey=config.require_secret("sendgridSecret")
        ),
        pool="second",
    )


def main(out: Path, cli_root: Path) -> None:
    with EmulatorServer(pools=POOLS) as emulator, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {
            # The engine tests' passphrase: the upgrade test imports this state as it is.
            "PULUMI_CONFIG_PASSPHRASE": "engine-test-passphrase",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_PYTHON_CMD": sys.executable,
            "PULUMI_HOME": str(root / "home"),
        }
        options = auto.LocalWorkspaceOptions(
            work_dir=str(root),
            pulumi_home=str(root / "home"),
            env_vars=env,
            pulumi_command=auto.PulumiCommand(root=str(cli_root)),
            project_settings=auto.ProjectSettings(
                name="genauth-engine",
                runtime="python",
                backend=auto.ProjectBackend(url=f"file://{root}"),
            ),
        )
        stack = auto.create_or_select_stack(
            stack_name="dev", project_name="genauth-engine", program=program, opts=options
        )
        pool_a, pool_b = POOLS
        stack.set_all_config(
            {
                "genauth:host": auto.ConfigValue(emulator.url),
                "genauth:accessKeyId": auto.ConfigValue(pool_a.access_key_id),
                "genauth:accessKeySecret": auto.ConfigValue(pool_a.access_key_secret, True),
                "customSecret": auto.ConfigValue(SMTP_PASSWORD, secret=True),
                "sendgridSecret": auto.ConfigValue(SENDGRID_KEY, secret=True),
            }
        )
        stack.set_all_config(
            {
                "genauth:pools.second.accessKeyId": auto.ConfigValue(pool_b.access_key_id),
                "genauth:pools.second.accessKeySecret": auto.ConfigValue(
                    pool_b.access_key_secret, secret=True
                ),
            },
            path=True,
        )
        stack.up(on_output=print)
        deployment = without_source_positions(stack.export_stack().deployment)
        text = json.dumps(deployment, indent=2, sort_keys=True).replace(
            emulator.url, URL_PLACEHOLDER
        )
        out.mkdir(parents=True, exist_ok=True)
        (out / "deployment.json").write_text(text + "\n")
        stored = {pool.id: emulator.stored(pool.id) for pool in POOLS}
        (out / "stored.json").write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")
        stack.workspace.remove_stack("dev", force=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
