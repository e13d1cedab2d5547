"""The preview's rules called directly: host names, mailboxes, host URLs, the property bag.

test_dynamic_provider drives these rules through ``check()`` against the emulator and names
the rule each bad input breaks; here each rule is one table, and the user-facing sentences are
pinned whole, as the CLI prints them after the property's path. The apply-time half of
``_validation`` (the request, the normalised bag that diff compares, the bag a refresh reads)
is pinned on what ``_provider`` and the native provider rely on.
"""

from __future__ import annotations

import copy
from typing import Any

import pydantic
import pytest
from pulumi.runtime import rpc

from pulumi_genauth import ConfigurationError
from pulumi_genauth._addresses import host_problem, mailbox_problem
from pulumi_genauth._hosts import normalize_host
from pulumi_genauth._models import EmailProviderInfo
from pulumi_genauth._setting import from_live, normalized, public_setting, to_request
from pulumi_genauth._validation import Problem, validate_props

from .support import CASES, SENDGRID_KEY, SMTP_PASSWORD, TENCENT_PASSWORD

HOST = "a host name such as smtp.example.com"
PORT_RULE = "; the port goes in smtp_port, and an IPv6 address is written in brackets"
NAME_253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])


def bag(kind: str, **changes: Any) -> dict[str, Any]:
    """The valid property bag of ``kind`` (a copy), top-level properties changed."""
    return {**copy.deepcopy(CASES[kind][0]), **changes}


def smtp(**changes: Any) -> dict[str, Any]:
    """The valid custom bag with some smtp_config fields changed (None removes one)."""
    props = bag("custom")
    props["smtp_config"].update(changes)
    props["smtp_config"] = {k: v for k, v in props["smtp_config"].items() if v is not None}
    return props


# -- smtp_host: a host name or an IP literal -----------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "smtp.example.com",
        "mx-1.mail.example.com",
        "localhost",
        "10.0.0.5",
        "[2001:db8::25]",
        "[::1]",
        "[::ffff:10.0.0.5]",
        "a" * 63 + ".example.com",  # the longest label
        NAME_253,  # the longest name
    ],
)
def test_host_names_and_ip_literals_are_accepted(host: str) -> None:
    """DNS names up to the label and name limits, IPv4, and bracketed IPv6 pass the check."""
    assert host_problem(host) is None


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        (" smtp.example.com", f"must be {HOST}, with no white space (got ' smtp.example.com')"),
        ("smtp example.com", f"must be {HOST}, with no white space (got 'smtp example.com')"),
        (
            "smtp://mx.example.com",
            f"must be {HOST}, with no scheme or path (got 'smtp://mx.example.com')",
        ),
        (
            "mx.example.com/smtp",
            f"must be {HOST}, with no scheme or path (got 'mx.example.com/smtp')",
        ),
        (
            "mx.example.com:465",
            f"must be {HOST}, with no port (got 'mx.example.com:465'){PORT_RULE}",
        ),
        ("2001:db8::25", f"must be {HOST}, with no port (got '2001:db8::25'){PORT_RULE}"),
        ("[2001:db8::25", f"must be {HOST}, with no port (got '[2001:db8::25'){PORT_RULE}"),
        ("[2001:db8::zz]", "must be a valid IPv6 address in brackets (got '[2001:db8::zz]')"),
        ("[10.0.0.5]", "must be a valid IPv6 address in brackets (got '[10.0.0.5]')"),
        ("10.0.0.256", "must be a valid IPv4 address (got '10.0.0.256')"),
        ("smtp..example.com", f"must be {HOST} with no empty label (got 'smtp..example.com')"),
        (
            "a" * 64 + ".example.com",
            f"must be {HOST} whose labels have at most 63 characters (one has 64)",
        ),
        (
            "smtp_1.example.com",
            f"must be {HOST}: letters, digits and hyphens between dots, no hyphen at either end "
            "of a label (got 'smtp_1.example.com')",
        ),
        (NAME_253 + "d", f"must be {HOST} of at most 253 characters (got 254)"),
    ],
)
def test_a_bad_host_is_refused_with_its_rule(host: str, reason: str) -> None:
    """Each refused host gets the sentence that says which rule it breaks, quoting it."""
    assert host_problem(host) == reason


