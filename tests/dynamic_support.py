"""The dynamic resource's provider as its server prepares it: the helpers its unit tests share.

:func:`configured_provider` configures one from stack config for the emulator's pool-a (and
pool-b as the pool entry ``b``), with fast retries; :func:`next_deployment` plays the next
deployment's plugin; :func:`props_for` gives a type's declared inputs. Each provider made is
kept in :data:`OPEN_PROVIDERS` for the test that made it to close.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_genauth import GenAuthClient
from pulumi_genauth._claims import PoolClaims
from pulumi_genauth._credentials import Credentials
from pulumi_genauth._provider import EmailProviderProvider
from pulumi_genauth.emulator.server import EmulatorServer

from .support import CASES, FAST_RETRY

OPEN_PROVIDERS: list[EmailProviderProvider] = []


def configured_provider(emulator: EmulatorServer, **extra: str) -> EmailProviderProvider:
    """A provider as the server prepares it: unpickled state, configured from stack config."""
    pool_a, pool_b = emulator.pools[0], emulator.pools[1]
    config = {
        "genauth:host": emulator.url,
        "genauth:accessKeyId": pool_a.access_key_id,
        "genauth:accessKeySecret": pool_a.access_key_secret,
        "genauth:pools": json.dumps(
            {
                "b": {
                    "accessKeyId": pool_b.access_key_id,
                    "accessKeySecret": pool_b.access_key_secret,
                }
            }
        ),
        **extra,
    }
    provider = EmailProviderProvider()
    OPEN_PROVIDERS.append(provider)
    provider._environ = {}  # the test's environment must not leak in
    provider.configure(ConfigureRequest(Config(config, "test-project")))

    def fast_client(credentials: Credentials) -> GenAuthClient:
        return GenAuthClient(
            host=credentials.host,
            access_key_id=credentials.access_key_id,
            access_key_secret=credentials.access_key_secret,
            retry=FAST_RETRY,
        )

    provider.client_factory = fast_client
    provider.claims = PoolClaims()  # one deployment per provider, not one per test process
    OPEN_PROVIDERS.append(provider)
    return provider


def next_deployment(provider: EmailProviderProvider) -> EmailProviderProvider:
    """The provider as the next `pulumi up` / `destroy` has it: no pool claimed yet.

    The engine starts the plugin once per deployment; a test that plays several deployments
    with one provider object starts each anew.
    """
    provider.claims = PoolClaims()
    return provider


def props_for(kind: str, **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(CASES[kind][0]), "pool": None, **changes}
