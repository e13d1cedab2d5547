"""The user pools a deployment has configured: one EmailProvider per pool per deployment.

One provider process serves one deployment (the engine starts the plugin per operation), so
the claims live in the process: a second create or update of a pool fails before it
overwrites the first, and ``_ownership`` leaves alone, on delete, a pool that another
resource of the deployment configured (a rename without an alias).
"""

from __future__ import annotations

import threading
from typing import Final

from ._exceptions import PoolClaimedError

__all__ = ["DEPLOYMENT_CLAIMS", "PoolClaims"]


class PoolClaims:
    """The user pools configured (created or updated) so far in this deployment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: set[str] = set()

    def claim(self, userpool_id: str) -> None:
        """Record that a resource configures ``userpool_id``; a second claim fails."""
        with self._lock:
            if userpool_id in self._pools:
                raise PoolClaimedError(userpool_id)
            self._pools.add(userpool_id)

    def is_claimed(self, userpool_id: str) -> bool:
        """Whether a resource of this deployment has configured ``userpool_id``."""
        with self._lock:
            return userpool_id in self._pools


# The provider instance is cached per pickled form, which may differ between versions of this
# package: one registry per process, whatever instance serves the call.
DEPLOYMENT_CLAIMS: Final = PoolClaims()