# -- sender: a mailbox for sendgrid, ali and qq ------------------------------------------------


@pytest.mark.parametrize(
    "address", ["mail@example.com", "first.last+tag@mail.example.cn", "o'brien@example.com"]
)
def test_mailboxes_are_accepted(address: str) -> None:
    """An unquoted local part and a domain with a dot pass the check."""
    assert mailbox_problem(address) is None


@pytest.mark.parametrize(
    "address",
    [
        "no-reply",  # no @
        "@example.com",  # no local part
        "no reply@example.com",  # white space in the local part
        "first..last@example.com",  # an empty run between dots
        "mail@example",  # no dot in the domain
        "mail@-example.com",  # a label starting with a hyphen
        "mail@example.com@example.com",  # two @
    ],
)
def test_a_bad_mailbox_is_refused_quoting_it(address: str) -> None:
    """Anything else gets one sentence with an example address and the value."""
    assert mailbox_problem(address) == (
        f"must be an email address such as mail@example.com (got {address!r})"
    )


# -- the GenAuth host URL (genauth:host, GENAUTH_HOST, genauth:pools.*.host) ---------------------


@pytest.mark.parametrize(
    ("host", "normal"),
    [
        ("https://api.genauth.ai", "https://api.genauth.ai"),
        (" https://api.genauth.ai/ ", "https://api.genauth.ai"),
        ("https://idp.example.com:8443/genauth/", "https://idp.example.com:8443/genauth"),
        ("https://example.com/tenants/X//", "https://example.com/tenants/X"),  # only slashes go
        ("http://localhost:3000/", "http://localhost:3000"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_a_host_url_is_accepted_without_its_trailing_slash(host: str, normal: str) -> None:
    """https anywhere, http on loopback; a path prefix is kept, the trailing slash dropped."""
    assert normalize_host(host) == normal


PLAIN = "must be a plain https://host[:port] URL, with no query, fragment or user info"


@pytest.mark.parametrize(
    ("host", "message"),
    [
        (
            "api.genauth.ai",
            "GenAuth host 'api.genauth.ai' is not a URL: write it as https://api.example.com",
        ),
        ("https://", "GenAuth host 'https://' is not a URL: write it as https://api.example.com"),
        ("https://api.example.com?x=1", f"GenAuth host 'https://api.example.com?x=1' {PLAIN}"),
        ("https://api.example.com#top", f"GenAuth host 'https://api.example.com#top' {PLAIN}"),
        ("https://ops@api.example.com", f"GenAuth host 'https://***@api.example.com' {PLAIN}"),
        (
            "http://api.example.com",
            "GenAuth host 'http://api.example.com' uses plain http://, which is only allowed for "
            "loopback hosts (a local emulator); use https://",
        ),
    ],
)
def test_a_bad_host_url_is_refused_saying_how_to_write_it(host: str, message: str) -> None:
    """Not a URL, not plain, or plain http off loopback: one sentence quoting the host."""
    with pytest.raises(ConfigurationError) as info:
        normalize_host(host)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "host",
    [
        "http://localhost",
        "http://LOCALHOST:8080",  # a host name is read in any case
        "http://127.0.0.1:8080",
        "http://127.0.0.2:8080",  # all of 127.0.0.0/8 is loopback
        "http://[::1]",
    ],
)
def test_plain_http_is_accepted_for_every_loopback_host(host: str) -> None:
    """http:// is taken for localhost and any loopback address (a local emulator)."""
    assert normalize_host(host) == host


@pytest.mark.parametrize(
    "host",
    [
        "http://localhost.attacker.example",
        "http://localhostx:8080",
        "http://my-localhost:8080",
        "http://127.0.0.1.nip.io",
        "http://127.0.0.1.attacker.example:8080",
        "http://0x7f.example",
        "http://[::2]",
        # The absolute name goes to DNS, not to the hosts file (getaddrinfo("localhost.")
        # fails on glibc with no DNS server): it is not known to be loopback, so it is refused.
        "http://localhost.:80",
    ],
)
def test_plain_http_is_refused_for_a_name_that_only_looks_like_loopback(host: str) -> None:
    """A host name that starts with, ends with or spells a loopback name or address but is
    not one gets the plain-http refusal: the access key would cross the network in clear."""
    with pytest.raises(ConfigurationError) as info:
        normalize_host(host)
    assert str(info.value) == (
        f"GenAuth host {host!r} uses plain http://, which is only allowed for loopback hosts "
        "(a local emulator); use https://"
    )


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("https://ops:pw-1@api.example.com", "https://***@api.example.com"),
        ("ops:pw-1@api.example.com", "***@api.example.com"),
        ("https://ops:pw@1@api.example.com", "https://***@api.example.com"),
        ("https://ops:pw/1@api.example.com", "https://***@api.example.com"),
        ("http://ops:pw/1@api.example.com", "http://***@api.example.com"),
        ("https://ops:pw#1@api.example.com", "https://***@api.example.com"),
        (
            "https://ops:pw-1@api.example.com/?next=https://example.org",
            "https://***@api.example.com/?next=https://example.org",
        ),
    ],
)
def test_a_host_url_with_a_password_is_refused_without_quoting_it(host: str, shown: str) -> None:
    """User info is masked in the message, even a password holding @, / or # (a raw one)."""
    with pytest.raises(ConfigurationError) as info:
        normalize_host(host)
    assert f"GenAuth host {shown!r} " in str(info.value)
    assert "pw" not in str(info.value)


