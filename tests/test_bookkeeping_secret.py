"""Both front ends keep the bookkeeping secret, and the native plugin's outputs keep their types.

The bookkeeping (``applied_setting`` / ``appliedSetting``) copies a config's fields, which the
program may have made secret: the dynamic resource asks the engine to keep it secret (the
dynamic-provider protocol cannot return a secret), the native plugin marks it itself. The engine
tests prove the end result in the state (tests/engine/test_whole_secret.py); these pin each front
end's part of it without the engine.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import pulumi_genauth as genauth
from pulumi_genauth.native import _properties as names


def test_the_dynamic_resource_asks_the_engine_to_keep_its_bookkeeping_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """EmailProvider registers with applied_setting among its additional secret outputs, and
    keeps the program's own options (a protect, another secret output) beside it."""
    seen: list[pulumi.ResourceOptions] = []

    def register(_self: Any, _provider: Any, _name: str, _props: Any, opts: Any) -> None:
        seen.append(opts)

    monkeypatch.setattr(pulumi.dynamic.Resource, "__init__", register)
    given = pulumi.ResourceOptions(protect=True, additional_secret_outputs=["pool"])
    genauth.EmailProvider(
        "mail",
        type="sendgrid",
        send_grid_config={"sender": "a@example.com", "apikey": "k"},
        opts=given,
    )

    (opts,) = seen
    assert set(opts.additional_secret_outputs or []) == {"applied_setting", "pool"}
    assert opts.protect is True


def test_the_native_outputs_keep_booleans_and_numbers_as_they_are() -> None:
    """to_engine sends `secure` as a boolean (not 1.0) and a port as the wire's number, the
    bookkeeping's copies included."""
    config = {"smtp_host": "h", "smtp_port": 465, "secure": True}
    out = names.to_engine({"smtp_config": config, "applied_setting": {"smtp_config": config}})

    for smtp in (out["smtpConfig"].value, out["appliedSetting"].value["smtpConfig"].value):
        assert smtp["secure"].value is True
        port = smtp["smtpPort"].value
        assert type(port) is float
        assert port == 465.0
