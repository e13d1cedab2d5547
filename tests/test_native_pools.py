"""One native provider for several user pools: its ``pools`` entries and a resource's ``pool``.

A provider's ``pools`` config holds named sets of keys, as the dynamic resource's
``genauth:pools`` does; a resource picks one with its ``pool`` input, so one plugin process
serves a stack of many pools. An explicit provider sends ``pools`` as an object, the default
provider (stack config ``genauth:pools``) as JSON text: both are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_genauth import ConfigurationError, PoolMismatchError
from pulumi_genauth._constants import UNKNOWN
from pulumi_genauth.emulator.server import EmulatorServer
from pulumi_genauth.native._protocol import (
    CheckRequest,
    ConfigureRequest,
    CreateRequest,
    DeleteRequest,
    DiffRequest,
    PropertyDiffKind,
    ReadRequest,
    UpdateRequest,
)
from pulumi_genauth.native._provider import GenAuthProvider
from pulumi_genauth.native._values import PropertyValue

from .native_support import (
    DEFAULT_PROVIDER_URN,
    EXPLICIT_PROVIDER_URN,
    URN,
    plain_values,
    run,
    values,
)

SENDGRID = {"sender": "b@example.com", "apikey": "k-b"}


def entries(emulator: EmulatorServer) -> dict[str, Any]:
    """Entries "a" and "b": the keys of pool-a and pool-b."""
    return {
        name: {"accessKeyId": pool.access_key_id, "accessKeySecret": pool.access_key_secret}
        for name, pool in zip("ab", emulator.pools, strict=False)
    }


def configured(pools: Any, urn: str = "", **more: Any) -> GenAuthProvider:
    """A provider with ``pools``, configured as the provider ``urn`` (empty: an engine that
    sends no URN, so either the default provider or an explicit one)."""
    made = GenAuthProvider(environ={})
    args = values({"pools": pools, **more})
    run(made.configure(ConfigureRequest({}, args, True, True, urn)))
    return made


@pytest.fixture(params=["object", "json"])
def multi(request: pytest.FixtureRequest, emulator: EmulatorServer) -> Iterator[GenAuthProvider]:
    """A provider with entries a and b: as an explicit provider sends them, and as JSON text."""
    pools = entries(emulator)
    made = configured(pools if request.param == "object" else json.dumps(pools), host=emulator.url)
    yield made
    made.close()


def check(made: GenAuthProvider, inputs: dict[str, Any]) -> Any:
    return run(made.check(CheckRequest(URN, {}, values(inputs), b"")))


def test_check_records_the_key_id_of_the_resource_s_pool_entry(multi: GenAuthProvider) -> None:
    checked = check(multi, {"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "b"})
    assert checked.failures == []
    assert checked.inputs["accessKeyId"] == PropertyValue("pool-b-access-key-id")
    assert checked.inputs["pool"] == PropertyValue("b")


def test_check_names_an_entry_that_does_not_exist_and_the_entries_that_do(
    multi: GenAuthProvider,
) -> None:
    checked = check(multi, {"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "c"})
    assert [(f.property, f.reason) for f in checked.failures] == [
        (
            "",
            "pool 'c' is not an entry of the provider's pools (entries: 'a', 'b'); add an "
            "entry 'c' with its accessKeyId and accessKeySecret",
        )
    ]


TWO_ENTRIES = {
    name: {"accessKeyId": f"{name}-id", "accessKeySecret": f"{name}-secret"}
    for name in ("marketing", "support")
}


@pytest.mark.parametrize(
    ("urn", "message"),
    [
        (
            DEFAULT_PROVIDER_URN,
            "pool 'suport' is not an entry of the stack config genauth:pools (entries: "
            "'marketing', 'support'): did you mean 'support'?",
        ),
        (
            EXPLICIT_PROVIDER_URN,
            "pool 'suport' is not an entry of the pools of provider 'all' (entries: "
            "'marketing', 'support'): did you mean 'support'?",
        ),
        (
            "",
            "pool 'suport' is not an entry of the provider's pools (entries: 'marketing', "
            "'support'): did you mean 'support'?",
        ),
    ],
    ids=["default provider", "explicit provider", "either"],
)
def test_a_misspelt_entry_gets_the_nearest_one_in_the_words_of_the_provider_it_is_on(
    urn: str, message: str
) -> None:
    """'suport': did you mean 'support'; the stack config named only for the default provider."""
    made = configured(TWO_ENTRIES, urn)
    checked = check(made, {"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "suport"})
    made.close()
    assert [(f.property, f.reason) for f in checked.failures] == [("", message)]


def test_an_explicit_provider_s_entry_without_its_secret_is_named_as_its_property() -> None:
    """No `pulumi config set` advice, no genauth:pools: the provider's own property path."""
    made = configured({"support": {"accessKeyId": "i"}}, EXPLICIT_PROVIDER_URN)
    checked = check(made, {"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "support"})
    made.close()
    assert [f.reason for f in checked.failures] == [
        "GenAuth credentials are missing for pool 'support': set pools.support.accessKeySecret"
    ]


def test_a_pool_that_is_not_a_name_is_refused_by_name(multi: GenAuthProvider) -> None:
    checked = check(multi, {"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": 3})
    assert [(f.property, f.reason) for f in checked.failures] == [
        ("", "pool must name an entry of the provider's pools (got 3.0)")
    ]


def test_without_a_pool_the_provider_s_own_keys_are_used_and_missing_ones_named(
    multi: GenAuthProvider,
) -> None:
    checked = check(multi, {"type": "sendgrid", "sendGridConfig": SENDGRID})
    assert [f.reason.split(":")[0] for f in checked.failures] == ["GenAuth credentials are missing"]


def test_pools_not_known_yet_leave_the_keys_to_the_apply() -> None:
    """A preview of pools built from another resource's output: nothing to refuse yet."""
    made = configured({"a": {"accessKeyId": "id", "accessKeySecret": UNKNOWN}})
    checked = check(made, {"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "a"})
    made.close()
    assert checked.failures == []
    assert "accessKeyId" not in checked.inputs


def test_create_update_read_delete_go_to_the_entry_s_pool(
    multi: GenAuthProvider, emulator: EmulatorServer
) -> None:
    """Each step in a plugin process of its own, as each deployment has."""
    later = configured(entries(emulator), host=emulator.url)
    inputs = values({"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "b"})
    created = run(multi.create(CreateRequest(URN, inputs, 60, False)))
    assert created.resource_id == "pool-b"
    assert plain_values(created.properties)["pool"] == "b"
    assert plain_values(created.properties)["accessKeyId"] == "pool-b-access-key-id"
    assert emulator.stored("pool-b") is not None
    assert emulator.stored("pool-a") is None

    changed = values({"type": "sendgrid", "sendGridConfig": {**SENDGRID, "apikey": "k-2"}})
    changed["pool"] = PropertyValue("b")
    updated = run(
        later.update(UpdateRequest(URN, "pool-b", created.properties, changed, 60, [], False))
    )
    assert emulator.stored("pool-b")["sendGridConfig"]["apikey"] == "k-2"

    read = run(later.read(ReadRequest(URN, "pool-b", updated.properties, changed)))
    assert plain_values(read.inputs)["pool"] == "b"

    later.close()
    destroying = configured(entries(emulator), host=emulator.url)
    run(destroying.delete(DeleteRequest(URN, "pool-b", read.properties, 60)))
    destroying.close()
    assert emulator.stored("pool-b")["enabled"] is False


def test_a_resource_of_pool_b_through_entry_a_touches_nothing(
    multi: GenAuthProvider, emulator: EmulatorServer
) -> None:
    inputs = values({"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "a"})
    with pytest.raises(PoolMismatchError):
        run(multi.update(UpdateRequest(URN, "pool-b", {}, inputs, 60, [], False)))
    assert emulator.stored("pool-b") is None


def test_an_import_finds_the_entry_whose_keys_open_the_pool(multi: GenAuthProvider) -> None:
    """`pulumi import ... pool-b` knows the id only: the inputs name entry b."""
    inputs = values({"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "b"})
    run(multi.create(CreateRequest(URN, inputs, 60, False)))

    imported = run(multi.read(ReadRequest(URN, "pool-b", {}, {})))

    assert imported.resource_id == "pool-b"
    assert plain_values(imported.inputs)["pool"] == "b"
    assert plain_values(imported.properties)["pool"] == "b"


def test_an_import_of_a_pool_no_entry_opens_is_refused(emulator: EmulatorServer) -> None:
    made = configured({"a": entries(emulator)["a"]}, host=emulator.url)
    with pytest.raises(ConfigurationError, match="credentials are missing"):
        run(made.read(ReadRequest(URN, "pool-b", {}, {})))
    made.close()


def test_another_pool_replaces_the_resource_and_says_so_by_path() -> None:
    made = configured({})
    old = values({"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "a"})
    new = values({"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "b"})
    answer = run(made.diff(DiffRequest(URN, "pool-a", old, new, [])))
    made.close()
    assert answer.replaces == ["pool"]
    assert {path: (diff.kind, diff.input_diff) for path, diff in answer.detailed_diff.items()} == {
        "pool": (PropertyDiffKind.UPDATE_REPLACE, True)
    }


def test_the_same_pool_is_no_change() -> None:
    made = configured({})
    same = values({"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "a"})
    answer = run(made.diff(DiffRequest(URN, "pool-a", same, same, [])))
    made.close()
    assert answer.changes is False
    assert answer.replaces == []


def test_a_provider_without_pools_says_it_has_no_entries() -> None:
    made = configured({})
    checked = check(made, {"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "a"})
    made.close()
    assert [f.reason for f in checked.failures] == [
        "pool 'a' is not an entry of the provider's pools (entries: none); add an entry 'a' "
        "with its accessKeyId and accessKeySecret"
    ]


def test_a_pool_not_known_yet_leaves_the_keys_to_the_apply(multi: GenAuthProvider) -> None:
    checked = check(multi, {"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": UNKNOWN})
    assert checked.failures == []
    assert "accessKeyId" not in checked.inputs


def test_each_entry_and_the_provider_s_own_keys_have_a_client_of_their_own(
    emulator: EmulatorServer,
) -> None:
    """A resource of entry b, then one on the provider's own keys (pool-a): each its pool."""
    pool_a = emulator.pools[0]
    made = configured(
        {"b": entries(emulator)["b"]},
        host=emulator.url,
        accessKeyId=pool_a.access_key_id,
        accessKeySecret=pool_a.access_key_secret,
    )
    on_b = values({"type": "sendgrid", "sendGridConfig": SENDGRID, "pool": "b"})
    on_a = values({"type": "sendgrid", "sendGridConfig": SENDGRID})
    run(made.update(UpdateRequest(URN, "pool-b", {}, on_b, 60, [], False)))
    run(made.update(UpdateRequest(f"{URN}-a", "pool-a", {}, on_a, 60, [], False)))
    made.close()
    assert emulator.stored("pool-a") is not None
    assert emulator.stored("pool-b") is not None