# -- check(): the property bag -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "failure"),
    [
        (Problem("type", "must be one of 'custom'"), ("", "type must be one of 'custom'")),
        (Problem("verify_smtp", "must be true"), ("", "verify_smtp must be true")),
        (Problem("smtp_config.sender", "is required"), ("", "smtp_config.sender is required")),
        (Problem("smtp_config", "must be an object"), ("", "smtp_config must be an object")),
        (Problem("", "genauth:host is not set"), ("", "genauth:host is not set")),
    ],
)
def test_a_problem_leads_with_its_path_and_names_no_property(
    problem: Problem, failure: tuple[str, str]
) -> None:
    """Every refusal reads alike in the CLI: the path leads the reason (none is blank)."""
    assert problem.as_check_failure() == failure


@pytest.mark.parametrize(
    "props",
    [
        pytest.param(bag("custom", type=rpc.UNKNOWN), id="type unknown"),
        pytest.param(bag("custom", enabled=rpc.UNKNOWN), id="enabled unknown"),
        pytest.param(bag("custom", verify_smtp=rpc.UNKNOWN), id="verify_smtp unknown"),
        pytest.param(smtp(smtp_port=rpc.UNKNOWN), id="port unknown"),
        pytest.param(bag("custom", smtp_config=rpc.UNKNOWN), id="config unknown"),
        pytest.param(
            bag("sendgrid", send_grid_config={"sender": rpc.UNKNOWN, "apikey": SENDGRID_KEY}),
            id="sender unknown",
        ),
        pytest.param(
            {k: v for k, v in bag("custom").items() if k != "enabled"}, id="enabled left out"
        ),
        pytest.param(smtp(smtp_port=1.0), id="port 1"),
        pytest.param(smtp(smtp_port=65535.0), id="port 65535"),
        pytest.param(smtp(sender=None, secure=None), id="custom sender and secure left out"),
        pytest.param(smtp(sender=""), id="custom sender empty"),
    ],
)
def test_a_valid_bag_or_one_not_known_yet_has_no_problem(props: dict[str, Any]) -> None:
    """Unknown values pass the preview; enabled is optional; ports 1 and 65535 are ports."""
    assert validate_props(props) == []


