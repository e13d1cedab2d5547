"""The official Node and Java SDKs against the emulator, as a user's program runs them.

npm ``authing-node-sdk`` 4.0.1 (pinned by ``tests/sdk_clients/node/package-lock.json``,
installed with ``npm ci``) signs every request with the access key secret; Maven
``cn.authing:authing-java-sdk`` 3.1.9 (pinned by ``tests/sdk_clients/java/pom.xml``, built with
``mvn package``) fetches a management token and sends it bare. A small driver per SDK
(``client.js``, ``Main.java``) reads the calls to make as JSON and prints what the SDK
answered; each build is reused while its inputs are unchanged (a stamp of their hash).

Without node/npm or java/mvn these tests skip, except in CI (``CI`` set, or
``PULUMI_GENAUTH_REQUIRE_CLI=1`` as ``.ci/run`` sets it), where they fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NoReturn

import genauth
import pytest

from pulumi_genauth.emulator import Pool
from pulumi_genauth.emulator.server import EmulatorServer
from pulumi_genauth.emulator.service import (
    API_CODE_ACCESS_KEY_UNKNOWN,
    API_CODE_INVALID_BODY,
    API_CODE_SIGNATURE_DATE_OUT_OF_WINDOW,
    API_CODE_SIGNATURE_MISMATCH,
)
from pulumi_genauth.emulator.signature import MAX_CLOCK_SKEW

from .support import REPO, REQUIRE_CLI_ENV

pytestmark = pytest.mark.toolchain

CLIENTS: Final = REPO / "tests" / "sdk_clients"
BUILD_TIMEOUT: Final = 540
RUN_TIMEOUT: Final = 120
STAMP: Final = ".genauth-build-stamp"
SECRET: Final = "sdk-client-planted-secret"
WRONG_SECRET: Final = "sdk-client-planted-wrong-secret"
GET: Final = "/api/v3/get-email-provider"
CONFIG: Final = "/api/v3/config-email-provider"
TOKEN: Final = "/api/v3/get-management-token"
# The proxies axios (the Node SDK's HTTP client) would honour: the emulator is on loopback.
PROXY_VARIABLES: Final = frozenset({"http_proxy", "https_proxy", "all_proxy", "no_proxy"})

# type, the config object as the wire spells it
PROVIDERS: Final[list[tuple[str, str, dict[str, Any]]]] = [
    (
        "custom",
        "smtpConfig",
        {
            "smtp_host": "smtp.example.com",
            "smtp_port": 465,
            "sender": "noreply@example.com",
            "senderPass": SECRET,
            "secure": True,
        },
    ),
    ("ali", "aliExmailConfig", {"sender": "a@example.com", "senderPass": SECRET}),
    ("qq", "tencentExmailConfig", {"sender": "a@example.com", "senderPass": SECRET}),
    ("sendgrid", "sendGridConfig", {"sender": "a@example.com", "apikey": SECRET}),
]


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_CLI_ENV) == "1" or os.environ.get("CI"):
        pytest.fail(f"{reason} (CI: the official SDKs' tests must run)")
    pytest.skip(f"{reason}; set {REQUIRE_CLI_ENV}=1 to make this a failure")


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}


def build(folder: Path, inputs: Sequence[str], output: str, command: list[str]) -> None:
    """Run ``command`` in ``folder`` unless ``output`` holds a stamp of the same inputs."""
    for tool in {command[0], "node" if command[0] == "npm" else "java"}:
        if shutil.which(tool) is None:
            _unavailable(f"{tool} is not on PATH: the {folder.name} SDK client cannot be built")
    digest = hashlib.sha256()
    for name in inputs:
        digest.update((folder / name).read_bytes())
    stamp = folder / output / STAMP
    if stamp.is_file() and stamp.read_text() == digest.hexdigest():
        return
    done = subprocess.run(
        command,
        cwd=folder,
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT,
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    stamp.write_text(digest.hexdigest())


@dataclass(frozen=True)
class SdkClient:
    """One official SDK's driver: how to run it and how it shows on the wire."""

    name: str
    command: tuple[str, ...]
    folder: Path

    def run(
        self,
        emulator: EmulatorServer,
        pool: Pool,
        calls: list[dict[str, Any]],
        **options: Any,
    ) -> list[dict[str, Any]]:
        """Make ``calls`` with one SDK client of ``pool``; one {answer} or {error} per call."""
        request = {
            "host": emulator.url,
            "accessKeyId": pool.access_key_id,
            "accessKeySecret": pool.access_key_secret,
            "calls": calls,
            **options,
        }
        done = subprocess.run(
            self.command,
            cwd=self.folder,
            input=json.dumps(request),
            env=_environment(),
            capture_output=True,
            text=True,
            check=False,
            timeout=RUN_TIMEOUT,
        )
        assert done.returncode == 0, f"{self.name} client failed:\n{done.stdout}\n{done.stderr}"
        results: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
        return results


