"""One client per pool per provider, whatever the threads; all closed at shutdown."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import pytest

from pulumi_genauth import PoolMismatchError
from pulumi_genauth._pool_clients import PoolClients
from pulumi_genauth.native._provider import API_THREADS, GenAuthProvider


class FakeClient:
    """Stands for a GenAuthClient: the pool its keys open, and whether it was closed."""

    def __init__(self, userpool_id: str = "pool-a") -> None:
        self.userpool_id = userpool_id
        self.closed = False

    def close(self) -> None:
        self.closed = True


class SlowFactory:
    """Makes FakeClients slowly (so that first calls overlap), counting them."""

    def __init__(self) -> None:
        self.made: list[FakeClient] = []
        self._lock = threading.Lock()

    def __call__(self, *_args: Any) -> Any:
        time.sleep(0.05)
        client = FakeClient()
        with self._lock:
            self.made.append(client)
        return client


def test_many_concurrent_first_calls_make_one_client() -> None:
    clients = PoolClients()
    factory = SlowFactory()
    start = threading.Barrier(32)

    def first_call(_: int) -> Any:
        start.wait()
        return clients.get("staff", factory)

    with ThreadPoolExecutor(32) as threads:
        got = list(threads.map(first_call, range(32)))
    assert len(factory.made) == 1
    assert all(client is factory.made[0] for client in got)


def test_each_key_has_its_own_client_and_close_closes_them_all() -> None:
    clients = PoolClients()
    a, b = FakeClient("pool-a"), FakeClient("pool-b")
    assert clients.get(None, lambda: cast(Any, a)) is a
    assert clients.get("b", lambda: cast(Any, b)) is b
    assert clients.get(None, lambda: cast(Any, FakeClient())) is a
    clients.close()
    assert a.closed
    assert b.closed
    fresh = FakeClient()
    assert clients.get(None, lambda: cast(Any, fresh)) is fresh  # after close: made anew


def test_a_resource_of_another_pool_is_refused_naming_both_and_the_keys() -> None:
    clients = PoolClients()
    client = FakeClient("pool-b")
    assert clients.for_resource(None, lambda: cast(Any, client), "pool-b", "KEYS") is client
    with pytest.raises(PoolMismatchError) as refused:
        clients.for_resource(None, lambda: cast(Any, client), "pool-a", "the provider's keys")
    assert refused.value.resource_pool_id == "pool-a"
    assert refused.value.credentials_pool_id == "pool-b"
    assert "set the provider's keys to the keys of 'pool-a'" in str(refused.value)


def test_the_native_provider_s_api_threads_make_one_client() -> None:
    """The native plugin's first calls come from its API threads at once: one client."""
    factory = SlowFactory()
    provider = GenAuthProvider(
        environ={"GENAUTH_ACCESS_KEY_ID": "id", "GENAUTH_ACCESS_KEY_SECRET": "secret"},
        client_factory=factory,
    )
    start = threading.Barrier(API_THREADS)

    def first_call(_: int) -> Any:
        start.wait()
        return provider._pool_client()

    try:
        with ThreadPoolExecutor(API_THREADS) as threads:
            got = list(threads.map(first_call, range(API_THREADS)))
    finally:
        provider.close()
    assert len(factory.made) == 1
    assert all(client is factory.made[0] for client in got)
    assert factory.made[0].closed
