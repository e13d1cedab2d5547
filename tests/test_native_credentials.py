"""The native provider's credentials: its config, then the same environment variables.

The rules are the core's (``_credentials``, tested in test_credentials); these tests pin that
the plugin feeds them its provider config (``host``, ``accessKeyId``, ...) and its environment.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import ConfigureRequest

from pulumi_genauth._credentials import Credentials
from pulumi_genauth.native._provider import GenAuthProvider

ENVIRON = {
    "GENAUTH_HOST": "https://env.example.com",
    "GENAUTH_ACCESS_KEY_ID": "env-id",
    "GENAUTH_ACCESS_KEY_SECRET": "env-secret",
}


class NoClient:
    """Stands in for the client: nothing to connect, nothing to close."""

    def close(self) -> None:
        pass


class Recorder:
    """A client factory that records the credentials it was given, and makes no client."""

    def __init__(self) -> None:
        self.seen: list[Credentials] = []

    def __call__(self, credentials: Credentials) -> Any:
        self.seen.append(credentials)
        return NoClient()


def configured(args: dict[str, PropertyValue], environ: dict[str, str]) -> Credentials:
    recorder = Recorder()
    provider = GenAuthProvider(environ=environ, client_factory=recorder)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(provider.configure(ConfigureRequest({}, args, True, True)))
    finally:
        loop.close()
    provider._pool_client()
    provider.close()
    return recorder.seen[0]


def test_the_environment_fills_an_empty_provider_config() -> None:
    """No provider config: GENAUTH_HOST / _ACCESS_KEY_ID / _ACCESS_KEY_SECRET are used."""
    credentials = configured({}, ENVIRON)
    assert (credentials.host, credentials.access_key_id) == ("https://env.example.com", "env-id")
    assert credentials.access_key_secret == "env-secret"


def test_the_provider_config_wins_over_the_environment_and_may_be_secret() -> None:
    """host/accessKeyId/accessKeySecret of the provider win; a secret value is unwrapped."""
    args = {
        "host": PropertyValue("https://config.example.com"),
        "accessKeyId": PropertyValue("config-id"),
        "accessKeySecret": PropertyValue("config-secret", is_secret=True),
    }
    credentials = configured(args, ENVIRON)
    assert credentials.host == "https://config.example.com"
    assert credentials.access_key_id == "config-id"
    assert credentials.access_key_secret == "config-secret"