@pytest.fixture(scope="session")
def node_sdk() -> SdkClient:
    """The Node SDK's driver, installed with npm ci from the lock file (once per lock file)."""
    folder = CLIENTS / "node"
    npm_ci = ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"]
    build(folder, ["package.json", "package-lock.json"], "node_modules", npm_ci)
    return SdkClient("node", ("node", "client.js"), folder)


@pytest.fixture(scope="session")
def java_sdk() -> SdkClient:
    """The Java SDK's driver, built with Maven from pom.xml (once per pom and source)."""
    folder = CLIENTS / "java"
    source = "src/main/java/sdkclient/Main.java"
    build(folder, ["pom.xml", source], "target", ["mvn", "-q", "-B", "package"])
    # C1 only: these are short runs, where the JIT's later tiers cost more than they save.
    return SdkClient(
        "java", ("java", "-XX:TieredStopAtLevel=1", "-jar", "target/sdk-client.jar"), folder
    )


@pytest.fixture(params=["node", "java"])
def sdk(request: pytest.FixtureRequest) -> SdkClient:
    """Each official SDK of another language in turn."""
    client: SdkClient = request.getfixturevalue(f"{request.param}_sdk")
    return client


def seed(emulator: EmulatorServer, pool: Pool) -> dict[str, Any] | None:
    """Give ``pool`` a setting (through the Python SDK) and answer it as stored."""
    client = genauth.ManagementClient(
        access_key_id=pool.access_key_id,
        access_key_secret=pool.access_key_secret,
        host=emulator.url,
    )
    config = {"sender": "seed@example.com", "senderPass": SECRET}
    answer = client.config_email_provider(type="ali", enabled=False, ali_exmail_config=config)
    assert answer["statusCode"] == 200, answer
    return emulator.stored(pool.id)


@pytest.mark.parametrize(
    ("provider_type", "wire_name", "config"), PROVIDERS, ids=[row[0] for row in PROVIDERS]
)
def test_the_sdk_configures_and_reads_back_each_provider_type(
    sdk: SdkClient,
    emulator: EmulatorServer,
    provider_type: str,
    wire_name: str,
    config: dict[str, Any],
) -> None:
    """configEmailProvider is stored as sent, and it and getEmailProvider answer it as set."""
    pool = emulator.pools[0]
    body = {"type": provider_type, "enabled": True, wire_name: config}

    written, read = sdk.run(emulator, pool, [{"op": "config", "body": body}, {"op": "get"}])

    assert emulator.stored(pool.id) == body
    for result in (written, read):
        envelope = result["answer"]
        assert envelope["statusCode"] == 200, envelope
        assert isinstance(envelope["requestId"], str)
        data = envelope["data"]
        assert (data["type"], data["enabled"]) == (provider_type, True)
        assert {key: data[wire_name][key] for key in config} == config


