"""The native provider's credentials: its config, then the same environment variables.

The rules are the core's (``_credentials``, tested in test_credentials); these tests pin that
the plugin feeds them its provider config (``host``, ``accessKeyId``, ...) and its environment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from pulumi_genauth._credentials import Credentials
from pulumi_genauth.native._protocol import CheckRequest, ConfigureRequest
from pulumi_genauth.native._provider import GenAuthProvider
from pulumi_genauth.native._schema import RESOURCE_TOKEN
from pulumi_genauth.native._values import PropertyValue

T = TypeVar("T")
URN = f"urn:pulumi:dev::p::{RESOURCE_TOKEN}::mail"

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


def run(call: Coroutine[Any, Any, T]) -> T:
    """Run one provider method on a loop of its own."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(call)
    finally:
        loop.close()


def configured(args: dict[str, PropertyValue], environ: dict[str, str]) -> Credentials:
    recorder = Recorder()
    provider = GenAuthProvider(environ=environ, client_factory=recorder)
    run(provider.configure(ConfigureRequest({}, args, True, True)))
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


def test_blank_provider_config_and_environment_values_count_as_unset() -> None:
    """A blank host, secret or brand of the provider, GENAUTH_BRAND=: as if none were set."""
    args = {
        "host": PropertyValue(" "),
        "accessKeyId": PropertyValue("config-id"),
        "accessKeySecret": PropertyValue("  ", is_secret=True),
        "brand": PropertyValue(""),
    }
    credentials = configured(args, {**ENVIRON, "GENAUTH_BRAND": ""})
    assert credentials == Credentials("https://env.example.com", "config-id", "env-secret", None)


@pytest.mark.parametrize(
    ("args", "environ", "brand"),
    [
        ({"brand": PropertyValue("Authing")}, {}, "authing"),
        ({}, {"GENAUTH_BRAND": " GENAUTH "}, "genauth"),
    ],
    ids=["brand", "GENAUTH_BRAND"],
)
def test_the_brand_is_taken_in_any_case(
    args: dict[str, PropertyValue], environ: dict[str, str], brand: str
) -> None:
    """The provider's brand and GENAUTH_BRAND are read as the lower-case brand name."""
    assert configured(args, {**ENVIRON, **environ}).brand == brand


@pytest.mark.parametrize(
    ("args", "environ", "reason"),
    [
        (
            {"brand": PropertyValue("okta")},
            {"GENAUTH_BRAND": "authing"},
            "genauth:brand must be 'genauth' or 'authing' (got 'okta')",
        ),
        (
            {"brand": PropertyValue(" ")},
            {"GENAUTH_BRAND": "okta"},
            "$GENAUTH_BRAND must be 'genauth' or 'authing' (got 'okta')",
        ),
    ],
    ids=["brand", "GENAUTH_BRAND"],
)
def test_check_names_where_a_bad_brand_came_from(
    args: dict[str, PropertyValue], environ: dict[str, str], reason: str
) -> None:
    """A preview refuses a bad brand with the provider key or the variable it was read from."""
    provider = GenAuthProvider(environ={**ENVIRON, **environ}, client_factory=Recorder())
    inputs = {
        "type": PropertyValue("custom"),
        "smtpConfig": PropertyValue(
            {
                "smtpHost": PropertyValue("smtp.example.com"),
                "smtpPort": PropertyValue(465.0),
                "sender": PropertyValue("a@example.com"),
                "senderPass": PropertyValue("pw-1"),
                "secure": PropertyValue(True),
            }
        ),
    }
    try:
        run(provider.configure(ConfigureRequest({}, args, True, True)))
        checked = run(provider.check(CheckRequest(URN, {}, inputs, b"")))
    finally:
        provider.close()
    assert [(failure.property, failure.reason) for failure in checked.failures] == [("", reason)]
