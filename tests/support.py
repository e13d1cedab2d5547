"""Shared test data: one valid property bag per provider type, with planted secrets, and
the few constants and helpers several test modules use (one home for each).

The secrets are canaries: tests search logs, errors, state and CLI output for them.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import select
import subprocess
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import pulumi
import pytest
from genauth import ManagementClient
from pulumi.runtime import proto

import pulumi_genauth
from pulumi_genauth import _dynamic_server
from pulumi_genauth._client import RetryPolicy
from pulumi_genauth._constants import CONFIG_EMAIL_PROVIDER_PATH
from pulumi_genauth._models import ConfigEmailProviderInput

if TYPE_CHECKING:
    from pulumi_genauth._provider import EmailProviderProvider
    from pulumi_genauth.emulator.server import EmulatorServer

REPO: Final = Path(__file__).resolve().parents[1]
# Set (to anything) where the Pulumi CLI must be there: CI fails, not skips, without it.
REQUIRE_CLI_ENV: Final = "PULUMI_GENAUTH_REQUIRE_CLI"
# An install or a build (the CLI from source, npm ci, the npm package): stay inside pytest's
# per-test timeout (600 s).
INSTALL_TIMEOUT_SECONDS: Final = 540
# The language host's build of a Go program (the official host's flags): the warm-up uses the
# same, so that the host finds every package compiled already.
GO_BUILD: Final = ("go", "build", "-buildvcs=false", "-trimpath", "-ldflags", "-w -s")

# Retries that do not keep a test waiting: the same policy, short pauses.
FAST_RETRY: Final = RetryPolicy(
    initial_backoff_seconds=0.01, max_backoff_seconds=0.05, jitter_seconds=0
)


def config_calls(emulator: EmulatorServer) -> list[dict[str, Any]]:
    """The config-email-provider calls in the emulator's request log."""
    return [r for r in emulator.requests() if r["path"] == CONFIG_EMAIL_PROVIDER_PATH]


SMTP_PASSWORD: Final = "canary-smtp-pass-7f3a9c"
SENDGRID_KEY: Final = "canary-sendgrid-key-1b2c3d"
ALI_PASSWORD: Final = "canary-ali-pass-4e5f6a"
TENCENT_PASSWORD: Final = "canary-tencent-pass-8b9c0d"
CANARIES: Final = (SMTP_PASSWORD, SENDGRID_KEY, ALI_PASSWORD, TENCENT_PASSWORD)

# type -> (property bag as the resource sends it, the wire body the API must receive)
CASES: Final[dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
    "custom": (
        {
            "type": "custom",
            "enabled": True,
            "smtp_config": {
                "smtp_host": "smtp.example.com",
                "smtp_port": 465.0,  # the engine carries numbers as floats
                "sender": "no-reply@example.com",
                "sender_pass": SMTP_PASSWORD,
                "secure": True,
            },
        },
        {
            "type": "custom",
            "enabled": True,
            "smtpConfig": {
                "smtp_host": "smtp.example.com",
                "smtp_port": 465,
                "sender": "no-reply@example.com",
                "senderPass": SMTP_PASSWORD,
                "secure": True,
            },
        },
    ),
    "sendgrid": (
        {
            "type": "sendgrid",
            "enabled": True,
            "send_grid_config": {"sender": "mail@example.com", "apikey": SENDGRID_KEY},
        },
        {
            "type": "sendgrid",
            "enabled": True,
            "sendGridConfig": {"sender": "mail@example.com", "apikey": SENDGRID_KEY},
        },
    ),
    "ali": (
        {
            "type": "ali",
            "enabled": True,
            "ali_exmail_config": {"sender": "mail@example.cn", "sender_pass": ALI_PASSWORD},
        },
        {
            "type": "ali",
            "enabled": True,
            "aliExmailConfig": {"sender": "mail@example.cn", "senderPass": ALI_PASSWORD},
        },
    ),
    "qq": (
        {
            "type": "qq",
            "enabled": True,
            "tencent_exmail_config": {"sender": "mail@example.cn", "sender_pass": TENCENT_PASSWORD},
        },
        {
            "type": "qq",
            "enabled": True,
            "tencentExmailConfig": {"sender": "mail@example.cn", "senderPass": TENCENT_PASSWORD},
        },
    ),
}


