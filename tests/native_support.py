"""The native provider called in process as the SDK's server calls it: the helpers its unit
tests share.

URNs and a custom setting as the engine spells them, property values from plain data and
back (:func:`values`, :func:`plain_values`), one method run on a loop of its own
(:func:`run`), and providers configured with keys (:func:`provider`) or for the emulator's
pool-a (:func:`applying`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from pulumi_genauth.emulator.server import EmulatorServer
from pulumi_genauth.native._protocol import ConfigureRequest, CreateRequest, CreateResponse
from pulumi_genauth.native._provider import GenAuthProvider
from pulumi_genauth.native._schema import RESOURCE_TOKEN
from pulumi_genauth.native._values import PropertyValue

T = TypeVar("T")
URN = f"urn:pulumi:dev::p::{RESOURCE_TOKEN}::mail"
# The URNs of the default provider (the engine's name for it) and of an explicit one.
DEFAULT_PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:genauth::default_0_3_0"
EXPLICIT_PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:genauth::all"
SMTP = {
    "smtpHost": "smtp.example.com",
    "smtpPort": 465.0,
    "sender": "a@example.com",
    "senderPass": "pw-1",
    "secure": True,
}


def run(call: Coroutine[Any, Any, T]) -> T:
    """Run one provider method on a loop of its own (asyncio.run would unset the session's)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(call)
    finally:
        loop.close()


def values(plain: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """Plain values as the engine's property values (numbers as floats)."""

    def one(item: Any) -> PropertyValue:
        if isinstance(item, Mapping):
            return PropertyValue({key: one(value) for key, value in item.items()})
        return PropertyValue(float(item) if type(item) is int else item)

    return {key: one(item) for key, item in plain.items()}


def provider() -> GenAuthProvider:
    """A provider configured with keys (no call to GenAuth is made by these tests)."""
    made = GenAuthProvider(environ={})
    args = values({"host": "http://127.0.0.1:1", "accessKeyId": "id", "accessKeySecret": "s"})
    run(made.configure(ConfigureRequest({}, args, True, True)))
    return made


Warnings = list[tuple[str, str]]


def applying(emulator: EmulatorServer, warnings: Warnings, **config: str) -> GenAuthProvider:
    """A provider for pool-a as the plugin makes it (its own client), warnings recorded."""
    pool = emulator.pools[0]
    made = GenAuthProvider(environ={}, log=lambda urn, message: warnings.append((urn, message)))
    args = {"host": emulator.url, "accessKeyId": pool.access_key_id,
            "accessKeySecret": pool.access_key_secret, **config}  # fmt: skip
    run(made.configure(ConfigureRequest({}, values(args), True, True)))
    return made


def plain_values(properties: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Property values as plain data, each secret as ("secret", value)."""

    def one(item: PropertyValue) -> Any:
        inner = item.value
        if isinstance(inner, Mapping):
            inner = {key: one(value) for key, value in inner.items()}
        return ("secret", inner) if item.is_secret else inner

    return {key: one(value) for key, value in properties.items()}


def create(made: GenAuthProvider, inputs: dict[str, Any]) -> CreateResponse:
    return run(made.create(CreateRequest(URN, values(inputs), 60, False)))
