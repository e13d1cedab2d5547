"""A config the program made secret as a whole stays secret everywhere: Python and YAML.

(TypeScript and Go run the same scenario in test_typescript and test_go; see ``secrecy``.)
The dynamic resource and the native plugin each copy the config's fields into their
bookkeeping (``applied_setting`` / ``appliedSetting``, what a delete compares), which must be
as secret as the config (test_upgrade covers a state that holds it in plain text): the fields
planted in the config must be found in no raw backend file, no state outside a secret, and
nothing the CLI printed, ``-v=9`` logs included.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
import yaml
from pulumi import automation as auto

import pulumi_genauth as genauth
from pulumi_genauth.emulator.server import EmulatorServer

from ..support import SMTP_PASSWORD
from .secrecy import (
    PLANTED,
    PLANTED_HOST,
    PLANTED_HOST_2,
    assert_planted_hidden,
    log_verbosely,
    run_whole_secret_native,
    stored_planted,
)
from .support import StackFactory, changes, is_secret, secret_key
from .yaml_stacks import YamlStack

pytestmark = pytest.mark.engine

# The planted fields as the dynamic resource spells them.
PLANTED_CORE: dict[str, Any] = {
    "smtp_port": PLANTED["smtpPort"],
    "sender": PLANTED["sender"],
    "secure": PLANTED["secure"],
}


def whole_secret_program(host: str) -> auto.PulumiFn:
    """A Python program whose smtp_config is ``Output.secret`` as a whole, and exported."""

    def run() -> None:
        password = pulumi.Config().require_secret(secret_key("custom"))
        config = {**PLANTED_CORE, "smtp_host": host, "sender_pass": password}
        mail = genauth.EmailProvider(
            "mail", type="custom", smtp_config=pulumi.Output.secret(config)
        )
        pulumi.export("mail_config", mail.smtp_config)

    return run


def test_a_whole_secret_config_of_the_dynamic_resource_is_secret_everywhere(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Python's ``Output.secret({...})``: applied as given; secret in the state (the
    bookkeeping too) and the stack's outputs; a new host previews and applies as a secret's
    change; refresh keeps it secret; nothing planted is printed (-v=9 too) or in any file."""
    engine = new_stack(whole_secret_program(PLANTED_HOST))
    log_verbosely(engine)

    engine.up(show_secrets=False)

    assert emulator.stored("pool-a") == stored_planted(SMTP_PASSWORD)
    state = engine.resource()
    for key in ("smtp_config", "applied_setting"):
        assert is_secret(state["outputs"][key]), key
    assert is_secret(state["inputs"]["smtp_config"])
    exported = engine.stack.outputs()["mail_config"]
    assert exported.secret

    engine.set_program(whole_secret_program(PLANTED_HOST_2))
    preview = engine.preview()
    assert changes(preview.change_summary) == {"same": 1, "update": 1}
    engine.up(show_secrets=False)
    assert emulator.stored("pool-a") == stored_planted(SMTP_PASSWORD, PLANTED_HOST_2)
    engine.refresh()
    assert changes(engine.preview().change_summary) == {"same": 2}

    assert_planted_hidden(engine.folders[0], engine.output, "mail")


def declare_yaml(source: str, host: str) -> str:
    """The YAML example with marketingMail's smtpConfig planted and secret as a whole
    (``fn::secret``), and that config exported as ``marketingSmtp``."""
    program = yaml.safe_load(source)
    program["resources"]["marketingMail"]["properties"]["smtpConfig"] = {
        "fn::secret": {**PLANTED, "smtpHost": host, "senderPass": "${smtpPassword}"}
    }
    program["outputs"]["marketingSmtp"] = "${marketingMail.smtpConfig}"
    return yaml.safe_dump(program, sort_keys=False)


def test_a_whole_secret_config_from_yaml_is_secret_everywhere(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """YAML's ``fn::secret`` over the whole config, through the native plugin: the scenario
    of ``secrecy.run_whole_secret_native``."""
    run_whole_secret_native(yaml_stack, emulator, "Pulumi.yaml", declare_yaml)