# The custom SMTP sender is optional, but not for the preflight, which logs in with it.
SENDER_REQUIRED = Problem(
    "smtp_config.sender",
    "is required when verify_smtp is true: it is the login the check tries the password with",
)


@pytest.mark.parametrize(
    ("props", "problems"),
    [
        pytest.param(
            bag("custom", enabled="yes"),
            [Problem("enabled", "must be true or false (got 'yes')")],
            id="enabled as text",
        ),
        pytest.param(
            bag("custom", smtp_config="smtp.example.com:465"),
            [Problem("smtp_config", "must be an object")],
            id="config not an object",
        ),
        pytest.param(
            smtp(smtpHost="smtp.example.com"),
            [Problem("smtp_config.smtpHost", "is not a property of this config")],
            id="a field by its wire name",
        ),
        pytest.param(
            smtp(sender_pass=None),
            [Problem("smtp_config.sender_pass", "is required")],
            id="password left out",
        ),
        pytest.param(
            smtp(sender_pass=""),
            [Problem("smtp_config.sender_pass", "must not be empty")],
            id="password empty",
        ),
        pytest.param(
            smtp(smtp_host=25),
            [Problem("smtp_config.smtp_host", "must be a string")],
            id="host a number",
        ),
        pytest.param(
            smtp(secure="yes"),
            [Problem("smtp_config.secure", "must be true or false")],
            id="secure as text",
        ),
        pytest.param(
            smtp(smtp_port=0.0),
            [Problem("smtp_config.smtp_port", "must be a port number from 1 to 65535 (got 0)")],
            id="port 0",
        ),
        pytest.param(
            smtp(smtp_port=65536.0),
            [Problem("smtp_config.smtp_port", "must be a port number from 1 to 65535 (got 65536)")],
            id="port 65536",
        ),
        pytest.param(
            smtp(smtp_port="465"),
            [
                Problem(
                    "smtp_config.smtp_port", "must be a whole number from 1 to 65535 (got '465')"
                )
            ],
            id="port as text",
        ),
        pytest.param(
            smtp(smtp_host=" ", sender="\t", sender_pass="  "),
            [
                Problem("smtp_config.smtp_host", "must not be only white space"),
                Problem("smtp_config.sender", "must not be only white space"),
                Problem("smtp_config.sender_pass", "must not be only white space"),
            ],
            id="every blank field",
        ),
        pytest.param(
            smtp(smtp_host=rpc.UNKNOWN, smtp_port=0.0),
            [Problem("smtp_config.smtp_port", "must be a port number from 1 to 65535 (got 0)")],
            id="an unknown field hides no other",
        ),
        pytest.param(
            {
                **bag("qq", smtp_config=rpc.UNKNOWN),
                "tencent_exmail_config": {"sender": "mail@example.cn", "sender_pass": ""},
            },
            [Problem("tencent_exmail_config.sender_pass", "must not be empty")],
            id="an unknown config hides no other",
        ),
        pytest.param(
            {**smtp(sender=None), "verify_smtp": True},
            [SENDER_REQUIRED],
            id="verify_smtp without a sender",
        ),
        pytest.param(
            {**smtp(sender=""), "verify_smtp": True},
            [SENDER_REQUIRED],
            id="verify_smtp, sender empty",
        ),
    ],
)
def test_each_broken_rule_is_one_problem_in_words(
    props: dict[str, Any], problems: list[Problem]
) -> None:
    """The path and the whole sentence of each problem, and no problem more."""
    assert validate_props(props) == problems


