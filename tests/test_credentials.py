"""Where the credentials come from: the stack config first, then GENAUTH_*, pools by name.

Pure functions of the config and the environment: no network, no engine.
"""

from __future__ import annotations

import json

import pytest

from pulumi_genauth import ConfigurationError
from pulumi_genauth._credentials import resolve_credentials

STACK = {
    "genauth:host": "https://stack.example.com",
    "genauth:accessKeyId": "stack-id",
    "genauth:accessKeySecret": "stack-secret",
}
ENVIRON = {
    "GENAUTH_HOST": "https://environ.example.com",
    "GENAUTH_ACCESS_KEY_ID": "environ-id",
    "GENAUTH_ACCESS_KEY_SECRET": "environ-secret",
    "GENAUTH_BRAND": "authing",
}


def test_the_stack_config_wins_over_the_environment() -> None:
    """Both set: the stack's keys and host are used (the environment is the fallback only)."""
    found = resolve_credentials(STACK, ENVIRON, None)
    assert (found.host, found.access_key_id, found.access_key_secret) == (
        "https://stack.example.com",
        "stack-id",
        "stack-secret",
    )


def test_the_environment_fills_what_the_stack_config_lacks() -> None:
    """No stack config at all: every value comes from GENAUTH_*, the brand included."""
    found = resolve_credentials({}, ENVIRON, None)
    assert (found.host, found.access_key_id, found.access_key_secret, found.brand) == (
        "https://environ.example.com",
        "environ-id",
        "environ-secret",
        "authing",
    )


def test_genauth_brand_applies_to_the_stack_credentials_too() -> None:
    """GENAUTH_BRAND names the header brand when genauth:brand is not set."""
    assert resolve_credentials(STACK, {"GENAUTH_BRAND": "authing"}, None).brand == "authing"
    assert resolve_credentials({**STACK, "genauth:brand": "genauth"}, ENVIRON, None).brand == (
        "genauth"
    )


def test_a_pool_entry_uses_its_own_host_and_keys() -> None:
    """genauth:pools.<name>.host is the host of that pool; without one, the default host."""
    pools = {
        "staff": {"host": "https://staff.example.com", "accessKeyId": "s", "accessKeySecret": "x"},
        "plain": {"accessKeyId": "p", "accessKeySecret": "y"},
    }
    config = {**STACK, "genauth:pools": json.dumps(pools)}
    staff = resolve_credentials(config, ENVIRON, "staff")
    plain = resolve_credentials(config, ENVIRON, "plain")
    assert (staff.host, staff.access_key_id, staff.access_key_secret) == (
        "https://staff.example.com",
        "s",
        "x",
    )
    assert (plain.host, plain.access_key_id) == ("https://stack.example.com", "p")


def test_the_access_key_secret_is_not_in_the_repr() -> None:
    """Credentials print without their secret."""
    assert "stack-secret" not in repr(resolve_credentials(STACK, {}, None))


def test_a_typo_in_a_pool_entry_names_the_key_meant() -> None:
    """An unknown key of an entry is refused with the nearest known one."""
    pools = {"staff": {"hots": "https://x.example.com", "accessKeyId": "s", "accessKeySecret": "x"}}
    with pytest.raises(ConfigurationError, match=r"genauth:pools\.staff\.hots .*did you mean"):
        resolve_credentials({"genauth:pools": json.dumps(pools)}, {}, "staff")