# sdk -> (auth, userpool-id header, x-authing-sdk-version, the paths it calls for one read)
ON_THE_WIRE: Final = {
    "node": ("signature", None, "authing-node-sdk:4.0.1", [GET]),
    # 3.1.9 sends the version string of 3.1.4 (ManagementClientOptions.doRequest).
    "java": ("token", "pool-a", "authing-java-sdk:3.1.4", [TOKEN, GET]),
}


def test_the_sdk_authenticates_as_its_code_says(sdk: SdkClient, emulator: EmulatorServer) -> None:
    """Node signs each request without a token; Java fetches a token and sends it bare."""
    auth, userpool_id, version, paths = ON_THE_WIRE[sdk.name]

    (read,) = sdk.run(emulator, emulator.pools[0], [{"op": "get"}])

    assert read["answer"]["statusCode"] == 200, read
    log = emulator.requests()
    assert [entry["path"] for entry in log] == paths
    call = log[-1]
    assert (call["auth"], call["header_brand"], call["userpool_id"]) == (
        auth,
        "authing",
        userpool_id,
    )
    assert (call["sdk_version"], call["lang"]) == (version, "zh-CN")


BAD_BODIES: Final = [
    (
        {
            "type": "custom",
            "enabled": True,
            "smtpConfig": {"smtp_host": "smtp.example.com", "smtp_port": 70000, "senderPass": "x"},
        },
        "smtpConfig.smtp_port: must be between 1 and 65535",
    ),
    ({"type": "sendgrid", "enabled": True}, "sendGridConfig is required when type is 'sendgrid'"),
]


@pytest.mark.parametrize(
    ("body", "named"), BAD_BODIES, ids=["port-out-of-range", "config-of-the-type-missing"]
)
def test_a_bad_request_is_refused_by_field_name_and_changes_nothing(
    sdk: SdkClient, emulator: EmulatorServer, body: dict[str, Any], named: str
) -> None:
    """A body the SDK's types allow but the API refuses answers 400 naming the field."""
    pool = emulator.pools[0]
    before = seed(emulator, pool)

    (refused,) = sdk.run(emulator, pool, [{"op": "config", "body": body}])

    envelope = refused["answer"]
    assert (envelope["statusCode"], envelope["apiCode"]) == (400, API_CODE_INVALID_BODY)
    assert named in envelope["message"]
    assert emulator.stored(pool.id) == before


# sdk -> what a wrong secret and an unknown key id get: an envelope's apiCode (Node) or the
# exception the SDK throws when its token call is refused (Java).
KEY_REFUSALS: Final = {
    ("node", "wrong-secret"): API_CODE_SIGNATURE_MISMATCH,
    ("node", "unknown-key-id"): API_CODE_ACCESS_KEY_UNKNOWN,
    ("java", "wrong-secret"): "RuntimeException: the access key id or its secret is wrong",
    ("java", "unknown-key-id"): "RuntimeException: the access key id or its secret is wrong",
}


@pytest.mark.parametrize("case", ["wrong-secret", "unknown-key-id"])
def test_a_bad_access_key_is_refused_and_changes_nothing(
    sdk: SdkClient, emulator: EmulatorServer, case: str
) -> None:
    """A wrong secret or an unknown key id configures nothing and reads nothing."""
    pool = emulator.pools[0]
    before = seed(emulator, pool)
    if case == "wrong-secret":
        bad = pool._replace(access_key_secret=WRONG_SECRET)
    else:
        bad = pool._replace(access_key_id="no-such-access-key-id")
    body = {"type": "sendgrid", "enabled": True, "sendGridConfig": PROVIDERS[3][2]}

    results = sdk.run(emulator, bad, [{"op": "config", "body": body}, {"op": "get"}])

    expected = KEY_REFUSALS[sdk.name, case]
    for result in results:
        if isinstance(expected, int):
            envelope = result["answer"]
            assert (envelope["statusCode"], envelope["apiCode"]) == (401, expected), envelope
            assert envelope["data"] is None
        else:
            assert expected in result["error"]
    assert emulator.stored(pool.id) == before
    assert WRONG_SECRET not in json.dumps(results) + json.dumps(emulator.requests())