TYPES = "must be one of 'custom', 'ali', 'qq', 'sendgrid'"
LOWER = "type names are lower case, did you mean"


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        pytest.param("Custom", f"{TYPES} (got 'Custom'): {LOWER} 'custom'?", id="Custom"),
        pytest.param("SENDGRID", f"{TYPES} (got 'SENDGRID'): {LOWER} 'sendgrid'?", id="SENDGRID"),
        pytest.param(" QQ ", f"{TYPES} (got ' QQ '): {LOWER} 'qq'?", id="QQ in spaces"),
        pytest.param("smtp", f"{TYPES} (got 'smtp'): did you mean 'custom'?", id="smtp"),
        pytest.param("tencent", f"{TYPES} (got 'tencent'): did you mean 'qq'?", id="tencent"),
        pytest.param("exmail", f"{TYPES} (got 'exmail'): did you mean 'qq'?", id="exmail"),
        pytest.param("aliyun", f"{TYPES} (got 'aliyun'): did you mean 'ali'?", id="aliyun"),
        pytest.param(
            "send_grid", f"{TYPES} (got 'send_grid'): did you mean 'sendgrid'?", id="send_grid"
        ),
        pytest.param(
            "sendgird", f"{TYPES} (got 'sendgird'): did you mean 'sendgrid'?", id="sendgird"
        ),
        pytest.param("custm", f"{TYPES} (got 'custm'): did you mean 'custom'?", id="custm"),
        pytest.param("mailgun", f"{TYPES} (got 'mailgun')", id="nothing close"),
        pytest.param(["custom"], f"{TYPES} (got ['custom'])", id="a list"),
        pytest.param(1, f"{TYPES} (got 1)", id="a number"),
    ],
)
def test_a_wrong_type_hints_at_the_type_name_it_is_close_to(kind: Any, reason: str) -> None:
    """Case, a service's own name or a misspelling: the message says which type was meant.

    A name close to none (or a type that is not text at all) gets no guess, only the list.
    """
    assert validate_props(bag("custom", type=kind)) == [Problem("type", reason)]


SMTP_CONFIG = CASES["custom"][0]["smtp_config"]
SENDGRID_CONFIG = CASES["sendgrid"][0]["send_grid_config"]
ALI_CONFIG = CASES["ali"][0]["ali_exmail_config"]


@pytest.mark.parametrize(
    ("props", "problems"),
    [
        pytest.param(
            {"type": "custom"},
            [Problem("smtp_config", "is required when type is 'custom'")],
            id="no config at all",
        ),
        pytest.param(
            {"type": "sendgrid", "smtp_config": SMTP_CONFIG},
            [
                Problem(
                    "smtp_config",
                    "does not go with type 'sendgrid': type 'sendgrid' reads send_grid_config; "
                    "set send_grid_config instead, or set type to 'custom' to use smtp_config",
                ),
                Problem(
                    "send_grid_config",
                    "is required when type is 'sendgrid' (smtp_config is set, which goes with "
                    "type 'custom')",
                ),
            ],
            id="another type's config",
        ),
        pytest.param(
            {"type": "qq", "send_grid_config": SENDGRID_CONFIG, "ali_exmail_config": ALI_CONFIG},
            [
                Problem(
                    "send_grid_config",
                    "does not go with type 'qq': type 'qq' reads tencent_exmail_config; "
                    "set tencent_exmail_config instead, or set type to 'sendgrid' to use "
                    "send_grid_config",
                ),
                Problem(
                    "ali_exmail_config",
                    "does not go with type 'qq': type 'qq' reads tencent_exmail_config; "
                    "set tencent_exmail_config instead, or set type to 'ali' to use "
                    "ali_exmail_config",
                ),
                Problem(
                    "tencent_exmail_config",
                    "is required when type is 'qq' (send_grid_config, ali_exmail_config is set, "
                    "which goes with type 'sendgrid')",
                ),
            ],
            id="two other types' configs",
        ),
    ],
)
def test_the_config_that_type_reads_is_named(
    props: dict[str, Any], problems: list[Problem]
) -> None:
    """A missing config says which one type reads, and which type the config set goes with."""
    assert validate_props(props) == problems


# -- apply time: the request, what diff compares, what a refresh reads ---------------------------


def test_a_bag_without_enabled_is_an_enabled_setting() -> None:
    """enabled defaults to true in the request and in what diff compares, as on the resource."""
    props = {k: v for k, v in bag("sendgrid").items() if k != "enabled"}
    assert to_request(props).enabled is True
    assert normalized(props)["enabled"] is True


