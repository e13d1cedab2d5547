"""The provider's own config: what CheckConfig keeps secret, and what DiffConfig names.

A reviewer of ``pulumi preview --diff`` sees the provider's config as CheckConfig returned it
(secrets marked) and the paths DiffConfig names: an entry of ``pools`` added, removed, or given
another host, key id or secret shows as that entry's field, the secret as ``[secret] =>
[secret]`` (tests/engine/test_native_config_diff.py pins what the engine prints).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_genauth._constants import UNKNOWN
from pulumi_genauth.native._config import property_path
from pulumi_genauth.native._protocol import CheckRequest, DiffRequest, PropertyDiffKind
from pulumi_genauth.native._provider import GenAuthProvider
from pulumi_genauth.native._values import Computed, PropertyValue

from .native_support import EXPLICIT_PROVIDER_URN, run, values

MARKETING = {"accessKeyId": "m-id", "accessKeySecret": "planted-m-secret"}
SUPPORT = {"accessKeyId": "s-id", "accessKeySecret": "planted-s-secret"}
HOST = "https://api.genauth.ai"


def checked(inputs: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    made = GenAuthProvider(environ={})
    answer = run(made.check_config(CheckRequest(EXPLICIT_PROVIDER_URN, {}, inputs, b"")))
    made.close()
    assert answer.failures == []
    assert answer.inputs is not None
    return answer.inputs


def secret_paths(value: PropertyValue, path: str = "") -> set[str]:
    """Every path of ``value`` that is marked secret (a secret's own insides not listed)."""
    if value.is_secret:
        return {path}
    if isinstance(value.value, dict):
        return {
            found
            for key, item in value.value.items()
            for found in secret_paths(item, f"{path}.{key}" if path else key)
        }
    return set()


def all_secret_paths(inputs: dict[str, PropertyValue]) -> set[str]:
    return {found for key, value in inputs.items() for found in secret_paths(value, key)}


def test_only_the_key_secrets_of_pools_entries_are_marked_secret() -> None:
    """host, accessKeyId and brand of an entry are no more secret than the provider's own: a
    diff can show them. The secrets, and a misspelt key that may hold one, are marked."""
    inputs = values(
        {
            "host": HOST,
            "accessKeyId": "own-id",
            "accessKeySecret": "own-secret",
            "pools": {
                "marketing": {**MARKETING, "host": HOST, "brand": "genauth"},
                "support": {"accessKeyId": "s-id", "accesKeySecret": "typo-holds-a-secret"},
            },
        }
    )
    assert all_secret_paths(checked(inputs)) == {
        "accessKeySecret",
        "pools.marketing.accessKeySecret",
        "pools.support.accesKeySecret",
    }


def test_what_the_program_made_secret_stays_secret_as_a_whole() -> None:
    """pools (or one entry) the program made secret as a whole is not opened by CheckConfig."""
    whole = values({"pools": {"marketing": MARKETING}})
    whole["pools"] = whole["pools"].with_secret(True)
    assert all_secret_paths(checked(whole)) == {"pools"}

    entry = values({"pools": {"marketing": MARKETING, "support": SUPPORT}})
    pools = dict(entry["pools"].value)
    pools["support"] = pools["support"].with_secret(True)
    entry["pools"] = entry["pools"].with_value(pools)
    assert all_secret_paths(checked(entry)) == {
        "pools.marketing.accessKeySecret",
        "pools.support",
    }


@pytest.mark.parametrize(
    ("pools", "secret"),
    [
        (json.dumps({"marketing": MARKETING}), {"pools"}),  # an SDK's JSON text: one value
        ({"marketing": "not-an-object"}, {"pools.marketing"}),  # anything: a secret, perhaps
        (Computed(), set()),  # not known yet: nothing to mark
    ],
    ids=["JSON text", "an entry that is no object", "not known yet"],
)
def test_pools_of_another_shape_are_secret_where_they_may_hold_a_secret(
    pools: Any, secret: set[str]
) -> None:
    """JSON text is one value; an entry that is no object may be anything; an unknown waits."""
    inputs = (
        {"pools": PropertyValue(pools)} if isinstance(pools, Computed) else values({"pools": pools})
    )
    assert all_secret_paths(checked(inputs)) == secret


def config_diff(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, PropertyDiffKind]:
    """What DiffConfig names, as {path: kind}; every path an input diff, nothing replaced."""
    made = GenAuthProvider(environ={})
    request = DiffRequest(EXPLICIT_PROVIDER_URN, "id", values(olds), values(news), [])
    answer = run(made.diff_config(request))
    made.close()
    assert answer.replaces == []
    assert all(diff.input_diff for diff in answer.detailed_diff.values())
    assert answer.changes is bool(answer.detailed_diff)
    return {path: diff.kind for path, diff in answer.detailed_diff.items()}


BEFORE = {"host": HOST, "pools": {"marketing": MARKETING}}
ADD, DELETE, UPDATE = PropertyDiffKind.ADD, PropertyDiffKind.DELETE, PropertyDiffKind.UPDATE


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (BEFORE, {}),
        ({**BEFORE, "pools": {"marketing": MARKETING, "support": SUPPORT}},
         {"pools.support": ADD}),
        ({**BEFORE, "pools": {}}, {"pools.marketing": DELETE}),
        ({**BEFORE, "pools": {"marketing": {**MARKETING, "host": "https://b.example"}}},
         {"pools.marketing.host": ADD}),
        ({**BEFORE, "pools": {"marketing": {**MARKETING, "accessKeyId": "m-id-2"}}},
         {"pools.marketing.accessKeyId": UPDATE}),
        ({**BEFORE, "pools": {"marketing": {**MARKETING, "accessKeySecret": "rotated"}}},
         {"pools.marketing.accessKeySecret": UPDATE}),
        ({"host": HOST}, {"pools": DELETE}),
        ({**BEFORE, "host": "https://b.example", "accessKeyId": "own"},
         {"host": UPDATE, "accessKeyId": ADD}),
        # An SDK sends pools as JSON text: the same entries are the same config.
        ({**BEFORE, "pools": json.dumps({"marketing": MARKETING})}, {}),
        ({**BEFORE, "pools": json.dumps({"marketing": MARKETING, "support": SUPPORT})},
         {"pools.support": ADD}),
        # Not known yet in a preview (built from another resource's output): it changes.
        ({**BEFORE, "pools": {"marketing": {**MARKETING, "accessKeySecret": UNKNOWN}}},
         {"pools.marketing.accessKeySecret": UPDATE}),
        ({**BEFORE, "pools": UNKNOWN}, {"pools": UPDATE}),
    ],
    ids=[
        "the same", "entry added", "entry removed", "host given", "key id changed",
        "secret rotated", "pools removed", "provider's own keys", "the same as JSON text",
        "entry added to JSON text", "a secret not known yet", "pools not known yet",
    ],
)  # fmt: skip
def test_diff_config_names_each_entry_and_field_that_changes(
    after: dict[str, Any], expected: dict[str, PropertyDiffKind]
) -> None:
    """Each change by its path and kind; nothing when the entries are the same."""
    assert config_diff(BEFORE, after) == expected


def test_a_pools_change_in_a_secret_value_is_named_by_path_only() -> None:
    """The answer holds paths and kinds: no value, so no secret, goes back to the engine."""
    after = {"pools": {"marketing": {**MARKETING, "accessKeySecret": "planted-rotated"}}}
    made = GenAuthProvider(environ={})
    answer = run(
        made.diff_config(DiffRequest(EXPLICIT_PROVIDER_URN, "id", values(BEFORE), values(after)))
    )
    made.close()
    assert "planted" not in repr(answer)


@pytest.mark.parametrize(
    ("elements", "path"),
    [
        (["pools", "support", "host"], "pools.support.host"),
        (["pools", "eu-west", "host"], "pools.eu-west.host"),
        (["pools", "a.b", "host"], 'pools["a.b"].host'),
        (["pools", 'say "hi"'], 'pools["say \\"hi\\""]'),
        (["pools", "1st"], 'pools["1st"]'),
    ],
)
def test_an_entry_name_the_engine_would_split_is_quoted(elements: list[str], path: str) -> None:
    """The engine parses the paths (pulumi/pulumi v3.274.1,
    sdk/go/common/resource/properties_path.go): a name with a dot is quoted."""
    assert property_path(elements) == path
