"""Every example program (and the top-level project's) runs and declares what it says.

Run under the SDK's mocks so that a broken example fails fast; the top-level project also
runs for real under the engine in the demo and the end-to-end tests.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pulumi
import pytest
from pulumi.runtime import rpc
from pulumi.runtime.config import set_all_config

from .support import RecordingMocks

ROOT = Path(__file__).resolve().parent.parent

# directory -> (project name, config, the resources' (name, type, pool) it must declare)
EXAMPLES: dict[str, tuple[str, dict[str, str], list[tuple[str, str, str | None]]]] = {
    ".": ("genauth-mail", {"smtpPassword": "p"}, [("mail", "custom", None)]),
    "examples/custom-smtp": (
        "genauth-custom-smtp",
        {"smtpPassword": "p", "smtpPort": "587"},
        [("mail", "custom", None)],
    ),
    "examples/sendgrid": (
        "genauth-sendgrid",
        {"sendgridApiKey": "k"},
        [("mail", "sendgrid", None)],
    ),
    "examples/ali-exmail": (
        "genauth-ali-exmail",
        {"sender": "a@example.cn", "senderPassword": "p"},
        [("mail", "ali", None)],
    ),
    "examples/tencent-exmail": (
        "genauth-tencent-exmail",
        {"sender": "a@example.cn", "senderPassword": "p"},
        [("mail", "qq", None)],
    ),
    "examples/two-pools": (
        "genauth-two-pools",
        {"sendgridApiKey": "k", "staffSmtpPassword": "p"},
        [("customers-mail", "sendgrid", None), ("staff-mail", "custom", "staff")],
    ),
}


def test_every_example_directory_is_covered() -> None:
    """A new example cannot be added without this test running it."""
    found = {f"examples/{path.parent.name}" for path in ROOT.glob("examples/*/__main__.py")}
    assert found == {name for name in EXAMPLES if name.startswith("examples/")}


@pytest.mark.parametrize("directory", sorted(EXAMPLES))
def test_example_declares_its_email_providers(directory: str) -> None:
    """The program runs with its documented config and declares the expected resources."""
    project, config, expected = EXAMPLES[directory]
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project=project, stack="dev", preview=False)
    set_all_config({f"{project}:{key}": value for key, value in config.items()}, [])

    @pulumi.runtime.test
    def run() -> None:
        runpy.run_path(str(ROOT / directory / "__main__.py"), run_name="__main__")

    run()
    declared = [
        (
            name,
            rpc.unwrap_rpc_secret(args.inputs["type"]),
            rpc.unwrap_rpc_secret(args.inputs.get("pool")),
        )
        for name, args in mocks.registered.items()
    ]
    assert sorted(declared) == sorted(expected)
