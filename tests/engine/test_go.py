"""examples/go on the real engine, through our Go language host.

The example is run as a user runs it: ``pulumi up`` starts ``pulumi-language-go``
(scripts/install-pulumi-cli builds it), which builds main.go with ``go build`` against the Go
SDK (sdk/go/genauth, through the example's ``replace``) and runs the binary. The scenarios are
the YAML example's (see ``programs``): two explicit providers on pool-a and pool-b of the
emulator.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import SENDGRID_KEY, SMTP_PASSWORD
from .programs import install_go, lifecycle, plain_secrets, replace_once, stack
from .secrecy import PLANTED, run_whole_secret_native
from .yaml_stacks import YamlStack

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


# marketingMail's config in examples/go/main.go.
EXAMPLE_SMTP_CONFIG = """			SmtpConfig: &genauth.SmtpConfigArgs{
				SmtpHost:   pulumi.String("smtp.example.com"),
				SmtpPort:   pulumi.Int(465),
				Sender:     pulumi.String("marketing@example.com"),
				SenderPass: cfg.RequireSecret("smtpPassword"),
				Secure:     pulumi.Bool(true),
			},
"""


def declare_whole_secret(program: str, host: str) -> str:
    """main.go with marketingMail's smtpConfig planted and ``pulumi.ToSecret`` as a whole, and
    that config exported as ``marketingSmtp``."""
    planted = (
        "\t\t\tSmtpConfig: pulumi.ToSecret(&genauth.SmtpConfigArgs{\n"
        f"\t\t\t\tSmtpHost:   pulumi.String({json.dumps(host)}),\n"
        f"\t\t\t\tSmtpPort:   pulumi.Int({PLANTED['smtpPort']}),\n"
        f"\t\t\t\tSender:     pulumi.String({json.dumps(PLANTED['sender'])}),\n"
        '\t\t\t\tSenderPass: cfg.RequireSecret("smtpPassword"),\n'
        f"\t\t\t\tSecure:     pulumi.Bool({json.dumps(PLANTED['secure'])}),\n"
        "\t\t\t}).(genauth.SmtpConfigOutput).ToSmtpConfigPtrOutput(),\n"
    )
    program = replace_once(program, EXAMPLE_SMTP_CONFIG, planted)
    return replace_once(
        program,
        'ctx.Export("supportPool", supportMail.UserpoolId)\n',
        'ctx.Export("supportPool", supportMail.UserpoolId)\n'
        '\t\tctx.Export("marketingSmtp", marketingMail.SmtpConfig)\n',
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


def test_a_whole_secret_config_from_go_is_secret_everywhere(
    stack: YamlStack, emulator: EmulatorServer
) -> None:
    """``pulumi.ToSecret`` over the whole config: the scenario of
    ``secrecy.run_whole_secret_native``."""
    run_whole_secret_native(stack, emulator, "main.go", declare_whole_secret)


def test_a_program_that_does_not_compile_says_why_under_the_stack(
    stack: YamlStack, emulator: EmulatorServer
) -> None:
    """A syntax error in main.go: the Stack's error says `go build` failed and carries the
    compiler's own line (file, line, column, reason) with it, whatever order the engine lists
    its diagnostics in. No API call."""
    source = stack.folder / "project" / "main.go"
    source.write_text(replace_once(source.read_text(), "pulumi.Int(465)", "pulumi.Int(465"))

    failed = stack.run("preview", check=False)

    assert failed.returncode != 0, failed.stdout
    stack_block = failed.stdout.split("  pulumi:pulumi:Stack (genauth-go-example-dev):\n", 1)[1]
    error = stack_block.split("\n\n", 1)[0]
    assert "`go build` of the program in" in error, failed.stdout
    assert re.search(r"main\.go:\d+:\d+: syntax error", error), failed.stdout
    assert "see its messages above" not in failed.stdout
    assert emulator.requests() == []


def test_a_failed_go_preview_adds_the_go_sdk_s_line_under_the_stack(
    stack: YamlStack, emulator: EmulatorServer
) -> None:
    """A bad port fails the preview under marketingMail; the Go SDK adds its own report of the
    engine stopping (what the README explains): `program failed:` and `waiting for RPCs: ...
    resource monitor shut down ...` under the Stack. No API call."""
    source = stack.folder / "project" / "main.go"
    source.write_text(replace_once(source.read_text(), "pulumi.Int(465)", "pulumi.Int(70000)"))

    failed = stack.run("preview", check=False)

    assert failed.returncode != 0, failed.stdout
    diagnostics = failed.stdout.split("Diagnostics:", 1)[1]
    assert (
        "  genauth:index:EmailProvider (marketingMail):\n"
        "    error: genauth:index:EmailProvider resource 'marketingMail' has a problem: "
        "smtpConfig.smtpPort must be a port number from 1 to 65535 (got 70000)\n"
    ) in diagnostics, failed.stdout
    stack_block = diagnostics.split("  pulumi:pulumi:Stack (genauth-go-example-dev):\n", 1)[1]
    first, second = (line.strip() for line in stack_block.splitlines()[:2])
    assert first == "error: an unhandled error occurred: program failed:", failed.stdout
    # Then what the program's pending call got: "... while waiting on step's done channel",
    # or "... while sending resource registration", as the engine's shutdown met it.
    assert second.startswith(
        "waiting for RPCs: rpc error: code = Unavailable desc = resource monitor shut down"
    ), failed.stdout
    assert emulator.requests() == []
