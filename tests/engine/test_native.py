"""The native provider plugin (``pulumi-resource-genauth``) under the real engine, from YAML.

Each test writes a YAML project (examples/yaml itself, or a variant of it), runs the real
``pulumi`` CLI with the YAML language host that scripts/install-pulumi-cli builds, and points
``plugins.providers`` at the ``pulumi-resource-genauth`` of the Python under test. Two explicit
providers hold the keys of the emulator's pool-a and pool-b.
"""

from __future__ import annotations

import json
import re
from typing import Final

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import SENDGRID_KEY, SMTP_PASSWORD, config_calls, sdk_client
from .support import CONFIG_EMAIL_PROVIDER, SECRET_SIG, marked
from .yaml_stacks import (
    SUPPORT_SETTING,
    URN_PREFIX,
    YamlStack,
    marketing_setting,
)

pytestmark = pytest.mark.engine

TRACEBACK: Final = "Traceback"
ROTATED_PASSWORD: Final = "canary-rotated-smtp-pass-4c1d"
PLANTED_KEY: Final = "SG.planted-native-key-8e2f"


def test_the_yaml_example_configures_two_pools_then_shows_no_changes(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """up sets each pool through its own provider; a second preview has nothing to do."""
    up = yaml_stack.run("up", "--yes")

    assert emulator.stored("pool-a") == marketing_setting()
    assert emulator.stored("pool-b") == SUPPORT_SETTING
    assert "using pulumi-resource-genauth from $PATH" not in up.stdout + up.stderr
    calls = len(emulator.requests())
    yaml_stack.run("preview", "--expect-no-changes", "--diff")
    assert len(emulator.requests()) == calls  # a preview makes no API call
    state = yaml_stack.resource("marketingMail")
    assert state["outputs"]["userpoolId"] == "pool-a"
    assert SECRET_SIG in json.dumps(state["outputs"]["smtpConfig"]["senderPass"])
    assert SECRET_SIG in json.dumps(state["inputs"]["smtpConfig"]["senderPass"])
    yaml_stack.assert_no_secret_leaked(SMTP_PASSWORD, SENDGRID_KEY)


def test_a_rotated_secret_previews_as_its_field_and_updates_in_place(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """--diff names smtpConfig.senderPass as [secret] changed; up updates, never replaces."""
    yaml_stack.run("up", "--yes")
    yaml_stack.run("config", "set", "--secret", "smtpPassword", ROTATED_PASSWORD)

    preview = yaml_stack.run("preview", "--diff").stdout

    assert marked(preview) == ["~ smtpConfig: {", "~ senderPass: [secret] => [secret]"], preview
    assert "1 to update" in preview
    assert "replace" not in preview
    yaml_stack.run("up", "--yes")
    assert emulator.stored("pool-a") == marketing_setting(ROTATED_PASSWORD)
    yaml_stack.assert_no_secret_leaked(SMTP_PASSWORD, ROTATED_PASSWORD, SENDGRID_KEY)


def test_a_type_switch_is_an_update_of_the_type_and_both_configs(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """From sendgrid to ali: --diff shows type, the config removed and the one added."""
    yaml_stack.run("up", "--yes")
    program = yaml_stack.program()
    program["resources"]["supportMail"]["properties"] = {
        "type": "ali",
        "aliExmailConfig": {"sender": "support@example.com", "senderPass": "${smtpPassword}"},
    }
    yaml_stack.write_program(program)

    preview = yaml_stack.run("preview", "--diff").stdout

    assert re.search(r'~ type\s*: "sendgrid" => "ali"', preview), preview
    assert "- sendGridConfig" in preview
    assert "+ aliExmailConfig" in preview
    yaml_stack.run("up", "--yes")
    assert emulator.stored("pool-b") == {
        "type": "ali",
        "enabled": True,
        "aliExmailConfig": {"sender": "support@example.com", "senderPass": SMTP_PASSWORD},
    }
    yaml_stack.assert_no_secret_leaked(SMTP_PASSWORD, SENDGRID_KEY)


def test_refresh_shows_drift_without_the_planted_secret_and_up_repairs_it(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """A key changed out of band: refresh reads the drift, keeps no planted secret; up restores."""
    yaml_stack.run("up", "--yes")
    answer = sdk_client(emulator, 1).config_email_provider(
        type="sendgrid",
        enabled=True,
        send_grid_config={"sender": "support@example.com", "apikey": PLANTED_KEY},
    )
    assert answer["statusCode"] == 200

    yaml_stack.run("refresh", "--yes")
    refreshed = yaml_stack.resource("supportMail")
    assert refreshed["outputs"]["sendGridConfig"]["apikey"] is None or SECRET_SIG in json.dumps(
        refreshed["outputs"]["sendGridConfig"]["apikey"]
    )
    # Not even encrypted: the key read from the service is not kept (it reads as unset).
    assert PLANTED_KEY not in json.dumps(yaml_stack.revealed_state())
    preview = yaml_stack.run("preview", "--diff").stdout
    assert "1 to update" in preview
    yaml_stack.run("up", "--yes")

    assert emulator.stored("pool-b") == SUPPORT_SETTING
    yaml_stack.run("preview", "--expect-no-changes")
    yaml_stack.assert_no_secret_leaked(PLANTED_KEY, SENDGRID_KEY, SMTP_PASSWORD)


def test_destroy_hands_both_pools_back(yaml_stack: YamlStack, emulator: EmulatorServer) -> None:
    """destroy sends each setting back disabled, each through its own pool's keys."""
    yaml_stack.run("up", "--yes")

    yaml_stack.run("destroy", "--yes")

    assert emulator.stored("pool-a") == {**marketing_setting(), "enabled": False}
    assert emulator.stored("pool-b") == {**SUPPORT_SETTING, "enabled": False}


def test_import_adopts_the_live_setting_with_its_secret_unknown(yaml_stack: YamlStack) -> None:
    """pulumi import of pool-b through its provider: the live setting, the key never read."""
    yaml_stack.run("up", "--yes")
    yaml_stack.run(
        "state", "delete", f"{URN_PREFIX}genauth:index:EmailProvider::supportMail", "--yes"
    )
    provider = f"{URN_PREFIX}pulumi:providers:genauth::support"

    yaml_stack.run(
        "import", "genauth:index:EmailProvider", "adopted", "pool-b",
        "--provider", f"support={provider}", "--yes", "--generate-code=false",
    )  # fmt: skip

    adopted = yaml_stack.resource("adopted")
    assert adopted["id"] == "pool-b"
    assert adopted["inputs"]["type"] == "sendgrid"
    assert adopted["inputs"]["sendGridConfig"]["sender"] == "support@example.com"
    assert SECRET_SIG in json.dumps(adopted["inputs"]["sendGridConfig"]["apikey"])
    # The live key was never read into the state, not even encrypted.
    assert SENDGRID_KEY not in json.dumps(yaml_stack.revealed_state())
    # The bookkeeping is secret as a whole (see _fields.APPLIED_KEY): read it decrypted.
    assert SECRET_SIG in json.dumps(adopted["outputs"]["appliedSetting"])
    revealed = next(
        resource
        for resource in yaml_stack.revealed_state()["deployment"]["resources"]
        if resource["urn"].endswith("::adopted")
    )
    assert json.loads(revealed["outputs"]["appliedSetting"]["plaintext"]) == {
        "type": "sendgrid",
        "sendGridConfig": {"sender": "support@example.com"},
    }
    yaml_stack.assert_no_secret_leaked(SENDGRID_KEY, SMTP_PASSWORD)


def test_a_bad_port_fails_preview_naming_the_field_with_no_api_call(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """smtpPort 70000: one line that names smtpConfig.smtpPort and the rule; nothing sent."""
    program = yaml_stack.program()
    program["resources"]["marketingMail"]["properties"]["smtpConfig"]["smtpPort"] = 70000
    yaml_stack.write_program(program)

    preview = yaml_stack.run("preview", check=False)

    assert preview.returncode != 0
    text = preview.stdout + preview.stderr
    assert "smtpConfig.smtpPort must be a port number from 1 to 65535 (got 70000)" in text
    assert TRACEBACK not in text
    assert emulator.requests() == []


def test_an_api_error_is_one_line_under_the_resource(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """A refused config call: one error line with the requestId, no traceback, no secret."""
    emulator.add_fault(path=CONFIG_EMAIL_PROVIDER, envelope_status=400, times=2)

    up = yaml_stack.run("up", "--yes", check=False)

    text = up.stdout + up.stderr
    assert up.returncode != 0
    assert TRACEBACK not in text
    assert 'File "' not in text
    errors = [line for line in text.splitlines() if f"{CONFIG_EMAIL_PROVIDER} failed" in line]
    assert errors, text
    assert "requestId" in errors[0]
    # The diagnostics come in one block per resource: "  <type> (<name>):" and its lines.
    blocks = re.split(r"\n  (?=\S)", text.split("Diagnostics:", 1)[1])
    mine = [b for b in blocks if b.startswith("genauth:index:EmailProvider (")]
    assert any(f"{CONFIG_EMAIL_PROVIDER} failed" in block for block in mine), text
    yaml_stack.assert_no_secret_leaked(SMTP_PASSWORD, SENDGRID_KEY)


def test_the_takeover_warning_shows_under_the_resource(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """A live setting in pool-b is overwritten with a warning in supportMail's diagnostics."""
    answer = sdk_client(emulator, 1).config_email_provider(
        type="sendgrid",
        enabled=True,
        send_grid_config={"sender": "other@example.com", "apikey": PLANTED_KEY},
    )
    assert answer["statusCode"] == 200

    text = yaml_stack.run("up", "--yes").stdout

    diagnostics = text.split("Diagnostics:", 1)[1]
    section = diagnostics.split("genauth:index:EmailProvider (supportMail):", 1)[1]
    assert "user pool pool-b already sends mail through a third-party provider" in section
    assert len(config_calls(emulator)) == 3  # the planted one, then one per pool
    yaml_stack.assert_no_secret_leaked(PLANTED_KEY)


def plant_support_key(emulator: EmulatorServer, sender: str = "support@example.com") -> None:
    """Set pool-b's SendGrid setting out of band, with a key this stack never held."""
    answer = sdk_client(emulator, 1).config_email_provider(
        type="sendgrid", enabled=True, send_grid_config={"sender": sender, "apikey": PLANTED_KEY}
    )
    assert answer["statusCode"] == 200


def test_refresh_and_the_next_preview_name_a_drifted_key_alone(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """Only the key changed out of band: refresh and preview name apikey, as [secret] => [secret];
    nothing else (no `enabled: true => true`, no config removed and added again)."""
    yaml_stack.run("up", "--yes")
    plant_support_key(emulator)
    apikey = ["~ sendGridConfig: {", "~ apikey: [secret] => [secret]"]

    refresh = yaml_stack.run("refresh", "--yes", "--skip-preview", "--diff").stdout
    assert marked(refresh) == apikey, refresh
    preview = yaml_stack.run("preview", "--diff").stdout
    assert marked(preview) == apikey, preview
    up = yaml_stack.run("up", "--yes").stdout
    assert "[diff: ~sendGridConfig]" in up, up

    assert emulator.stored("pool-b") == SUPPORT_SETTING
    yaml_stack.run("preview", "--expect-no-changes")
    yaml_stack.assert_no_secret_leaked(PLANTED_KEY, SENDGRID_KEY, SMTP_PASSWORD)


def test_refresh_names_a_drifted_visible_field_with_its_values(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """The sender changed out of band (with another key): both fields, nothing else."""
    yaml_stack.run("up", "--yes")
    plant_support_key(emulator, sender="drift@example.com")

    refresh = yaml_stack.run("refresh", "--yes", "--skip-preview", "--diff").stdout
    assert marked(refresh) == [
        "~ sendGridConfig: {",
        "~ apikey: [secret] => [secret]",
        '~ sender: "support@example.com" => "drift@example.com"',
    ], refresh
    preview = yaml_stack.run("preview", "--diff").stdout
    assert marked(preview) == [
        "~ sendGridConfig: {",
        "~ apikey: [secret] => [secret]",
        '~ sender: "drift@example.com" => "support@example.com"',
    ], preview
    yaml_stack.assert_no_secret_leaked(PLANTED_KEY, SENDGRID_KEY, SMTP_PASSWORD)


def test_import_on_a_fresh_stack_previews_only_the_unread_secret(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """The README's steps on a new stack: `up --target` the provider, import; no "bug in the
    provider" warning; the first preview names the key alone; up lifts the import's protect."""
    program = yaml_stack.program()
    for name in ("marketing", "marketingMail"):
        del program["resources"][name]
    del program["outputs"]
    yaml_stack.write_program(program)
    plant_support_key(emulator, sender="support@example.com")
    provider = f"{URN_PREFIX}pulumi:providers:genauth::support"

    yaml_stack.run("up", "--yes", "--target", provider)
    imported = yaml_stack.run(
        "import", "genauth:index:EmailProvider", "supportMail", "pool-b",
        "--provider", f"support={provider}", "--yes", "--generate-code=false",
    )  # fmt: skip

    text = imported.stdout + imported.stderr
    assert "failed to validate" not in text, text
    assert "bug in the" not in text, text
    assert yaml_stack.resource("supportMail")["protect"] is True
    preview = yaml_stack.run("preview", "--diff").stdout
    assert marked(preview) == ["~ sendGridConfig: {", "~ apikey: [secret] => [secret]"], preview
    yaml_stack.run("up", "--yes")
    assert emulator.stored("pool-b") == SUPPORT_SETTING
    assert not yaml_stack.resource("supportMail").get("protect", False)
    yaml_stack.run("preview", "--expect-no-changes")
    yaml_stack.assert_no_secret_leaked(PLANTED_KEY, SENDGRID_KEY, SMTP_PASSWORD)


def test_a_retry_shows_on_the_resource_s_line_naming_the_host_and_is_not_kept(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """A 503 answered once: the retry line is on the resource's row, naming the host; the
    summary's Diagnostics (the run succeeded) holds no retry."""
    emulator.add_fault(path=CONFIG_EMAIL_PROVIDER, status=503, times=1)

    up = yaml_stack.run("up", "--yes").stdout

    retried = [line for line in up.splitlines() if "attempt 1 failed" in line]
    assert retried, up
    assert all("genauth:index:EmailProvider" in line for line in retried), retried
    assert f"POST {emulator.url}{CONFIG_EMAIL_PROVIDER}: attempt 1 failed" in retried[0]
    assert "attempt" not in up.split("Diagnostics:", 1)[-1].split("Resources:", 1)[0]


def test_a_new_access_key_previews_as_an_update_and_the_next_up_proves_it(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """The support provider's key id changed to one GenAuth refuses: preview names
    accessKeyId (no API call); up fails loudly and records nothing; set back, it is clean."""
    yaml_stack.run("up", "--yes")
    good = emulator.pools[1].access_key_id
    yaml_stack.run("config", "set", "supportKeyId", "revoked-key-id")
    calls = len(emulator.requests())

    preview = yaml_stack.run("preview", "--diff").stdout

    shown = [line for line in marked(preview) if "accessKeyId" in line]
    assert f'~ accessKeyId: "{good}" => "revoked-key-id"' in shown, preview
    assert "replace" not in preview
    assert len(emulator.requests()) == calls  # a preview makes no API call
    assert yaml_stack.run("up", "--yes", check=False).returncode != 0
    assert yaml_stack.resource("supportMail")["outputs"]["accessKeyId"] == good
    yaml_stack.run("config", "set", "supportKeyId", good)
    calls = len(config_calls(emulator))
    # The failed up recorded the provider's new config (the engine's, for every provider):
    # setting the key back updates the provider, and the email setting is the same.
    yaml_stack.run("up", "--yes")
    assert len(config_calls(emulator)) == calls
    yaml_stack.run("preview", "--expect-no-changes")


def test_a_type_in_capitals_fails_preview_with_a_hint_and_empty_variables_are_unset(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """`type: Custom` is refused at preview (by YAML itself, from the schema's enum, listing
    the names the plugin's own check would hint at); GENAUTH_* set but empty (a CI template)
    count as unset, so the fixed program goes up."""
    for name in ("GENAUTH_HOST", "GENAUTH_ACCESS_KEY_ID", "GENAUTH_ACCESS_KEY_SECRET"):
        yaml_stack.env[name] = ""
    yaml_stack.env["GENAUTH_BRAND"] = " "
    program = yaml_stack.program()
    program["resources"]["marketingMail"]["properties"]["type"] = "Custom"
    yaml_stack.write_program(program)

    preview = yaml_stack.run("preview", check=False)

    assert preview.returncode != 0
    assert 'Custom ("custom")' in preview.stdout + preview.stderr
    assert emulator.requests() == []
    program["resources"]["marketingMail"]["properties"]["type"] = "custom"
    yaml_stack.write_program(program)
    yaml_stack.run("up", "--yes")
    assert emulator.stored("pool-a") == marketing_setting()


def test_destroy_leaving_a_pool_names_the_field_that_differs_with_its_values(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """Another sender (and key) set on pool-b out of band: destroy leaves it, and the warning
    under supportMail names sendGridConfig.sender with both values, never a key."""
    yaml_stack.run("up", "--yes")
    plant_support_key(emulator, sender="drift@example.com")

    destroy = yaml_stack.run("destroy", "--yes")

    assert emulator.stored("pool-b")["sendGridConfig"]["sender"] == "drift@example.com"
    assert emulator.stored("pool-b")["enabled"] is True
    warning = (
        "warning: user pool 'pool-b' is left as it is: its live email provider is not the "
        "setting this resource applied (sendGridConfig.sender is 'drift@example.com' live, "
        "'support@example.com' applied); another stack or a person has changed it since"
    )
    diagnostics = destroy.stdout.split("Diagnostics:", 1)[1]
    block = diagnostics.split("genauth:index:EmailProvider (supportMail):", 1)[1]
    assert block.strip().splitlines()[0].strip() == warning, destroy.stdout
    yaml_stack.assert_no_secret_leaked(PLANTED_KEY, SENDGRID_KEY, SMTP_PASSWORD)


def test_a_missing_key_secret_fails_the_preview_in_the_provider_s_words_without_import_advice(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """The explicit provider marketing has no accessKeySecret: its resource's preview fails
    saying where to set it, and says nothing of `pulumi import` (no import is under way)."""
    program = yaml_stack.program()
    del program["resources"]["marketing"]["properties"]["accessKeySecret"]
    yaml_stack.write_program(program)

    failed = yaml_stack.run("preview", check=False)

    text = failed.stdout + failed.stderr
    assert failed.returncode != 0, text
    assert (
        "error: genauth:index:EmailProvider resource 'marketingMail' has a problem: GenAuth "
        "credentials are missing: set the accessKeyId and accessKeySecret of provider "
        "'marketing', or $GENAUTH_ACCESS_KEY_ID and $GENAUTH_ACCESS_KEY_SECRET\n"
    ) in text, text
    assert "pulumi import" not in text, text
    assert emulator.requests() == []