class Failure(Protocol):
    """What a check failure carries (pulumi.dynamic.CheckFailure or its protobuf form)."""

    property: str
    reason: str


def where(failure: Failure) -> str:
    """The property path a check failure is about, as the user reads it in the CLI.

    Every path leads the reason (the failure names no property: the engine would print a
    nested property's value as ``{<nil>}``); a failure that names one is taken at its word.
    """
    return failure.property or failure.reason.split(" ", 1)[0]


def served_diff(
    monkeypatch: pytest.MonkeyPatch,
    provider: EmailProviderProvider,
    olds: dict[str, Any],
    news: dict[str, Any],
) -> Any:
    """The DiffResponse the SDK's dynamic-provider server sends for ``provider.diff`` in the
    plugin, where ``_dynamic_server`` has patched the server's ``proto`` to add the detailed
    diff (the fields are made of the result as pulumi.dynamic.__main__'s Diff makes them)."""
    server = types.ModuleType("__main__")
    server.__spec__ = importlib.machinery.ModuleSpec(_dynamic_server.DYNAMIC_SERVER_MODULE, None)
    server.proto = proto  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "__main__", server)
    assert _dynamic_server.install_detailed_diff()
    result = provider.diff("pool-a", olds, news)
    changes = proto.DiffResponse.DIFF_SOME if result.changes else proto.DiffResponse.DIFF_NONE
    patched: Any = server.proto
    return patched.DiffResponse(changes=changes, replaces=result.replaces)


def diff_kinds(answer: Any) -> dict[str, str]:
    """A served DiffResponse's detailed diff as {path: kind name}; every entry an input diff."""
    assert answer.hasDetailedDiff
    assert all(entry.inputDiff for entry in answer.detailedDiff.values())
    return {path: proto.PropertyDiff.Kind.Name(d.kind) for path, d in answer.detailedDiff.items()}


def sdk_client(emulator: EmulatorServer, pool_index: int = 0) -> Any:
    """The official ``genauth`` SDK's management client for a pool of the emulator."""
    pool = emulator.pools[pool_index]
    return ManagementClient(
        access_key_id=pool.access_key_id,
        access_key_secret=pool.access_key_secret,
        host=emulator.url,
        lang="en-US",
    )


def pack_npm() -> Path:
    """The npm package of sdk/nodejs, built by scripts/pack-npm into dist/ (once a session)."""
    done = subprocess.run(
        [str(REPO / "scripts" / "pack-npm")],
        capture_output=True,
        text=True,
        check=False,
        timeout=INSTALL_TIMEOUT_SECONDS,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        pytest.fail(f"scripts/pack-npm failed:\n{done.stdout}\n{done.stderr}")
    return Path(lines[-1])


class RecordingMocks(pulumi.runtime.Mocks):
    """The engine under the SDK's mocks: records every registered resource as the engine would
    receive it (type, inputs, provider reference) and answers with its inputs plus ``outputs``,
    under the id ``resource_id`` (by default "<name>-id")."""

    def __init__(self, resource_id: str | None = None, **outputs: Any) -> None:
        self.registered: dict[str, pulumi.runtime.MockResourceArgs] = {}
        self._resource_id = resource_id
        self._outputs = outputs

    def inputs(self, name: str) -> dict[str, Any]:
        """The inputs resource ``name`` was registered with."""
        return dict(self.registered[name].inputs)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered[args.name] = args
        return self._resource_id or f"{args.name}-id", {**args.inputs, **self._outputs}

    def call(self, _args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


class SleepRecorder:
    """Stands in for time.sleep: records each pause instead of waiting."""

    def __init__(self) -> None:
        self.pauses: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)


def request_for(kind: str) -> ConfigEmailProviderInput:
    """The wire request of ``kind``'s case, as the API spells it."""
    return ConfigEmailProviderInput.model_validate_json(
        json.dumps(CASES[kind][1]), strict=True, by_name=False
    )


@contextmanager
def emulator_process(*args: str) -> Iterator[str]:
    """``python -m pulumi_genauth.emulator`` as a subprocess; yields the URL it prints."""
    provider_root = str(Path(pulumi_genauth.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([provider_root, os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_genauth.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        prefix = "GenAuth emulator listening on "
        assert line.startswith(prefix), f"unexpected first line: {line!r}"
        yield line.removeprefix(prefix).strip()
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()
