"""The proof: the official Python SDKs (PyPI ``genauth`` and ``authing``, 5.1.0) work against
the emulator.

Nobody here wrote them, so what they send and what they expect back check the emulator
independently of our own client and wire models. Both are one code base under two brands
(``x-genauth-`` and ``x-authing-`` headers); every test runs with each. An SDK returns the
envelope as a dict (it never looks at the HTTP status) and raises its ``GenAuthException`` /
``AuthingException`` only when it cannot get a management token. The Node and Java SDKs are
in ``test_emulator_sdk_clients.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import authing
import authing.AuthingException
import authing.version
import genauth
import genauth.GenAuthException
import genauth.version
import pytest

from pulumi_genauth.emulator.server import EmulatorServer


@dataclass(frozen=True)
class PythonSdk:
    """One of the two Python SDKs: its client, the exception it raises, how it says who it is."""

    name: str
    client: Any
    error: type[Exception]
    brand: str
    version: str


SDKS = [
    PythonSdk(
        "genauth",
        genauth.ManagementClient,
        genauth.GenAuthException.GenAuthException,
        "genauth",
        f"genauth-py-sdk:{genauth.version.__version__}",
    ),
    PythonSdk(
        "authing",
        authing.ManagementClient,
        authing.AuthingException.AuthingException,
        "authing",
        f"authing-py-sdk:{authing.version.__version__}",
    ),
]


@pytest.fixture(params=SDKS, ids=[sdk.name for sdk in SDKS])
def sdk(request: pytest.FixtureRequest) -> PythonSdk:
    """Each Python SDK in turn."""
    chosen: PythonSdk = request.param
    return chosen


SECRET = "sdk-planted-secret-value"

# type, the SDK's keyword argument, the config object as the wire spells it.
PROVIDERS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "custom",
        "smtp_config",
        "smtpConfig",
        {
            "smtp_host": "smtp.example.com",
            "smtp_port": 465,
            "sender": "noreply@example.com",
            "senderPass": SECRET,
            "secure": True,
        },
    ),
    (
        "sendgrid",
        "send_grid_config",
        "sendGridConfig",
        {"sender": "a@example.com", "apikey": SECRET},
    ),
    (
        "ali",
        "ali_exmail_config",
        "aliExmailConfig",
        {"sender": "a@example.com", "senderPass": SECRET},
    ),
    (
        "qq",
        "tencent_exmail_config",
        "tencentExmailConfig",
        {"sender": "a@example.com", "senderPass": SECRET},
    ),
]


def sdk_client(
    sdk: PythonSdk,
    emulator: EmulatorServer,
    pool_index: int = 0,
    *,
    secret: str | None = None,
    key_id: str | None = None,
) -> Any:
    """The official SDK's management client, pointed at the emulator."""
    pool = emulator.pools[pool_index]
    return sdk.client(
        access_key_id=key_id if key_id is not None else pool.access_key_id,
        access_key_secret=secret if secret is not None else pool.access_key_secret,
        host=emulator.url,
        lang="en-US",
    )


@pytest.mark.parametrize(
    ("provider_type", "argument", "wire_name", "config"),
    PROVIDERS,
    ids=[row[0] for row in PROVIDERS],
)
def test_sdk_configures_and_reads_back_each_provider_type(
    sdk: PythonSdk,
    emulator: EmulatorServer,
    *,
    provider_type: str,
    argument: str,
    wire_name: str,
    config: dict[str, Any],
) -> None:
    """The SDK's config_email_provider is accepted and get_email_provider reads it back."""
    client = sdk_client(sdk, emulator)

    answer = client.config_email_provider(type=provider_type, enabled=True, **{argument: config})
    read = client.get_email_provider()

    assert answer["statusCode"] == 200, answer["message"]
    assert read["statusCode"] == 200, read["message"]
    for envelope in (answer, read):
        assert envelope["data"]["enabled"] is True
        assert envelope["data"]["type"] == provider_type
        assert envelope["data"][wire_name] == config
        assert isinstance(envelope["requestId"], str)
    assert emulator.stored(emulator.pools[0].id) == {
        "type": provider_type,
        "enabled": True,
        wire_name: config,
    }


def test_sdk_requests_carry_their_brand_s_headers(sdk: PythonSdk, emulator: EmulatorServer) -> None:
    """The SDK authenticates with a Bearer token and its brand's headers, as the log shows."""
    pool = emulator.pools[0]

    read = sdk_client(sdk, emulator).get_email_provider()

    assert read["statusCode"] == 200
    token_call, read_call = emulator.requests()
    assert token_call["path"] == "/api/v3/get-management-token"
    assert token_call["status_code"] == 200
    assert read_call["path"] == "/api/v3/get-email-provider"
    assert read_call["header_brand"] == sdk.brand
    assert read_call["auth"] == "bearer"
    assert read_call["userpool_id"] == pool.id
    assert read_call["sdk_version"] == sdk.version
    assert read_call["lang"] == "en-US"


