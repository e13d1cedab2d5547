"""Shared test data: one valid property bag per provider type, with planted secrets, and
the few constants and helpers several test modules use (one home for each).

The secrets are canaries: tests search logs, errors, state and CLI output for them.
"""

from __future__ import annotations

import importlib.machinery
import sys
import types
from typing import TYPE_CHECKING, Any, Final, Protocol

from pulumi.runtime import proto

from pulumi_genauth import _dynamic_server
from pulumi_genauth._client import RetryPolicy
from pulumi_genauth._constants import CONFIG_EMAIL_PROVIDER_PATH

if TYPE_CHECKING:
    import pytest

    from pulumi_genauth._provider import EmailProviderProvider
    from pulumi_genauth.emulator.server import EmulatorServer

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
