"""examples/go on the real engine, through our Go language host.

The example is run as a user runs it: ``pulumi up`` starts ``pulumi-language-go``
(scripts/install-pulumi-cli builds it), which builds main.go with ``go build`` against the Go
SDK (sdk/go/genauth, through the example's ``replace``) and runs the binary. The scenarios are
the YAML example's (see ``programs``): two explicit providers on pool-a and pool-b of the
emulator.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import SENDGRID_KEY, SMTP_PASSWORD
from .programs import install_go, lifecycle, plain_secrets, replace_once, stack
from .test_native import YamlStack

pytestmark = pytest.mark.engine
__all__ = ["stack"]  # the fixture (programs.stack), used by name


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/go, built once (for this module) so that the Go build cache is warm."""
    return install_go(tmp_path_factory.mktemp("go"))


def make_plain(program: str) -> str:
    """main.go with the two secrets as plain string literals, and both configs exported."""
    program = replace_once(
        program, 'cfg.RequireSecret("smtpPassword")', f'pulumi.String("{SMTP_PASSWORD}")'
    )
    program = replace_once(
        program, 'cfg.RequireSecret("sendgridKey")', f'pulumi.String("{SENDGRID_KEY}")'
    )
    return replace_once(
        program,
        'ctx.Export("supportPool", supportMail.UserpoolId)\n',
        'ctx.Export("supportPool", supportMail.UserpoolId)\n'
        '\t\tctx.Export("marketingSmtp", marketingMail.SmtpConfig)\n'
        '\t\tctx.Export("supportSendGrid", supportMail.SendGridConfig)\n',
    )


def test_the_go_example_goes_up_shows_changes_and_errors_and_comes_down(
    stack: YamlStack, emulator: EmulatorServer
) -> None:
    """up sets both pools; a second preview is clean with no API call; a rotated password
    previews as [secret] => [secret]; an API error is one line under its resource; refresh
    finds drift; up repairs it; destroy hands both pools back; no secret leaks."""
    lifecycle(stack, emulator)


def test_secrets_passed_plain_from_go_stay_secret(
    stack: YamlStack, emulator: EmulatorServer
) -> None:
    """A password and an API key given as plain strings are secret in the state, the stack's
    outputs and every backend file: the plugin marks them, not the program."""
    plain_secrets(stack, emulator, "main.go", make_plain)
