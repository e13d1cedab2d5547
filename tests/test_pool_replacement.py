"""A resource's ``pool`` added, removed or changed replaces it, in both front ends.

``pool`` names the credentials, and so the user pool, that a resource manages: another one (or
none, which is the provider's own keys) is another pool's setting. Diff must say so three
ways, since the engine reads each: ``replaces`` names ``pool``, the detailed diff marks it
``UPDATE_REPLACE`` (what ``preview --diff`` shows), and ``changes`` is true. The same pool is
no change. One table, run against the native provider and the dynamic resource's provider
(its detailed diff as the SDK's server sends it, with ``_dynamic_server``'s patch).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi.runtime import proto

from pulumi_genauth._provider import EmailProviderProvider
from pulumi_genauth.native._protocol import DiffRequest, PropertyDiffKind
from pulumi_genauth.native._provider import GenAuthProvider

from .native_support import URN, run, values
from .support import CASES, diff_kinds, served_diff

# (pool of the state, pool declared now, whether that replaces the resource); None: no pool.
POOL_CHANGES = [
    pytest.param("a", None, True, id="a-to-none"),
    pytest.param(None, "a", True, id="none-to-a"),
    pytest.param("a", "b", True, id="a-to-b"),
    pytest.param("a", "a", False, id="a-to-a"),
]
SENDGRID = {"sender": "a@example.com", "apikey": "k"}


def native_props(pool: str | None) -> dict[str, Any]:
    """The native resource's properties: ``pool`` left out when there is none, as both a
    program's inputs and the plugin's outputs leave it."""
    return {"type": "sendgrid", "sendGridConfig": SENDGRID, **({"pool": pool} if pool else {})}


def dynamic_props(pool: str | None) -> dict[str, Any]:
    """The dynamic resource's properties as the SDK's server hands them to diff: the
    program's ``pool=None`` and the state's are left out (the SDK drops a None property)."""
    return {**copy.deepcopy(CASES["sendgrid"][0]), **({"pool": pool} if pool else {})}


@pytest.mark.parametrize(("old_pool", "new_pool", "replaced"), POOL_CHANGES)
def test_the_native_diff_replaces_for_a_pool_added_removed_or_changed(
    old_pool: str | None, new_pool: str | None, replaced: bool
) -> None:
    """Native Diff: a changed `pool` (to or from none too) is in `replaces`, marked
    UPDATE_REPLACE as an input diff, and a change; the same pool is no change at all."""
    made = GenAuthProvider(environ={})
    old, new = values(native_props(old_pool)), values(native_props(new_pool))

    answer = run(made.diff(DiffRequest(URN, "pool-a", old, new, [])))
    made.close()

    detailed = {path: (diff.kind, diff.input_diff) for path, diff in answer.detailed_diff.items()}
    if replaced:
        assert (answer.changes, answer.replaces) == (True, ["pool"])
        assert detailed == {"pool": (PropertyDiffKind.UPDATE_REPLACE, True)}
    else:
        assert (answer.changes, answer.replaces, detailed) == (False, [], {})


@pytest.mark.parametrize(("old_pool", "new_pool", "replaced"), POOL_CHANGES)
def test_the_dynamic_diff_replaces_for_a_pool_added_removed_or_changed(
    monkeypatch: pytest.MonkeyPatch, old_pool: str | None, new_pool: str | None, replaced: bool
) -> None:
    """Dynamic diff, as the server answers it: a changed `pool` (to or from none too) is in
    `replaces` and marked UPDATE_REPLACE, DIFF_SOME; the same pool is DIFF_NONE, no path."""
    provider = EmailProviderProvider()

    answer = served_diff(monkeypatch, provider, dynamic_props(old_pool), dynamic_props(new_pool))

    if replaced:
        assert (answer.changes, list(answer.replaces)) == (proto.DiffResponse.DIFF_SOME, ["pool"])
        assert diff_kinds(answer) == {"pool": "UPDATE_REPLACE"}
    else:
        assert (answer.changes, list(answer.replaces)) == (proto.DiffResponse.DIFF_NONE, [])
        assert diff_kinds(answer) == {}