def test_the_request_is_read_by_property_name_only() -> None:
    """A config spelled as the wire spells it (senderPass) is refused, never sent as such."""
    props = bag("ali", ali_exmail_config={"sender": "mail@example.cn", "senderPass": "x"})
    with pytest.raises(pydantic.ValidationError):
        to_request(props)


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({"smtp_host": "smtp.example.com", "sender_pass": SMTP_PASSWORD}, id="no port"),
        pytest.param("smtp.example.com:465", id="not an object"),
    ],
)
def test_an_incomplete_config_has_no_normal_form(config: Any) -> None:
    """normalized refuses, naming the config, what is no complete setting (diff then applies)."""
    with pytest.raises(ValueError, match=r"^smtp_config is not a complete 'custom' config$"):
        normalized(bag("custom", smtp_config=config))


def test_the_applied_setting_is_the_config_without_its_secret() -> None:
    """public_setting keeps every other field, numbers whole, SMTP output defaults filled."""
    assert public_setting(smtp(sender=None, secure=None, smtp_port=465.0)) == {
        "type": "custom",
        "smtp_config": {
            "smtp_host": "smtp.example.com",
            "smtp_port": 465,
            "sender": "",
            "secure": False,
        },
    }


def live(**fields: Any) -> EmailProviderInfo:
    """The API's answer, as the client reads it (by the wire spelling)."""
    return EmailProviderInfo.model_validate(fields)


def no_configs(**result: Any) -> dict[str, Any]:
    """A from_live result: every config None but those given."""
    empty = dict.fromkeys(
        ("smtp_config", "send_grid_config", "ali_exmail_config", "tencent_exmail_config")
    )
    return {**empty, **result}


def test_an_answer_without_a_type_reads_as_the_known_setting_disabled() -> None:
    """A pool with no provider set: the known type and config, enabled false (drift to fix)."""
    known = bag("custom")
    assert from_live(live(), known) == no_configs(
        type="custom", enabled=False, smtp_config=known["smtp_config"]
    )


def test_an_answer_of_the_known_type_without_its_config_reads_as_no_config() -> None:
    """The type's config missing on both sides: None, which no declared config equals."""
    assert from_live(live(type="qq", enabled=True), {"type": "qq"}) == no_configs(
        type="qq", enabled=True
    )


def test_the_answers_type_wins_over_the_known_one() -> None:
    """Another type set out of band reads as that type, its config as answered, no secret."""
    answer = live(
        type="sendgrid",
        enabled=True,
        sendGridConfig={"sender": "other@example.com", "apikey": "SG.someone-elses"},
    )
    assert from_live(answer, bag("custom")) == no_configs(
        type="sendgrid",
        enabled=True,
        send_grid_config={"sender": "other@example.com", "apikey": None},
    )


def test_a_read_smtp_config_gets_the_output_defaults() -> None:
    """An answer without sender and secure compares equal to a config declared without them."""
    answer = live(
        type="custom",
        enabled=True,
        smtpConfig={"smtp_host": "smtp.example.com", "smtp_port": 25, "senderPass": "******"},
    )
    known = smtp(sender=None, secure=None, smtp_port=25.0)
    read = from_live(answer, known)["smtp_config"]
    assert read == {
        "smtp_host": "smtp.example.com",
        "smtp_port": 25,
        "sender_pass": SMTP_PASSWORD,
        "sender": "",
        "secure": False,
    }
    assert read == normalized(known)["smtp_config"]


def test_a_state_whose_config_is_not_an_object_knows_no_secret() -> None:
    """An unreadable config in the state is no known config: the live secret reads as None."""
    answer = live(
        type="qq",
        enabled=True,
        tencentExmailConfig={"sender": "mail@example.cn", "senderPass": TENCENT_PASSWORD},
    )
    known = bag("qq", tencent_exmail_config="garbled")
    assert from_live(answer, known)["tencent_exmail_config"] == {
        "sender": "mail@example.cn",
        "sender_pass": None,
    }
    assert from_live(live(type="qq"), known)["tencent_exmail_config"] is None