WINDOW: Final = int(MAX_CLOCK_SKEW.total_seconds())


@pytest.mark.parametrize(
    ("skew_seconds", "status_code"),
    [(-WINDOW + 300, 200), (-WINDOW - 120, 401), (WINDOW + 120, 401)],
    ids=["ten-minutes-slow", "seventeen-minutes-slow", "seventeen-minutes-fast"],
)
def test_a_node_sdk_on_a_clock_outside_the_window_is_refused(
    node_sdk: SdkClient, emulator: EmulatorServer, skew_seconds: int, status_code: int
) -> None:
    """The Node SDK on a clock more than 15 minutes off signs a date the emulator refuses."""
    (read,) = node_sdk.run(
        emulator, emulator.pools[0], [{"op": "get"}], clockSkewSeconds=skew_seconds
    )

    envelope = read["answer"]
    assert envelope["statusCode"] == status_code, envelope
    if status_code != 200:
        assert envelope["apiCode"] == API_CODE_SIGNATURE_DATE_OUT_OF_WINDOW


# The page's sample keeps its placeholder credentials; this pool has exactly those.
SAMPLE_POOL: Final = Pool("sample-pool", "GEN_AUTH_ACCESS_KEY_ID", "GEN_AUTH_ACCESS_KEY_SECRET")
SAMPLE: Final = CLIENTS / "node" / "sample.mjs"
SAMPLE_ENUM: Final = "Models.ConfigEmailProviderDto.type.CUSTOM"


def run_sample(node_sdk: SdkClient, url: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run the sample's code as an ES module from the Node client's folder, host set to ``url``."""
    return subprocess.run(
        ["node", "--input-type=module", "-e", code],
        cwd=node_sdk.folder,
        env={**_environment(), "GENAUTH_HOST": url},
        capture_output=True,
        text=True,
        check=False,
        timeout=RUN_TIMEOUT,
    )


def test_the_page_sample_as_written_fails_in_the_sdk_before_any_request(
    node_sdk: SdkClient,
) -> None:
    """The sample's Models.ConfigEmailProviderDto is not exported by the SDK: a TypeError."""
    with EmulatorServer(pools=[SAMPLE_POOL]) as emulator:
        done = run_sample(node_sdk, emulator.url, SAMPLE.read_text())
        log = emulator.requests()

    assert done.returncode != 0
    assert "TypeError: Cannot read properties of undefined (reading 'type')" in done.stderr
    assert log == []


def test_the_page_sample_gets_an_envelope_naming_its_misspelled_fields(
    node_sdk: SdkClient,
) -> None:
    """With its type written as the enum's value, the sample's smtpHost/smtpPort get a 400."""
    code = SAMPLE.read_text()
    assert SAMPLE_ENUM in code
    with EmulatorServer(pools=[SAMPLE_POOL]) as emulator:
        done = run_sample(node_sdk, emulator.url, code.replace(SAMPLE_ENUM, '"custom"'))
        stored = emulator.stored(SAMPLE_POOL.id)

    assert done.returncode == 0, done.stderr
    envelope = json.loads(done.stdout)
    assert (envelope["statusCode"], envelope["apiCode"]) == (400, API_CODE_INVALID_BODY)
    assert envelope["data"] is None
    assert isinstance(envelope["requestId"], str)
    for named in (
        "smtpConfig.smtpHost: unknown field (did you mean smtp_host?)",
        "smtpConfig.smtpPort: unknown field (did you mean smtp_port?)",
        "smtpConfig.smtp_host: is required",
        "smtpConfig.smtp_port: is required",
    ):
        assert named in envelope["message"]
    assert "passw0rd" not in envelope["message"]
    assert stored is None
