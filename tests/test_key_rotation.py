"""A new access key previews as an update of the key id alone, in both front ends, with no call.

Check puts the access key id the provider is configured with for the resource's pool (its own
keys, or the ``pools`` entry the resource names) into the checked inputs (``accessKeyId`` /
``access_key_id``), whatever the old inputs or the program held there; Diff compares it with
the one the state recorded at the last apply. So a rotated key shows in the preview as an
update of that field and nothing else, and the next ``up`` proves the new key works before the
state says it is in use. Neither step talks to GenAuth: the client factory refuses to be used.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pulumi import dynamic
from pulumi.runtime import proto

from pulumi_genauth._credentials import Credentials
from pulumi_genauth._provider import EmailProviderProvider
from pulumi_genauth.native._protocol import (
    CheckRequest,
    ConfigureRequest,
    DiffRequest,
    PropertyDiffKind,
)
from pulumi_genauth.native._provider import GenAuthProvider
from pulumi_genauth.native._values import PropertyValue

from .native_support import SMTP, URN, run, values
from .support import CASES, diff_kinds, served_diff

HOST = "http://127.0.0.1:1"  # nothing listens: a call would fail (and the factory refuses first)
# The key id each set of credentials (None: the provider's own) was applied with, and has now.
APPLIED_WITH = {None: "own-key-1", "b": "b-key-1"}
CONFIGURED = {None: "own-key-2", "b": "b-key-2"}
POOLS = [pytest.param(None, id="own-keys"), pytest.param("b", id="pools-entry")]
ROTATED = [pytest.param(True, id="rotated"), pytest.param(False, id="same-key")]


def no_client(credentials: Credentials) -> Any:
    """A client factory for a preview: it must not be called."""
    raise AssertionError(f"a preview made a client for {credentials.access_key_id}")


def key_ids(rotated: bool) -> dict[str | None, str]:
    """The key ids the provider is configured with: new ones, or those applied with."""
    return CONFIGURED if rotated else APPLIED_WITH


def native_provider(keys: dict[str | None, str]) -> GenAuthProvider:
    """A native provider with its own keys and a ``pools`` entry "b"."""
    made = GenAuthProvider(environ={}, client_factory=no_client)
    args = {
        "host": HOST,
        "accessKeyId": keys[None],
        "accessKeySecret": "own-secret",
        "pools": {"b": {"accessKeyId": keys["b"], "accessKeySecret": "b-secret"}},
    }
    run(made.configure(ConfigureRequest({}, values(args), True, True)))
    return made


@pytest.mark.parametrize("rotated", ROTATED)
@pytest.mark.parametrize("pool", POOLS)
def test_a_new_key_previews_as_an_update_of_the_key_id_in_the_native_provider(
    pool: str | None, rotated: bool
) -> None:
    """Native Check records the key id configured for the resource's pool, not the old
    inputs' one; Diff against the state applied with the old key names accessKeyId alone (an
    update, no replacement), and nothing when the key is the same."""
    declared = {"type": "custom", "smtpConfig": SMTP, **({"pool": pool} if pool else {})}
    last_inputs = values({**declared, "accessKeyId": APPLIED_WITH[pool]})
    state = values({**declared, "enabled": True, "userpoolId": "pool-a",
                    "accessKeyId": APPLIED_WITH[pool]})  # fmt: skip
    made = native_provider(key_ids(rotated))

    checked = run(made.check(CheckRequest(URN, last_inputs, values(declared), b"")))
    assert checked.failures == []
    assert checked.inputs is not None
    answer = run(made.diff(DiffRequest(URN, "pool-a", state, checked.inputs, [])))
    made.close()

    assert checked.inputs["accessKeyId"] == PropertyValue(key_ids(rotated)[pool])
    kinds = {path: diff.kind for path, diff in answer.detailed_diff.items()}
    assert kinds == ({"accessKeyId": PropertyDiffKind.UPDATE} if rotated else {})
    assert (answer.changes, answer.replaces) == (rotated, [])


def dynamic_provider(keys: dict[str | None, str]) -> EmailProviderProvider:
    """A dynamic resource's provider with the stack's keys and a ``genauth:pools`` entry "b"."""
    provider = EmailProviderProvider()
    provider._environ = {}
    config = {
        "genauth:host": HOST,
        "genauth:accessKeyId": keys[None],
        "genauth:accessKeySecret": "own-secret",
        "genauth:pools": json.dumps(
            {"b": {"accessKeyId": keys["b"], "accessKeySecret": "b-secret"}}
        ),
    }
    provider.configure(dynamic.ConfigureRequest(dynamic.Config(config, "test-project")))
    provider.client_factory = no_client
    return provider


@pytest.mark.parametrize("rotated", ROTATED)
@pytest.mark.parametrize("pool", POOLS)
def test_a_new_key_previews_as_an_update_of_the_key_id_in_the_dynamic_provider(
    monkeypatch: pytest.MonkeyPatch, pool: str | None, rotated: bool
) -> None:
    """Dynamic check records the key id configured for the resource's pool, not one the
    inputs held; the server's diff against the state applied with the old key names
    access_key_id alone (an update, no replacement), and nothing when the key is the same."""
    # As the SDK's server hands them over: the resource's None inputs (access_key_id, an
    # output, and pool when there is none) are left out.
    declared = {**copy.deepcopy(CASES["custom"][0]), **({"pool": pool} if pool else {})}
    state = {**copy.deepcopy(declared), "userpool_id": "pool-a",
             "access_key_id": APPLIED_WITH[pool]}  # fmt: skip
    provider = dynamic_provider(key_ids(rotated))

    checked = provider.check({**declared, "access_key_id": APPLIED_WITH[pool]}, declared)
    assert checked.failures == []
    answer = served_diff(monkeypatch, provider, state, checked.inputs)
    provider.close()

    assert checked.inputs["access_key_id"] == key_ids(rotated)[pool]
    assert diff_kinds(answer) == ({"access_key_id": "UPDATE"} if rotated else {})
    some, none = proto.DiffResponse.DIFF_SOME, proto.DiffResponse.DIFF_NONE
    assert (answer.changes, list(answer.replaces)) == (some if rotated else none, [])
