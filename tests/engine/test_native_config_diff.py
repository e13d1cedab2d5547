"""What ``pulumi preview --diff`` and refresh print for a change of a provider's ``pools``.

An explicit provider whose ``pools`` holds marketing's and support's keys (from YAML, as
test_native_pools runs it). Its CheckConfig keeps each entry's ``accessKeySecret`` secret and
nothing else, and its DiffConfig names each path that changes, so that the engine shows an
entry added or removed, a host, a key id, and a rotated secret as ``[secret] => [secret]``
(without the paths, the engine would show the whole of ``pools: [secret]`` with nothing
marked). The blocks below are what the engine (CLI v3.274.1) prints, pinned as printed.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Final

import pytest

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import SENDGRID_KEY, SMTP_PASSWORD
from .support import SECRET_SIG
from .yaml_stacks import KEY_SECRETS, YamlStack, all_pools_provider, with_pools

pytestmark = pytest.mark.engine

SPARE_SECRET: Final = "planted-spare-key-secret-5e1a"
ROTATED_SECRET: Final = "planted-rotated-key-secret-b7c2"
PROJECT: Final = "genauth-yaml-example"


def with_config(program: dict[str, Any], *names: str) -> dict[str, Any]:
    """``program`` declaring the string config ``names`` too."""
    declared = {f"{PROJECT}:{name}": {"type": "string"} for name in names}
    return {**program, "config": {**program["config"], **declared}}


def pools_of(program: dict[str, Any]) -> dict[str, Any]:
    pools: dict[str, Any] = program["resources"]["all"]["properties"]["pools"]
    return pools


def provider_block(printed: str) -> list[str]:
    """The lines ``preview --diff`` prints under the provider ``all`` (its id and URN left
    out), as printed but for trailing blanks."""
    lines = printed.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if "::pulumi:providers:genauth::all]" in line), None
    )
    assert start is not None, printed
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("      ") or line.strip().startswith("["):
            break
        block.append(line.rstrip())
    return block


def test_a_pools_change_previews_as_the_entries_and_fields_that_change(
    yaml_stack: YamlStack, emulator: EmulatorServer
) -> None:
    """An entry added, another host, a rotated secret: each by its path, the secret as
    [secret] => [secret], the ids and hosts as they are; an entry removed, with what it held;
    refresh --run-program shows the same; no secret printed or stored in plain text."""
    base = with_config(
        with_pools(yaml_stack.program(), all_pools_provider()), "spareSecret", "rotatedKeySecret"
    )
    yaml_stack.write_program(base)
    yaml_stack.run("config", "set", "--secret", "spareSecret", SPARE_SECRET)
    yaml_stack.run("config", "set", "--secret", "rotatedKeySecret", ROTATED_SECRET)
    yaml_stack.run("up", "--yes")
    stored = yaml_stack.resource("all")["inputs"]["pools"]["support"]
    assert stored["accessKeyId"] == "pool-b-access-key-id"  # shown: no more secret than an id
    assert SECRET_SIG in json.dumps(stored["accessKeySecret"])

    changed = copy.deepcopy(base)
    pools = pools_of(changed)
    pools["spare"] = {"accessKeyId": "spare-key-id", "accessKeySecret": "${spareSecret}"}
    other_host = emulator.url.replace("127.0.0.1", "localhost")
    pools["support"]["host"] = other_host
    pools["marketing"]["accessKeySecret"] = "${rotatedKeySecret}"
    yaml_stack.write_program(changed)
    calls = len(emulator.requests())

    preview = yaml_stack.run("preview", "--diff").stdout

    assert provider_block(preview) == [
        "      ~ pools: {",
        "          ~ marketing: {",
        "              ~ accessKeySecret: [secret] => [secret]",
        "            }",
        "          + spare    : {",
        '              + accessKeyId    : "spare-key-id"',
        "              + accessKeySecret: [secret]",
        "            }",
        "          ~ support  : {",
        f'              + host: "{other_host}"',
        "            }",
        "        }",
    ], preview
    assert "~ 1 to update" in preview, preview
    assert "replace" not in preview, preview
    assert len(emulator.requests()) == calls  # a preview makes no API call

    with_spare = copy.deepcopy(base)
    pools_of(with_spare)["spare"] = pools["spare"]
    yaml_stack.write_program(with_spare)
    yaml_stack.run("up", "--yes")
    yaml_stack.write_program(base)

    removed = yaml_stack.run("preview", "--diff").stdout
    refreshed = yaml_stack.run("refresh", "--preview-only", "--diff", "--run-program").stdout
    plain_refresh = yaml_stack.run("refresh", "--preview-only", "--diff").stdout

    removal = [
        "      ~ pools: {",
        "          - spare: {",
        '              - accessKeyId    : "spare-key-id"',
        "              - accessKeySecret: [secret]",
        "            }",
        "        }",
    ]
    assert provider_block(removed) == removal, removed
    assert provider_block(refreshed) == removal, refreshed
    # Without the program, a refresh does not know the new config: the provider is as it was.
    assert "pulumi:providers:genauth" not in plain_refresh, plain_refresh
    yaml_stack.assert_no_secret_leaked(
        SMTP_PASSWORD, SENDGRID_KEY, *KEY_SECRETS, SPARE_SECRET, ROTATED_SECRET
    )
