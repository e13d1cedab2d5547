"""Upgrades show no changes: a stack deployed by pulumi-genauth 0.1.0, under this version.

``tests/fixtures/upgrade-0.1.0/`` holds the state of a stack that 0.1.0 deployed (made by
``scripts/make-upgrade-fixture`` from the 0.1.0 release) and what its emulator then held. This
test imports that state into a stack of the real engine, puts the same settings on this run's
emulator, and holds the current code to the promise every provider makes: the same program
previews with no changes and no API call, and the stack refreshes and destroys.

0.3.0 wrote each resource's bookkeeping (``applied_setting``, ``appliedSetting``: a copy of the
config's fields) in plain text, whatever the program made secret. Its state is made here from
one this version wrote, with that one output in plain text and not listed as a secret output,
as 0.3.0 left it; the next ``up`` (and, for the native plugin, ``refresh``) rewrites it secret.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import pytest
from pulumi import automation as auto

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import sdk_client
from .support import (
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    is_secret,
    program,
    set_pool_entry,
)
from .yaml_stacks import YamlStack

pytestmark = pytest.mark.engine

FIXTURE: Final = Path(__file__).parents[1] / "fixtures" / "upgrade-0.1.0"
URL_PLACEHOLDER: Final = "{{EMULATOR_URL}}"
# The program 0.1.0 deployed (scripts/upgrade-fixture/make_fixture.py), declared today.
MAILS: Final = (Mail.of("custom"), Mail.of("sendgrid", name="second-mail", pool="second"))
# The bookkeeping output of each front end (what a delete compares).
APPLIED: Final = "applied_setting"
NATIVE_APPLIED: Final = "appliedSetting"


def restore_settings(emulator: EmulatorServer) -> None:
    """Put on this emulator what 0.1.0's emulator held, through the official SDK."""
    stored: dict[str, Any] = json.loads((FIXTURE / "stored.json").read_text())
    for index, pool in enumerate(emulator.pools):
        setting = stored[pool.id]
        wire = {key: value for key, value in setting.items() if key.endswith("Config")}
        (name,) = wire  # one config per setting
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
        answer = sdk_client(emulator, index).config_email_provider(
            type=setting["type"], enabled=setting["enabled"], **{snake: wire[name]}
        )
        assert answer["statusCode"] == 200, answer["message"]
        assert emulator.stored(pool.id) == setting


def test_a_stack_deployed_by_0_1_0_previews_clean_refreshes_and_destroys(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """No change at preview (and no API call); refresh and destroy work as the README says."""
    engine = new_stack(program(*MAILS))
    set_pool_entry(engine, "second", emulator.pools[1])
    deployment = json.loads(
        (FIXTURE / "deployment.json").read_text().replace(URL_PLACEHOLDER, emulator.url)
    )
    # Its secrets are in plain text (an export with --show-secrets); its secrets provider is
    # the passphrase one with the engine tests' passphrase, which encrypts them on import.
    engine.stack.import_stack(auto.Deployment(version=3, deployment=deployment))
    restore_settings(emulator)
    before = len(emulator.requests())

    preview = engine.preview()

    assert changes(preview.change_summary) == {"same": 3}, engine.text
    assert len(emulator.requests()) == before

    engine.refresh()
    assert changes(engine.preview().change_summary) == {"same": 3}
    destroy = engine.destroy()

    assert changes(destroy.summary.resource_changes) == {"delete": 3}
    for pool, mail in zip(emulator.pools, MAILS, strict=True):
        assert emulator.stored(pool.id) == {**mail.expected(), "enabled": False}
    assert_no_secret_leaked(engine)


# -- 0.3.0 wrote the bookkeeping in plain text ----------------------------------------------------


def as_written_by_0_3_0(deployment: dict[str, Any], key: str) -> dict[str, Any]:
    """``deployment`` (exported with its secrets shown) as 0.3.0 wrote it: each EmailProvider's
    bookkeeping ``key`` in plain text, and no request to the engine to keep it secret."""
    for resource in deployment["resources"]:
        if not resource["type"].endswith(":EmailProvider"):
            continue
        applied = resource["outputs"][key]
        assert is_secret(applied), "the bookkeeping was not secret to begin with"
        resource["outputs"][key] = json.loads(applied["plaintext"])
        resource["additionalSecretOutputs"] = [
            name for name in resource.get("additionalSecretOutputs", []) if name != key
        ]
    return deployment


def test_the_plain_bookkeeping_of_a_0_3_0_dynamic_stack_is_rewritten_secret_by_the_next_up(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """A stack whose applied_setting 0.3.0 wrote in plain text previews with no change, and the
    next `up` (no change, no API call) rewrites it secret in the stack's own file."""
    engine = new_stack(program(Mail.of("custom")))
    engine.up()
    plain = as_written_by_0_3_0(engine.deployment(), APPLIED)
    engine.stack.import_stack(auto.Deployment(version=3, deployment=plain))
    assert not is_secret(engine.resource()["outputs"][APPLIED])
    before = len(emulator.requests())

    up = engine.up()

    assert changes(up.summary.resource_changes) == {"same": 2}
    assert len(emulator.requests()) == before
    assert is_secret(engine.resource()["outputs"][APPLIED])
    assert_bookkeeping_secret_in_checkpoint(engine.folders[0], APPLIED)


def test_the_plain_bookkeeping_of_a_0_3_0_native_stack_is_rewritten_secret_by_up_and_refresh(
    yaml_stack: YamlStack, emulator: EmulatorServer, tmp_path: Path
) -> None:
    """The YAML example's state with appliedSetting in plain text (as 0.3.0 wrote it): the
    next `up` (no change, no API call) rewrites it secret; so does the next `refresh`."""
    yaml_stack.run("up", "--yes")
    for rewrite in (("up", "--yes"), ("refresh", "--yes")):
        plain = as_written_by_0_3_0(yaml_stack.revealed_state()["deployment"], NATIVE_APPLIED)
        exported = tmp_path / "plain.json"
        exported.write_text(json.dumps({"version": 3, "deployment": plain}))
        yaml_stack.run("stack", "import", "--file", str(exported), record=False)
        exported.unlink()
        assert not is_secret(yaml_stack.resource("marketingMail")["outputs"][NATIVE_APPLIED])
        before = len(emulator.requests())

        yaml_stack.run(*rewrite)

        if rewrite[0] == "up":
            assert len(emulator.requests()) == before
        for name in ("marketingMail", "supportMail"):
            outputs = yaml_stack.resource(name)["outputs"]
            assert is_secret(outputs[NATIVE_APPLIED]), (rewrite, name)
        assert_bookkeeping_secret_in_checkpoint(yaml_stack.folder / "backend", NATIVE_APPLIED)


def assert_bookkeeping_secret_in_checkpoint(backend: Path, key: str) -> None:
    """The stack's current checkpoint file (not its history) holds ``key`` only as a secret."""
    (checkpoint,) = (
        path for path in (backend / ".pulumi" / "stacks").rglob("*.json") if path.is_file()
    )
    resources = json.loads(checkpoint.read_text())["checkpoint"]["latest"]["resources"]
    bookkeeping = [r["outputs"][key] for r in resources if r["type"].endswith(":EmailProvider")]
    assert bookkeeping, "no EmailProvider in the checkpoint"
    assert all(is_secret(value) for value in bookkeeping), checkpoint
