"""Each user pool's API client, made once per provider and closed when it shuts down.

Both front ends reach a pool through one ``GenAuthClient`` per set of credentials: the
dynamic resource and the native plugin both key them by the resource's ``pool`` entry
(``None`` for the provider's own credentials: the stack's default ones, or the native
provider's keys). The engine calls a provider from
several threads at once (the dynamic server's four, the native plugin's API threads), so a
pool's first calls race: the registry makes its client once and hands the others the same one.
Making a client costs no network call (the management token is fetched at its first use), so
one lock over the making is enough.

It also owns the check that keeps a resource from being changed through another pool's keys:
a resource's id is its user pool, and credentials that open another pool are refused before
anything is sent (:meth:`PoolClients.for_resource`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from ._exceptions import PoolMismatchError

if TYPE_CHECKING:
    from ._client import GenAuthClient
    from ._credentials import Credentials

ClientFactory = Callable[["Credentials"], "GenAuthClient"]
"""Makes the client of one set of credentials (tests give a provider their own)."""


def default_client(credentials: Credentials) -> GenAuthClient:
    """The real client of ``credentials``; the HTTP stack is imported at this first call."""
    from ._client import make_client  # noqa: PLC0415 - not at a preview, which makes no call

    return make_client(credentials)


class PoolClients:
    """The clients of one provider, by the key that picks their credentials."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[Hashable, GenAuthClient] = {}

    def get(self, key: Hashable, make: Callable[[], GenAuthClient]) -> GenAuthClient:
        """The client of ``key``, made by ``make`` at the first call only (thread-safe)."""
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = make()
            return client

    def for_resource(
        self, key: Hashable, make: Callable[[], GenAuthClient], resource_pool_id: str, keys: str
    ) -> GenAuthClient:
        """The client of ``key``, refusing it if its credentials open another user pool.

        ``keys`` says where the resource's keys are set, for the message (per front end).
        """
        client = self.get(key, make)
        if client.userpool_id != resource_pool_id:
            raise PoolMismatchError(
                resource_pool_id=resource_pool_id,
                credentials_pool_id=client.userpool_id,
                keys=keys,
            )
        return client

    def close(self) -> None:
        """Close every client's connections (the servers never do; tests and tools do)."""
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
