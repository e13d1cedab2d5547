"""One native provider for several user pools, under the real engine, from YAML.

examples/yaml gives each pool an explicit provider (one plugin process each); here the same
two pools go through one provider: the default one, from the stack config ``genauth:pools``
(the entries the dynamic resource reads), and an explicit one whose ``pools`` property is
built from secret config. Each resource names its entry with ``pool``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import SENDGRID_KEY, SMTP_PASSWORD
from .support import SECRET_SIG
from .yaml_stacks import (
    KEY_SECRETS,
    SUPPORT_SETTING,
    YamlStack,
    all_pools_provider,
    marketing_setting,
    with_pools,
)

pytestmark = pytest.mark.engine


def providers_in(state: dict[str, Any]) -> list[str]:
    return [
        resource["urn"].rsplit("::", 1)[1]
        for resource in state["deployment"]["resources"]
        if resource["type"].startswith("pulumi:providers:genauth")
    ]


def test_the_default_provider_serves_both_pools_from_genauth_pools(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """genauth:pools entries set with --path (the secrets with --secret): one provider, two
    pools configured, a second preview with no change and no call, no key secret stored; a
    misspelt entry fails the preview naming the nearest one and genauth:pools."""
    yaml_stack.write_program(with_pools(yaml_stack.program(), None))
    yaml_stack.run("config", "set", "genauth:host", emulator.url)
    for entry, pool in zip(("marketing", "support"), emulator.pools, strict=True):
        path = f"genauth:pools.{entry}"
        yaml_stack.run("config", "set", "--path", f"{path}.accessKeyId", pool.access_key_id)
        secret = pool.access_key_secret
        yaml_stack.run("config", "set", "--secret", "--path", f"{path}.accessKeySecret", secret)

    yaml_stack.run("up", "--yes")

    assert emulator.stored("pool-a") == marketing_setting()
    assert emulator.stored("pool-b") == SUPPORT_SETTING
    state = yaml_stack.state()
    assert providers_in(state) == ["default"]
    mail = yaml_stack.resource("supportMail")
    assert (mail["outputs"]["pool"], mail["outputs"]["accessKeyId"]) == (
        "support",
        "pool-b-access-key-id",
    )
    calls = len(emulator.requests())
    yaml_stack.run("preview", "--expect-no-changes", "--diff")
    assert len(emulator.requests()) == calls

    # A misspelt entry: the nearest one, and where the default provider's entries are set.
    program = yaml_stack.program()  # the program above, which names its entries
    program["resources"]["supportMail"]["properties"]["pool"] = "suport"
    yaml_stack.write_program(program)
    failed = yaml_stack.run("preview", check=False)
    assert failed.returncode != 0
    assert (
        "pool 'suport' is not an entry of the stack config genauth:pools (entries: "
        "'marketing', 'support'): did you mean 'support'?"
    ) in failed.stdout + failed.stderr
    assert len(emulator.requests()) == calls
    yaml_stack.assert_no_secret_leaked(SMTP_PASSWORD, SENDGRID_KEY, *KEY_SECRETS)


def test_an_explicit_provider_with_pools_keeps_them_secret_and_names_a_wrong_entry(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """One explicit provider whose pools come from secret config: both pools configured, the
    provider's key secrets secret in the state; a pool that is no entry fails the preview
    naming the nearest entry, in the words of the provider it is on."""
    provider = all_pools_provider()
    program = with_pools(yaml_stack.program(), provider)
    yaml_stack.write_program(program)

    yaml_stack.run("up", "--yes")

    assert emulator.stored("pool-a") == marketing_setting()
    assert emulator.stored("pool-b") == SUPPORT_SETTING
    state = yaml_stack.state()
    assert providers_in(state) == ["all"]
    all_provider = yaml_stack.resource("all")
    assert SECRET_SIG in json.dumps(all_provider["inputs"]["pools"])
    yaml_stack.assert_no_secret_leaked(SMTP_PASSWORD, SENDGRID_KEY, *KEY_SECRETS)

    program["resources"]["supportMail"]["properties"]["pool"] = "suport"
    yaml_stack.write_program(program)
    calls = len(emulator.requests())
    failed = yaml_stack.run("preview", check=False)
    assert failed.returncode != 0
    # The provider's own words: its pools property, not the stack config genauth:pools.
    assert (
        "pool 'suport' is not an entry of the pools of provider 'all' (entries: 'marketing', "
        "'support'): did you mean 'support'?"
    ) in failed.stdout + failed.stderr
    assert "genauth:pools" not in failed.stdout + failed.stderr
    assert len(emulator.requests()) == calls
