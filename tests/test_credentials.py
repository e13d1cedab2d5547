"""Where the credentials come from: the stack config first, then GENAUTH_*, pools by name.

Pure functions of the config and the environment: no network, no engine.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_genauth import ConfigurationError
from pulumi_genauth._credentials import (
    Credentials,
    explicit_provider_pools,
    pool_names,
    resolve_credentials,
)

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


# Each a stack config, an environment and the whole sentence the user gets for the default pool.
MISSING_KEYS = [
    pytest.param(
        {},
        {},
        "GenAuth credentials are missing: set genauth:accessKeyId (or $GENAUTH_ACCESS_KEY_ID) "
        "and genauth:accessKeySecret (or $GENAUTH_ACCESS_KEY_SECRET), e.g. `pulumi config set "
        "genauth:accessKeyId <id>` and `pulumi config set --secret genauth:accessKeySecret "
        "<secret>`",
        id="both",
    ),
    pytest.param(
        {"genauth:accessKeyId": "stack-id"},
        {},
        "GenAuth credentials are missing: set genauth:accessKeySecret (or "
        "$GENAUTH_ACCESS_KEY_SECRET), e.g. `pulumi config set genauth:accessKeyId <id>` and "
        "`pulumi config set --secret genauth:accessKeySecret <secret>`",
        id="secret",
    ),
    pytest.param(
        {"genauth:accessKeyId": "  "},
        {"GENAUTH_ACCESS_KEY_SECRET": "environ-secret"},
        "GenAuth credentials are missing: set genauth:accessKeyId (or $GENAUTH_ACCESS_KEY_ID), "
        "e.g. `pulumi config set genauth:accessKeyId <id>` and `pulumi config set --secret "
        "genauth:accessKeySecret <secret>`",
        id="id, blank in the stack",
    ),
]


@pytest.mark.parametrize(("config", "environ", "message"), MISSING_KEYS)
def test_missing_keys_are_named_with_the_commands_that_set_them(
    config: dict[str, str], environ: dict[str, str], message: str
) -> None:
    """No access key: the error names exactly the keys missing, each with its variable."""
    with pytest.raises(ConfigurationError) as error:
        resolve_credentials(config, environ, None)
    assert str(error.value) == message


def add_it(pool: str) -> str:
    """The commands that every "not an entry" error ends with, for ``pool``."""
    return (
        f"add it with `pulumi config set --path 'genauth:pools.{pool}.accessKeyId' <id>` and "
        f"`pulumi config set --secret --path 'genauth:pools.{pool}.accessKeySecret' <secret>`"
    )


# Each a value of genauth:pools and the whole sentence the user gets for pool="staff".
BAD_POOLS = [
    pytest.param(
        None,
        f"pool 'staff' is not an entry of the stack config genauth:pools (entries: none); "
        f"{add_it('staff')}",
        id="no genauth:pools",
    ),
    pytest.param(
        "",
        f"pool 'staff' is not an entry of the stack config genauth:pools (entries: none); "
        f"{add_it('staff')}",
        id="empty genauth:pools",
    ),
    pytest.param(
        json.dumps({"prod": {}, "dev": {}}),
        f"pool 'staff' is not an entry of the stack config genauth:pools (entries: 'dev', "
        f"'prod'); {add_it('staff')}",
        id="other entries, sorted",
    ),
    pytest.param(
        '{"staff": {"accessKeySecret": "planted-secret"',
        "the stack config genauth:pools is not valid JSON",
        id="not JSON, text not quoted",
    ),
    pytest.param(
        json.dumps(["staff"]),
        "the stack config genauth:pools must be an object of named pools, e.g. "
        '{"staging": {"host": "...", "accessKeyId": "...", "accessKeySecret": "..."}}',
        id="not an object",
    ),
    pytest.param(
        json.dumps({"staff": "key-id"}),
        "genauth:pools.staff must be an object with accessKeyId and accessKeySecret",
        id="entry not an object",
    ),
    pytest.param(
        json.dumps({"staff": {"host": "https://staff.example.com"}}),
        "GenAuth credentials are missing for pool 'staff': set genauth:pools.staff.accessKeyId "
        "and genauth:pools.staff.accessKeySecret (the secret with --secret --path)",
        id="entry without keys",
    ),
    pytest.param(
        json.dumps({"staff": {"accessKeyId": "s", "accessKeySecret": " "}}),
        "GenAuth credentials are missing for pool 'staff': set "
        "genauth:pools.staff.accessKeySecret (the secret with --secret --path)",
        id="entry with a blank secret",
    ),
    pytest.param(
        json.dumps({"staff": {"accessKeySecret": "x"}}),
        "GenAuth credentials are missing for pool 'staff': set "
        "genauth:pools.staff.accessKeyId (the secret with --secret --path)",
        id="entry without an id",
    ),
    pytest.param(
        json.dumps({"staff": {"accessKeyId": "s", "accessKeySecret": "x", "region": "cn"}}),
        "the stack config key genauth:pools.staff.region is not one of pulumi-genauth's: the "
        "known keys are genauth:pools.staff.host, genauth:pools.staff.accessKeyId, "
        "genauth:pools.staff.accessKeySecret, genauth:pools.staff.brand",
        id="unknown key, nothing near it",
    ),
    pytest.param(
        json.dumps({"staff": {"accessKeyId": "s", "accessKeySecret": "x", "brand": " okta "}}),
        "genauth:pools.staff.brand must be 'genauth' or 'authing' (got 'okta')",
        id="unknown brand",
    ),
    pytest.param(
        json.dumps({"staff": {"accessKeyId": "", "accessKeySecret": "x", "brand": ""}}),
        "GenAuth credentials are missing for pool 'staff': set "
        "genauth:pools.staff.accessKeyId (the secret with --secret --path)",
        id="entry with an empty id",
    ),
    pytest.param(
        " \n",
        f"pool 'staff' is not an entry of the stack config genauth:pools (entries: none); "
        f"{add_it('staff')}",
        id="blank genauth:pools",
    ),
    pytest.param(
        json.dumps(
            {
                "staff": {
                    "host": "http://api.example.com",
                    "accessKeyId": "s",
                    "accessKeySecret": "x",
                }
            }
        ),
        "genauth:pools.staff.host: GenAuth host 'http://api.example.com' uses plain http://, "
        "which is only allowed for loopback hosts (a local emulator); use https://",
        id="entry host not https",
    ),
]


@pytest.mark.parametrize(("pools", "message"), BAD_POOLS)
def test_a_pool_that_cannot_be_used_is_refused_with_what_to_set(
    pools: str | None, message: str
) -> None:
    """A pool entry missing or malformed: one sentence names the config path and the fix."""
    config = {**STACK, "genauth:pools": pools} if pools is not None else STACK
    with pytest.raises(ConfigurationError) as error:
        resolve_credentials(config, ENVIRON, "staff")
    assert str(error.value) == message


TWO_POOLS = json.dumps(
    {name: {"accessKeyId": "i", "accessKeySecret": "s"} for name in ("marketing", "support")}
)


def test_a_misspelt_pool_gets_the_nearest_entry() -> None:
    """pool 'suport': the entries, and the one it is nearest to (the dynamic resource's words)."""
    with pytest.raises(ConfigurationError) as error:
        resolve_credentials({**STACK, "genauth:pools": TWO_POOLS}, ENVIRON, "suport")
    assert str(error.value) == (
        "pool 'suport' is not an entry of the stack config genauth:pools (entries: 'marketing', "
        "'support'): did you mean 'support'?"
    )


@pytest.mark.parametrize(
    ("pool", "pools", "message"),
    [
        (
            "billing",
            TWO_POOLS,
            "pool 'billing' is not an entry of the pools of provider 'all' (entries: "
            "'marketing', 'support'); add an entry 'billing' with its accessKeyId and "
            "accessKeySecret",
        ),
        (
            "staff",
            json.dumps({"staff": {"accessKeySecret": "x"}}),
            "GenAuth credentials are missing for pool 'staff': set pools.staff.accessKeyId",
        ),
        (
            "staff",
            json.dumps({"staff": {"accessKeyId": "s", "accessKeySecret": "x", "acessKeyId": "s"}}),
            "the provider property pools.staff.acessKeyId is not one of pulumi-genauth's: did "
            "you mean pools.staff.accessKeyId?",
        ),
        (
            "staff",
            json.dumps({"staff": {"accessKeyId": "s", "accessKeySecret": "x", "brand": "okta"}}),
            "pools.staff.brand must be 'genauth' or 'authing' (got 'okta')",
        ),
    ],
    ids=["no entry near", "entry without an id", "misspelt key", "unknown brand"],
)
def test_an_explicit_provider_s_pools_are_named_as_its_property_not_the_stack_config(
    pool: str, pools: str, message: str
) -> None:
    """An explicit native provider's pools: no genauth:pools, no `pulumi config set` advice."""
    with pytest.raises(ConfigurationError) as error:
        resolve_credentials(
            {**STACK, "genauth:pools": pools}, ENVIRON, pool, explicit_provider_pools("all")
        )
    assert str(error.value) == message


def test_genauth_pools_may_arrive_as_an_object() -> None:
    """The engine may hand structured config over as an object rather than JSON text."""
    pools = {"staff": {"accessKeyId": "s", "accessKeySecret": "x"}}
    found = resolve_credentials({**STACK, "genauth:pools": pools}, {}, "staff")
    assert (found.access_key_id, found.access_key_secret) == ("s", "x")


@pytest.mark.parametrize(
    ("entry_brand", "config_brand", "environ_brand", "brand"),
    [
        ("authing", None, None, "authing"),
        ("genauth", "authing", "authing", "genauth"),
        (None, "authing", None, "authing"),
        (None, None, "authing", "authing"),
        (None, None, None, None),
    ],
)
def test_a_pool_entry_brand_wins_else_the_default_brand_applies(
    entry_brand: str | None, config_brand: str | None, environ_brand: str | None, brand: str | None
) -> None:
    """genauth:pools.<name>.brand, else genauth:brand, else GENAUTH_BRAND, else from the host."""
    entry = {"accessKeyId": "s", "accessKeySecret": "x"}
    if entry_brand:
        entry["brand"] = entry_brand
    config: dict[str, object] = {"genauth:pools": {"staff": entry}}
    if config_brand:
        config["genauth:brand"] = config_brand
    environ = {"GENAUTH_BRAND": environ_brand} if environ_brand else {}
    assert resolve_credentials(config, environ, "staff").brand == brand


# Each a stack config, an environment and the whole sentence: the source is named first.
BAD_DEFAULTS = [
    pytest.param(
        {"genauth:host": "http://api.example.com"},
        {},
        "genauth:host: GenAuth host 'http://api.example.com' uses plain http://, which is "
        "only allowed for loopback hosts (a local emulator); use https://",
        id="genauth:host",
    ),
    pytest.param(
        {},
        {"GENAUTH_HOST": "http://api.example.com"},
        "$GENAUTH_HOST: GenAuth host 'http://api.example.com' uses plain http://, which is "
        "only allowed for loopback hosts (a local emulator); use https://",
        id="GENAUTH_HOST",
    ),
    pytest.param(
        {"genauth:host": " "},
        {"GENAUTH_HOST": "http://api.example.com"},
        "$GENAUTH_HOST: GenAuth host 'http://api.example.com' uses plain http://, which is "
        "only allowed for loopback hosts (a local emulator); use https://",
        id="GENAUTH_HOST, genauth:host blank",
    ),
    pytest.param(
        {},
        {"GENAUTH_HOST": "https://admin:planted-password@api.example.com"},
        "$GENAUTH_HOST: GenAuth host 'https://***@api.example.com' must be a plain "
        "https://host[:port] URL, with no query, fragment or user info",
        id="GENAUTH_HOST with a password, not quoted",
    ),
    pytest.param(
        {"genauth:brand": "okta"},
        {"GENAUTH_BRAND": "authing"},
        "genauth:brand must be 'genauth' or 'authing' (got 'okta')",
        id="genauth:brand",
    ),
    pytest.param(
        {},
        {"GENAUTH_BRAND": "okta"},
        "$GENAUTH_BRAND must be 'genauth' or 'authing' (got 'okta')",
        id="GENAUTH_BRAND",
    ),
    pytest.param(
        {"genauth:brand": ""},
        {"GENAUTH_BRAND": " Okta "},
        "$GENAUTH_BRAND must be 'genauth' or 'authing' (got 'Okta')",
        id="GENAUTH_BRAND, genauth:brand empty",
    ),
]


@pytest.mark.parametrize(("config", "environ", "message"), BAD_DEFAULTS)
def test_a_bad_default_host_or_brand_is_refused_naming_where_it_came_from(
    config: dict[str, str], environ: dict[str, str], message: str
) -> None:
    """A refused host or brand names the config key or variable it was read from."""
    keys = {"genauth:accessKeyId": "stack-id", "genauth:accessKeySecret": "stack-secret"}
    with pytest.raises(ConfigurationError) as error:
        resolve_credentials({**keys, **config}, environ, None)
    assert str(error.value) == message
    assert "planted-password" not in message


def test_a_bad_genauth_brand_is_named_for_a_pool_too() -> None:
    """A pool without a brand of its own uses the default one, so a bad one is refused."""
    pools = {"staff": {"accessKeyId": "s", "accessKeySecret": "x"}}
    with pytest.raises(ConfigurationError) as error:
        resolve_credentials({"genauth:pools": pools}, {"GENAUTH_BRAND": "okta"}, "staff")
    assert str(error.value) == "$GENAUTH_BRAND must be 'genauth' or 'authing' (got 'okta')"


BLANKS = ["", " ", "\t\n "]


def outcome(config: dict[str, Any], environ: dict[str, str], pool: str | None) -> object:
    """The credentials resolved, or the whole message of the error that refused them."""
    try:
        return resolve_credentials(config, environ, pool)
    except ConfigurationError as error:
        return str(error)


# Each a variable and what the environment gives without it (ENVIRON's other three).
WITHOUT_VARIABLE = [
    pytest.param(
        "GENAUTH_HOST",
        Credentials("https://api.genauth.ai", "environ-id", "environ-secret", "authing"),
        id="GENAUTH_HOST",
    ),
    pytest.param(
        "GENAUTH_ACCESS_KEY_ID",
        "GenAuth credentials are missing: set genauth:accessKeyId (or $GENAUTH_ACCESS_KEY_ID), "
        "e.g. `pulumi config set genauth:accessKeyId <id>` and `pulumi config set --secret "
        "genauth:accessKeySecret <secret>`",
        id="GENAUTH_ACCESS_KEY_ID",
    ),
    pytest.param(
        "GENAUTH_ACCESS_KEY_SECRET",
        "GenAuth credentials are missing: set genauth:accessKeySecret (or "
        "$GENAUTH_ACCESS_KEY_SECRET), e.g. `pulumi config set genauth:accessKeyId <id>` and "
        "`pulumi config set --secret genauth:accessKeySecret <secret>`",
        id="GENAUTH_ACCESS_KEY_SECRET",
    ),
    pytest.param(
        "GENAUTH_BRAND",
        Credentials("https://environ.example.com", "environ-id", "environ-secret", None),
        id="GENAUTH_BRAND",
    ),
]


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
@pytest.mark.parametrize(("variable", "unset"), WITHOUT_VARIABLE)
def test_a_blank_environment_variable_counts_as_unset(
    variable: str, unset: object, blank: str
) -> None:
    """GENAUTH_X= (as CI templates leave it) or white space: as if GENAUTH_X were not set."""
    without = {name: value for name, value in ENVIRON.items() if name != variable}
    assert outcome({}, without, None) == unset
    assert outcome({}, {**without, variable: blank}, None) == unset


def test_blank_variables_leave_the_stack_config_in_use() -> None:
    """All four variables blank: the stack config alone, the brand picked from the host."""
    blank = dict.fromkeys(ENVIRON, "")
    assert outcome(STACK, blank, None) == Credentials(
        "https://stack.example.com", "stack-id", "stack-secret", None
    )


# Each a stack config key and the attribute the environment fills when it is blank.
CONFIG_FALLBACKS = [
    pytest.param("genauth:host", "host", "https://environ.example.com", id="genauth:host"),
    pytest.param("genauth:accessKeyId", "access_key_id", "environ-id", id="genauth:accessKeyId"),
    pytest.param(
        "genauth:accessKeySecret",
        "access_key_secret",
        "environ-secret",
        id="genauth:accessKeySecret",
    ),
    pytest.param("genauth:brand", "brand", "authing", id="genauth:brand"),
]


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
@pytest.mark.parametrize(("key", "attribute", "from_environ"), CONFIG_FALLBACKS)
def test_a_blank_stack_config_value_counts_as_unset(
    key: str, attribute: str, from_environ: str, blank: str
) -> None:
    """genauth:x set to "" (or white space): the environment's value, as if it were not set."""
    config = {**STACK, "genauth:brand": "genauth", key: blank}
    assert getattr(resolve_credentials(config, ENVIRON, None), attribute) == from_environ


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
@pytest.mark.parametrize("key", ["host", "brand"])
def test_a_blank_pool_entry_value_counts_as_unset(key: str, blank: str) -> None:
    """genauth:pools.<name>.host or .brand blank: the default one, as if it were not set."""
    config = {
        **STACK,
        "genauth:brand": "authing",
        "genauth:pools": {"staff": {"accessKeyId": "s", "accessKeySecret": "x", key: blank}},
    }
    assert outcome(config, {}, "staff") == Credentials(
        "https://stack.example.com", "s", "x", "authing"
    )


@pytest.mark.parametrize(
    ("written", "brand"),
    [
        ("Authing", "authing"),
        ("GENAUTH", "genauth"),
        (" authing ", "authing"),
        ("GenAuth\t", "genauth"),
    ],
)
@pytest.mark.parametrize("where", ["genauth:brand", "GENAUTH_BRAND", "genauth:pools.staff.brand"])
def test_a_brand_is_taken_in_any_case(where: str, written: str, brand: str) -> None:
    """Authing, GENAUTH, ' authing ': the brand named, as the lower-case name the client uses."""
    config: dict[str, Any] = dict(STACK)
    environ: dict[str, str] = {}
    pool = None
    if where == "genauth:brand":
        config["genauth:brand"] = written
    elif where == "GENAUTH_BRAND":
        environ["GENAUTH_BRAND"] = written
    else:
        config["genauth:pools"] = {
            "staff": {"accessKeyId": "s", "accessKeySecret": "x", "brand": written}
        }
        pool = "staff"
    assert resolve_credentials(config, environ, pool).brand == brand


def test_pool_names_lists_the_entries_sorted() -> None:
    """The names of genauth:pools' entries, in order; none when genauth:pools is not set."""
    pools = {"staff": {}, "dev": {}}
    assert pool_names({"genauth:pools": json.dumps(pools)}) == ["dev", "staff"]
    assert pool_names(STACK) == []