def test_sdk_reads_a_never_configured_pool_as_disabled(
    sdk: PythonSdk, emulator: EmulatorServer
) -> None:
    """A pool nobody configured reads back through the SDK as {enabled: false}."""
    read = sdk_client(sdk, emulator).get_email_provider()

    assert read["statusCode"] == 200
    assert read["data"] == {"enabled": False}


def test_sdk_smtp_read_fills_the_output_dto_defaults(
    sdk: PythonSdk, emulator: EmulatorServer
) -> None:
    """An SMTP config sent without sender and secure reads back with "" and false."""
    client = sdk_client(sdk, emulator)
    config = {"smtp_host": "smtp.example.com", "smtp_port": 587, "senderPass": SECRET}

    client.config_email_provider(type="custom", enabled=False, smtp_config=config)

    assert client.get_email_provider()["data"]["smtpConfig"] == {
        **config,
        "sender": "",
        "secure": False,
    }


WRONG_SECRET = "planted-wrong-secret"


@pytest.mark.parametrize(
    ("key_id", "secret", "status_code"),
    [
        (None, WRONG_SECRET, 401),
        ("unknown-access-key-id", WRONG_SECRET, 401),
        (None, "", 400),
    ],
    ids=["wrong-secret", "unknown-key-id", "empty-secret"],
)
def test_sdk_is_refused_for_a_bad_access_key(
    sdk: PythonSdk, emulator: EmulatorServer, key_id: str | None, secret: str, status_code: int
) -> None:
    """A bad access key gets no token: the SDK raises its exception and the setting stays."""
    good = {"sender": "a@example.com", "senderPass": SECRET}
    sdk_client(sdk, emulator).config_email_provider(
        type="qq", enabled=True, tencent_exmail_config=good
    )
    before = emulator.stored(emulator.pools[0].id)
    client = sdk_client(sdk, emulator, secret=secret, key_id=key_id)

    with pytest.raises(sdk.error) as refused:
        client.config_email_provider(
            type="sendgrid", enabled=True, send_grid_config={"sender": "a@b.c", "apikey": SECRET}
        )

    error: Any = refused.value
    assert error.statusCode == status_code
    assert isinstance(error.apiCode, int)
    assert WRONG_SECRET not in error.message
    assert before is not None
    assert emulator.stored(emulator.pools[0].id) == before


@pytest.mark.parametrize(
    ("config", "named"),
    [
        (
            {"smtpHost": "smtp.example.com", "smtp_port": 465, "senderPass": SECRET},
            ["smtpConfig.smtpHost: unknown field", "smtpConfig.smtp_host: is required"],
        ),
        (
            {"smtp_host": "smtp.example.com", "smtpPort": 465, "senderPass": SECRET},
            ["smtpConfig.smtpPort: unknown field", "smtpConfig.smtp_port: is required"],
        ),
        (
            {"smtp_host": "smtp.example.com", "smtp_port": 465, "sender_pass": SECRET},
            ["smtpConfig.sender_pass: unknown field", "smtpConfig.senderPass: is required"],
        ),
    ],
    ids=["smtpHost", "smtpPort", "sender_pass"],
)
def test_sdk_call_with_a_misspelled_field_is_refused_without_changing_state(
    sdk: PythonSdk, emulator: EmulatorServer, config: dict[str, Any], named: list[str]
) -> None:
    """A misspelled field sent through the SDK is refused by name and the old setting stays."""
    client = sdk_client(sdk, emulator)
    good = {"sender": "a@example.com", "senderPass": SECRET}
    assert (
        client.config_email_provider(type="ali", enabled=True, ali_exmail_config=good)["statusCode"]
        == 200
    )
    before = emulator.stored(emulator.pools[0].id)

    answer = client.config_email_provider(type="custom", enabled=True, smtp_config=config)

    assert answer["statusCode"] == 400
    assert isinstance(answer["apiCode"], int)
    for fragment in named:
        assert fragment in answer["message"]
    assert SECRET not in answer["message"]
    assert emulator.stored(emulator.pools[0].id) == before
    assert client.get_email_provider()["data"]["type"] == "ali"


def test_sdk_cached_token_is_refused_once_tokens_expire(
    sdk: PythonSdk, emulator: EmulatorServer
) -> None:
    """After expire-tokens the SDK's cached token is answered with statusCode 401."""
    client = sdk_client(sdk, emulator)
    assert client.get_email_provider()["statusCode"] == 200

    emulator.expire_tokens()
    read = client.get_email_provider()

    assert read["statusCode"] == 401
    assert "expired" in read["message"]


def test_sdk_clients_of_two_pools_are_isolated(sdk: PythonSdk, emulator: EmulatorServer) -> None:
    """What the SDK configures in one pool is not seen from another pool's access key."""
    first, second = sdk_client(sdk, emulator, 0), sdk_client(sdk, emulator, 1)

    first.config_email_provider(
        type="sendgrid", enabled=True, send_grid_config={"sender": "a@b.c", "apikey": SECRET}
    )

    assert first.get_email_provider()["data"]["type"] == "sendgrid"
    assert second.get_email_provider()["data"] == {"enabled": False}
