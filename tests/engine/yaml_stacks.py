"""The YAML projects of the native plugin's engine tests: examples/yaml run by the real CLI.

:class:`YamlStack` is a YAML project in a folder of its own with its backend;
:func:`configure_example` gives it the emulator's host and pool-a's and pool-b's keys; the
settings the example stores, and :func:`with_pools`, the example served by one provider's
``pools``. The ``yaml_stack`` fixture that builds one is in this folder's ``conftest.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
import yaml

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import REPO, SENDGRID_KEY, SMTP_PASSWORD

EXAMPLE: Final = REPO / "examples" / "yaml" / "Pulumi.yaml"
PLUGIN_DIR: Final = Path(sys.executable).parent  # its pulumi-resource-genauth
URN_PREFIX: Final = "urn:pulumi:dev::genauth-yaml-example::"


@dataclass
class YamlStack:
    """A YAML project in a folder of its own, with its backend, run by the real CLI."""

    folder: Path
    env: dict[str, str]
    cli: Path
    outputs: list[str] = field(default_factory=list)

    def run(
        self, *args: str, check: bool = True, record: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``pulumi ARGS`` in the project; keep what it printed for the secret search
        (unless ``record`` is false: an export that shows the stack's own secrets on purpose).
        """
        done = subprocess.run(
            [str(self.cli), *args],
            cwd=self.folder / "project",
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if record:
            self.outputs.append(done.stdout + done.stderr)
        if check and done.returncode != 0:
            pytest.fail(f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    @property
    def program_file(self) -> Path:
        return self.folder / "project" / "Pulumi.yaml"

    def program(self) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load(self.program_file.read_text())
        return loaded

    def write_program(self, program: dict[str, Any]) -> None:
        self.program_file.write_text(yaml.safe_dump(program, sort_keys=False))

    def state(self) -> dict[str, Any]:
        exported: dict[str, Any] = json.loads(self.run("stack", "export").stdout)
        return exported

    def revealed_state(self) -> dict[str, Any]:
        """The state with its secrets decrypted: what a secret in it really holds."""
        exported = self.run("stack", "export", "--show-secrets", record=False).stdout
        revealed: dict[str, Any] = json.loads(exported)
        return revealed

    def resource(self, name: str) -> dict[str, Any]:
        for resource in self.state()["deployment"]["resources"]:
            if resource["urn"].endswith(f"::{name}"):
                found: dict[str, Any] = resource
                return found
        raise AssertionError(f"no resource {name} in the state")

    def assert_no_secret_leaked(self, *canaries: str) -> None:
        """No canary in anything the CLI printed or in any file of the backend."""
        for canary in canaries:
            for printed in self.outputs:
                assert canary not in printed
            for path in (self.folder / "backend").rglob("*"):
                if path.is_file():
                    assert canary not in path.read_text(errors="replace"), path


def configure_example(stack: YamlStack, emulator: EmulatorServer) -> None:
    """Stack ``dev`` of an example, with its config: the emulator's host, pool-a's keys as
    marketing's and pool-b's as support's, the two canary secrets (secrets as --secret)."""
    stack.run("stack", "init", "dev")
    marketing, support = emulator.pools
    stack.run(
        "config", "set-all",
        "--plaintext", f"host={emulator.url}",
        "--plaintext", f"marketingKeyId={marketing.access_key_id}",
        "--secret", f"marketingKeySecret={marketing.access_key_secret}",
        "--plaintext", f"supportKeyId={support.access_key_id}",
        "--secret", f"supportKeySecret={support.access_key_secret}",
        "--secret", f"smtpPassword={SMTP_PASSWORD}",
        "--secret", f"sendgridKey={SENDGRID_KEY}",
    )  # fmt: skip


def marketing_setting(password: str = SMTP_PASSWORD) -> dict[str, Any]:
    """What the example's marketingMail stores in pool-a (spelled as the API spells it)."""
    return {
        "type": "custom",
        "enabled": True,
        "smtpConfig": {
            "smtp_host": "smtp.example.com",
            "smtp_port": 465,
            "sender": "marketing@example.com",
            "senderPass": password,
            "secure": True,
        },
    }


SUPPORT_SETTING: Final = {
    "type": "sendgrid",
    "enabled": True,
    "sendGridConfig": {"sender": "support@example.com", "apikey": SENDGRID_KEY},
}


KEY_SECRETS: Final = ("pool-a-access-key-secret", "pool-b-access-key-secret")


def with_pools(program: dict[str, Any], provider: dict[str, Any] | None) -> dict[str, Any]:
    """examples/yaml with its two providers replaced by ``provider`` (None: the default one),
    each resource naming its pool entry."""
    resources = {
        name: resource
        for name, resource in program["resources"].items()
        if resource["type"] != "pulumi:providers:genauth"
    }
    for name, entry in (("marketingMail", "marketing"), ("supportMail", "support")):
        resources[name]["properties"]["pool"] = entry
        del resources[name]["options"]
        if provider is not None:
            resources[name]["options"] = {"provider": "${all}"}
    if provider is not None:
        resources = {"all": provider, **resources}
    return {**program, "resources": resources}


def all_pools_provider() -> dict[str, Any]:
    """One explicit provider holding marketing's and support's keys (its ``pools``), from the
    stack config of :func:`configure_example`."""
    return {
        "type": "pulumi:providers:genauth",
        "properties": {
            "host": "${host}",
            "pools": {
                "marketing": {
                    "accessKeyId": "${marketingKeyId}",
                    "accessKeySecret": "${marketingKeySecret}",
                },
                "support": {
                    "accessKeyId": "${supportKeyId}",
                    "accessKeySecret": "${supportKeySecret}",
                },
            },
        },
    }
