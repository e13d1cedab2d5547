"""examples/typescript on the real engine, through our Node.js language host.

The example is run as a user runs it: the SDK installed by ``npm ci`` from the npm package
that scripts/pack-npm builds (compiled, with its declarations), ``pulumi up`` starting
``pulumi-language-nodejs`` (scripts/install-pulumi-cli builds it), which runs index.ts with the
example's own @pulumi/pulumi. The scenarios are the YAML example's (see ``programs``): two
explicit providers on pool-a and pool-b of the emulator.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import SENDGRID_KEY, SMTP_PASSWORD
from .programs import install_typescript, lifecycle, plain_secrets, replace_once, stack
from .secrecy import NODE_SDK_RESPONSE_LOG, PLANTED, run_whole_secret_native
from .yaml_stacks import YamlStack

pytestmark = pytest.mark.engine
__all__ = ["stack"]  # the fixture (programs.stack), used by name


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/typescript with its dependencies installed (once for this module)."""
    return install_typescript(tmp_path_factory.mktemp("typescript"))


def make_plain(program: str) -> str:
    """index.ts with the two secrets as plain string literals, and both configs exported."""
    program = replace_once(program, 'config.requireSecret("smtpPassword")', f'"{SMTP_PASSWORD}"')
    program = replace_once(program, 'config.requireSecret("sendgridKey")', f'"{SENDGRID_KEY}"')
    return (
        program
        + "export const marketingSmtp = marketingMail.smtpConfig;\n"
        + "export const supportSendGrid = supportMail.sendGridConfig;\n"
    )


# marketingMail's config in examples/typescript/index.ts.
EXAMPLE_SMTP_CONFIG = """    smtpConfig: {
        smtpHost: "smtp.example.com",
        smtpPort: 465,
        sender: "marketing@example.com",
        senderPass: config.requireSecret("smtpPassword"),
        secure: true,
    },
"""


def declare_whole_secret(program: str, host: str) -> str:
    """index.ts with marketingMail's smtpConfig planted and ``pulumi.secret({...})`` as a
    whole, and that config exported as ``marketingSmtp``."""
    planted = (
        "    smtpConfig: pulumi.secret({\n"
        f"        smtpHost: {json.dumps(host)},\n"
        f"        smtpPort: {PLANTED['smtpPort']},\n"
        f"        sender: {json.dumps(PLANTED['sender'])},\n"
        '        senderPass: config.requireSecret("smtpPassword"),\n'
        f"        secure: {json.dumps(PLANTED['secure'])},\n"
        "    }),\n"
    )
    program = replace_once(program, EXAMPLE_SMTP_CONFIG, planted)
    return program + "export const marketingSmtp = marketingMail.smtpConfig;\n"


def test_the_typescript_example_goes_up_shows_changes_and_errors_and_comes_down(
    stack: YamlStack, emulator: EmulatorServer
) -> None:
    """up sets both pools; a second preview is clean with no API call; a rotated password
    previews as [secret] => [secret]; an API error is one line under its resource; refresh
    finds drift; up repairs it; destroy hands both pools back; no secret leaks."""
    lifecycle(stack, emulator)


def test_secrets_passed_plain_from_typescript_stay_secret(
    stack: YamlStack, emulator: EmulatorServer
) -> None:
    """A password and an API key given as plain strings are secret in the state, the stack's
    outputs and every backend file: the plugin marks them, not the program."""
    plain_secrets(stack, emulator, "index.ts", make_plain)


def test_a_whole_secret_config_from_typescript_is_secret_everywhere(
    stack: YamlStack, emulator: EmulatorServer
) -> None:
    """``pulumi.secret({...})`` over the whole config: the scenario of
    ``secrecy.run_whole_secret_native`` (but for the Node.js SDK's own debug log of each
    registration's answer, which holds every secret of it: see NODE_SDK_RESPONSE_LOG)."""
    run_whole_secret_native(
        stack, emulator, "index.ts", declare_whole_secret, exempt=(NODE_SDK_RESPONSE_LOG,)
    )
