"""A config the program made secret as a whole, with planted values in every non-secret field.

The engine tests of each front end and language declare the custom SMTP setting as one secret
value (Python's ``Output.secret({...})``, YAML's ``fn::secret``, TypeScript's
``pulumi.secret({...})``, Go's ``pulumi.ToSecret``), holding :data:`PLANTED` in the fields that
the provider itself never marks secret (the host, the port, the login name, ``secure``). What
the program asked for must hold everywhere: no planted text in anything the CLI printed (``-v=9``
logs included) or in any raw file of the backend (state, backup, history), and no field of the
config outside a secret in any state those files hold, the bookkeeping included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from pulumi import automation as auto

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import SMTP_PASSWORD
from .support import SECRET_SIG, EngineStack, is_secret, marked
from .yaml_stacks import YamlStack

Declare = Callable[[str, str], str]
"""Writes a program's source with the planted, whole-secret config: (source, host) -> source."""
# The engine's most verbose logs, on stderr, which the stacks record with what they print.
VERBOSE: Final = ("--logtostderr", "-v=9")
# A log line at verbosity 9 (the CLI writes its logs as JSON lines).
VERBOSE_LINE: Final = re.compile(r'^\{"time":.*"v":9\b', re.MULTILINE)

PLANTED_HOST: Final = "planted-host-5f3a.example"
PLANTED_SENDER: Final = "planted-login-9b7e@example.com"
# A second host, for a change that must preview as a secret's change.
PLANTED_HOST_2: Final = "planted-host-2c81.example"
PLANTED: Final[dict[str, Any]] = {
    "smtpHost": PLANTED_HOST,
    "smtpPort": 2465,
    "sender": PLANTED_SENDER,
    "secure": False,
}
# The strings that must be nowhere in plain text (the port and `secure` are found by key).
PLANTED_TEXTS: Final = (PLANTED_HOST, PLANTED_HOST_2, PLANTED_SENDER)
# Every spelling of the planted fields: the schema's, the core's and the API's.
PLANTED_KEYS: Final = frozenset(
    {"smtpHost", "smtp_host", "smtpPort", "smtp_port", "sender", "secure"}
)


class VerboseCommand(auto.PulumiCommand):
    """The CLI, asked for the engine's most verbose logs on stderr at every operation (the
    Automation API takes ``log_verbosity`` and ``log_to_std_err`` but passes neither on)."""

    def run(self, args: list[str], *rest: Any, **options: Any) -> auto.CommandResult:
        if args and args[0] in ("up", "preview", "refresh", "destroy"):
            args = [*args, *VERBOSE]
        return super().run(args, *rest, **options)


def log_verbosely(engine: EngineStack) -> None:
    """From now on, every operation of ``engine`` records the engine's -v=9 logs."""
    workspace = engine.stack.workspace
    root = Path(workspace.pulumi_command.command).parent.parent
    workspace.pulumi_command = VerboseCommand(root=str(root), skip_version_check=True)


def stored_planted(password: str, host: str = PLANTED_HOST) -> dict[str, Any]:
    """What the emulator stores for the planted setting (spelled as the API spells it)."""
    return {
        "type": "custom",
        "enabled": True,
        "smtpConfig": {
            "smtp_host": host,
            "smtp_port": PLANTED["smtpPort"],
            "sender": PLANTED_SENDER,
            "senderPass": password,
            "secure": PLANTED["secure"],
        },
    }


