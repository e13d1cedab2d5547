"""The native plugin's takeover warning for a live setting of the declared type.

A pool that already sends through the declared type, with another stack's fields, is taken
over as much as one of another type: under the real engine, from examples/yaml, the warning
shows in the resource's own diagnostics and names what it replaces, never the live secret.
"""

from __future__ import annotations

import re
from typing import Final

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import SENDGRID_KEY, SMTP_PASSWORD, config_calls, sdk_client
from .yaml_stacks import YamlStack

pytestmark = pytest.mark.engine

OTHER_KEY: Final = "SG.planted-takeover-key-2d9c47"
OTHER_SENDER: Final = "other-stack@example.com"
TAKEOVER: Final = (
    "user pool pool-b already sends mail through a third-party provider (type 'sendgrid', "
)


def test_a_same_type_takeover_warns_under_the_resource_naming_the_sender(
    yaml_stack: YamlStack,
    emulator: EmulatorServer,
) -> None:
    """pool-b sends through SendGrid from another sender: supportMail (SendGrid too) warns in
    its diagnostics, naming that sender and the key only by its path."""
    answer = sdk_client(emulator, 1).config_email_provider(
        type="sendgrid",
        enabled=True,
        send_grid_config={"sender": OTHER_SENDER, "apikey": OTHER_KEY},
    )
    assert answer["statusCode"] == 200, answer["message"]

    text = yaml_stack.run("up", "--yes").stdout

    assert "Diagnostics:" in text, text
    # The diagnostics come in one block per resource: "  <type> (<name>):" and its lines.
    blocks = re.split(r"\n  (?=\S)", text.split("Diagnostics:", 1)[1])
    support = [b for b in blocks if b.startswith("genauth:index:EmailProvider (supportMail):")]
    assert len(support) == 1, text
    warnings = [line.strip() for line in support[0].splitlines() if TAKEOVER in line]
    assert len(warnings) == 1, text
    assert f"sender '{OTHER_SENDER}'" in warnings[0]
    assert warnings[0].endswith("; it is replaced by the declared setting")
    marketing = [b for b in blocks if b.startswith("genauth:index:EmailProvider (marketingMail):")]
    assert not any("already sends mail" in block for block in marketing), text
    assert len(config_calls(emulator)) == 3  # the planted one, then one per pool
    yaml_stack.assert_no_secret_leaked(OTHER_KEY, SENDGRID_KEY, SMTP_PASSWORD)