def plain_paths(value: Any, keys: frozenset[str] = PLANTED_KEYS, path: str = "") -> Iterator[str]:
    """The paths in a state value where one of ``keys`` is reached outside any secret."""
    if isinstance(value, Mapping):
        if SECRET_SIG in value:
            return
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if key in keys:
                yield where
            yield from plain_paths(item, keys, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from plain_paths(item, keys, f"{path}[{index}]")


def _resources(document: Any) -> Iterator[Mapping[str, Any]]:
    """Every resource state in a backend JSON document (a checkpoint, its backup, history)."""
    if isinstance(document, Mapping):
        if "urn" in document and ("inputs" in document or "outputs" in document):
            yield document
        for item in document.values():
            yield from _resources(item)
    elif isinstance(document, list):
        for item in document:
            yield from _resources(item)


# What the Pulumi Node.js SDK itself logs at debug level (-v=3 and up): the engine's whole answer
# to a resource registration, secrets' plain text inside them (pulumi/pulumi v3.274.1,
# sdk/nodejs/runtime/resource.ts, "RegisterResource RPC finished"). The engine filters its logs
# for the stack config's secrets only, so a value the program made secret is in those lines, in
# any provider's outputs: the SDK's doing, not this provider's (the README says so).
NODE_SDK_RESPONSE_LOG: Final = "RegisterResource RPC finished:"


def assert_planted_hidden(
    backend: Path, printed: Sequence[str], resource: str, exempt: Sequence[str] = ()
) -> None:
    """No planted text in ``printed`` or in any file under ``backend``; and in every state of
    ``resource`` (``::name``) that the backend's JSON files hold, no planted field outside a
    secret: inputs, outputs and the bookkeeping alike. ``printed`` must hold the engine's
    ``-v=9`` log lines, so that they were searched too. A printed line holding one of
    ``exempt`` is not searched (the Node.js SDK's own log, :data:`NODE_SDK_RESPONSE_LOG`)."""
    assert any(VERBOSE_LINE.search(text) for text in printed), "no -v=9 log was recorded"
    for text in printed:
        for planted in PLANTED_TEXTS:
            lines = [
                line
                for line in text.splitlines()
                if planted in line and not any(marker in line for marker in exempt)
            ]
            assert not lines, f"{planted!r} printed by the CLI: {lines[:3]}"
    files = [path for path in backend.rglob("*") if path.is_file()]
    states = 0
    for path in files:
        raw = path.read_bytes()
        for planted in PLANTED_TEXTS:
            assert planted.encode() not in raw, f"{planted!r} in plain text in {path}"
        if path.suffix not in (".json", ".bak") and not path.name.endswith(".json.bak"):
            continue
        try:
            document = json.loads(raw)
        except ValueError:
            continue
        for state in _resources(document):
            if str(state["urn"]).endswith(f"::{resource}"):
                states += 1
                leaks = list(plain_paths(state))
                assert not leaks, f"planted fields outside a secret in {path}: {leaks}"
    assert states, f"no state of {resource} in the backend's files: nothing was searched"


def run_whole_secret_native(
    stack: YamlStack,
    emulator: EmulatorServer,
    program: str,
    declare: Declare,
    exempt: Sequence[str] = (),
) -> None:
    """The example's marketingMail with its smtpConfig secret as a whole and planted, and that
    config exported as ``marketingSmtp`` (``declare(source, host)`` writes the program):
    applied as given; secret in the state (inputs, outputs, bookkeeping) and in ``stack output``;
    a new host previews as an update of a secret and applies; a refresh keeps it all secret; and
    nothing planted is printed (``-v=9`` logs included, but for lines holding one of
    ``exempt``) or in any file of the backend."""
    source = stack.folder / "project" / program
    original = source.read_text()
    source.write_text(declare(original, PLANTED_HOST))

    stack.run("up", "--yes", *VERBOSE)

    assert emulator.stored("pool-a") == stored_planted(SMTP_PASSWORD)
    state = stack.resource("marketingMail")
    for key in ("smtpConfig", "appliedSetting"):
        assert is_secret(state["outputs"][key]), key
    assert is_secret(state["inputs"]["smtpConfig"])
    shown = json.loads(stack.run("stack", "output", "--json").stdout)
    assert shown["marketingSmtp"] == "[secret]", shown

    source.write_text(declare(original, PLANTED_HOST_2))
    preview = stack.run("preview", "--diff", *VERBOSE).stdout
    assert "1 to update" in preview, preview
    assert "smtpConfig" in " ".join(marked(preview)), preview
    stack.run("up", "--yes", "--diff", *VERBOSE)
    assert emulator.stored("pool-a") == stored_planted(SMTP_PASSWORD, PLANTED_HOST_2)
    stack.run("refresh", "--yes", "--diff", *VERBOSE)
    stack.run("preview", "--expect-no-changes", "--diff")

    assert_planted_hidden(stack.folder / "backend", stack.outputs, "marketingMail", exempt)
    stack.assert_no_secret_leaked(SMTP_PASSWORD)
