"""The harness of the real-engine tests: the Pulumi CLI, stacks on a local backend, programs.

The tests of this folder drive the real ``pulumi`` CLI, and so the real engine and
the real dynamic-provider plugin (``pulumi-resource-pulumi-python``), through the Automation
API with *inline* programs, against the emulator of ``conftest.py``:

* :func:`create_stack` makes a stack with its own backend, home and work folders, and
  :func:`stack_config` gives it the emulator, pool-a's credentials and one canary secret per
  provider type;
* :class:`EngineStack` runs up / preview / refresh / destroy and keeps every line the CLI
  printed, so that :func:`assert_no_secret_leaked` can search the output, the files the CLI
  wrote and the exported state for the canaries, and :func:`failing` returns what a failed
  operation printed;
* :class:`Mail` is one ``EmailProvider`` as a program declares it, and what the emulator must
  then hold.

The fixtures that use these (``pulumi_cli``, ``_engine_environ``, ``new_stack``, and
``yaml_stack`` from ``yaml_stacks``) are in this folder's ``conftest.py``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pulumi
import pytest
from pulumi import automation as auto
from pulumi.runtime import rpc

import pulumi_genauth as genauth
from pulumi_genauth.emulator import Pool
from pulumi_genauth.emulator.server import EmulatorServer

from ..support import (
    ALI_PASSWORD,
    CANARIES,
    CASES,
    REPO,
    SENDGRID_KEY,
    SMTP_PASSWORD,
    TENCENT_PASSWORD,
)

INSTALL_CLI: Final = REPO / "scripts" / "install-pulumi-cli"
# The python the plugin launcher runs (PULUMI_PYTHON_CMD): the tests' own (of .venv, or of
# .venv-py3.12 ... under scripts/test-compat), which imports the pulumi_genauth under test.
PLUGIN_PYTHON: Final = Path(sys.executable)

PROJECT: Final = "genauth-engine"
STACK: Final = "dev"
PASSPHRASE: Final = "engine-test-passphrase"
CONFIG_EMAIL_PROVIDER: Final = "/api/v3/config-email-provider"

# How the engine writes a secret in state: an object carrying this signature key.
SECRET_SIG: Final = "4dabf18193072939515e22adb298388d"
# What a value not known during a preview looks like in the engine's events.
UNKNOWN: Final = rpc.UNKNOWN

# Inherited variables that would change where credentials, state or the plugin's python come
# from: the engine tests must see only what each stack sets.
SCRUBBED_PREFIXES: Final = ("GENAUTH_",)
SCRUBBED_NAMES: Final = (
    "PULUMI_BACKEND_URL",
    "PULUMI_ACCESS_TOKEN",
    "PULUMI_CONFIG_PASSPHRASE_FILE",
    "PULUMI_RUNTIME_VIRTUALENV",
    "PULUMI_PYTHON_CMD",
    "PULUMI_HOME",
)


# -- the provider types, spelled as the resource and as the API spell them --------------------


@dataclass(frozen=True)
class Kind:
    """One provider type: its config property, wire names, typed args class and canary."""

    config: str
    wire: str
    secret: str
    wire_secret: str
    args: Callable[..., Any]
    canary: str


KINDS: Final[dict[str, Kind]] = {
    "custom": Kind(
        "smtp_config", "smtpConfig", "sender_pass", "senderPass", genauth.SmtpConfigArgs,
        SMTP_PASSWORD,
    ),
    "sendgrid": Kind(
        "send_grid_config", "sendGridConfig", "apikey", "apikey", genauth.SendGridConfigArgs,
        SENDGRID_KEY,
    ),
    "ali": Kind(
        "ali_exmail_config", "aliExmailConfig", "sender_pass", "senderPass",
        genauth.AliExmailConfigArgs, ALI_PASSWORD,
    ),
    "qq": Kind(
        "tencent_exmail_config", "tencentExmailConfig", "sender_pass", "senderPass",
        genauth.TencentExmailConfigArgs, TENCENT_PASSWORD,
    ),
}  # fmt: skip
TYPES: Final = tuple(KINDS)


def secret_key(kind: str) -> str:
    """The stack config key (project namespace) holding the secret of a provider type."""
    return f"{kind}Secret"


def plain_fields(kind: str) -> dict[str, Any]:
    """The non-secret config fields of the shared test case of a type, as the API spells them."""
    wire_config: dict[str, Any] = CASES[kind][1][KINDS[kind].wire]
    return {key: value for key, value in wire_config.items() if key != KINDS[kind].wire_secret}


@dataclass(frozen=True)
class Mail:
    """One ``EmailProvider`` as a program declares it; its secret comes from stack config."""

    kind: str
    fields: Mapping[str, Any]
    name: str = "mail"
    enabled: bool = True
    pool: str | None = None
    typed: bool = True
    """Config as the ``*ConfigArgs`` class of the type (else as a plain dict)."""

    @classmethod
    def of(
        cls,
        kind: str,
        *,
        name: str = "mail",
        pool: str | None = None,
        typed: bool = True,
        **fields: Any,
    ) -> Mail:
        """The shared test case of ``kind``, with some fields changed."""
        return cls(kind, {**plain_fields(kind), **fields}, name=name, pool=pool, typed=typed)

    def changed(self, **fields: Any) -> Mail:
        """The same declaration with some config fields changed."""
        return dataclasses.replace(self, fields={**self.fields, **fields})

    @property
    def spec(self) -> Kind:
        """How this type is spelled."""
        return KINDS[self.kind]

    def declare(self, secret: pulumi.Input[str]) -> genauth.EmailProvider:
        """Declare the resource (inside a program)."""
        values = {**self.fields, self.spec.secret: secret}
        config: Any = self.spec.args(**values) if self.typed else values
        configs: dict[str, Any] = {self.spec.config: config}
        return genauth.EmailProvider(
            self.name,
            type=self.kind,
            enabled=self.enabled,
            pool=self.pool,
            **configs,
        )

    def expected(self, secret: str | None = None) -> dict[str, Any]:
        """The setting the emulator must store for this declaration, exactly."""
        config = {**self.fields, self.spec.wire_secret: secret or self.spec.canary}
        return {"type": self.kind, "enabled": self.enabled, self.spec.wire: config}


def program(*mails: Mail) -> auto.PulumiFn:
    """An inline program declaring ``mails`` and exporting each one's outputs.

    Exports, per resource: ``<name>_config`` (its config object), ``<name>_type`` and
    ``<name>_userpool_id``.
    """

    def run() -> None:
        config = pulumi.Config()
        for mail in mails:
            resource = mail.declare(config.require_secret(secret_key(mail.kind)))
            pulumi.export(f"{mail.name}_config", getattr(resource, mail.spec.config))
            pulumi.export(f"{mail.name}_type", resource.type)
            pulumi.export(f"{mail.name}_userpool_id", resource.userpool_id)

    return run


# -- the CLI ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PulumiCli:
    """The Pulumi CLI found for this session."""

    bin_dir: Path
    command: auto.PulumiCommand


# -- stacks -----------------------------------------------------------------------------------


@dataclass
class EngineStack:
    """A stack of the real engine, with every line the CLI printed for it."""

    stack: auto.Stack
    folders: tuple[Path, ...]
    """The backend, PULUMI_HOME and work folders: everything the CLI writes for this stack."""
    output: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All CLI output so far (stdout and stderr, and the text of failed commands)."""
        return "\n".join(self.output)

    def set_program(self, fn: auto.PulumiFn) -> None:
        """Run ``fn`` as the program from now on."""
        self.stack.workspace.program = fn

    def set_secret(self, key: str, value: str, *, path: bool = False) -> None:
        """Set a secret stack config value."""
        self.stack.set_config(key, auto.ConfigValue(value, secret=True), path=path)

    def up(self, **options: Any) -> auto.UpResult:
        """``pulumi up``."""
        result: auto.UpResult = self._run(self.stack.up, options)
        return result

    def preview(self, **options: Any) -> auto.PreviewResult:
        """``pulumi preview --diff`` (the detailed diff shows every property value)."""
        result: auto.PreviewResult = self._run(self.stack.preview, {"diff": True, **options})
        return result

    def refresh(self, **options: Any) -> auto.RefreshResult:
        """``pulumi refresh``."""
        result: auto.RefreshResult = self._run(self.stack.refresh, options)
        return result

    def destroy(self, **options: Any) -> auto.DestroyResult:
        """``pulumi destroy``."""
        result: auto.DestroyResult = self._run(self.stack.destroy, options)
        return result

    def _run(self, operation: Callable[..., Any], options: dict[str, Any]) -> Any:
        options = {"color": "never", **options}
        try:
            return operation(on_output=self.output.append, on_error=self.output.append, **options)
        except auto.errors.CommandError as error:
            self.output.append(str(error))
            raise

    def deployment(self) -> dict[str, Any]:
        """The exported state (``pulumi stack export --show-secrets``: secrets decrypted)."""
        deployment = self.stack.export_stack().deployment
        assert deployment is not None, "the stack has no state"
        return dict(deployment)

    def resource(self, name: str = "mail") -> dict[str, Any]:
        """The state of the EmailProvider named ``name``."""
        for resource in self.deployment().get("resources", []):
            if resource["type"].endswith(":EmailProvider") and resource["urn"].endswith(
                f"::{name}"
            ):
                found: dict[str, Any] = resource
                return found
        raise AssertionError(f"no EmailProvider {name!r} in the stack's state")


def create_stack(
    cli: PulumiCli,
    root: Path,
    fn: auto.PulumiFn,
    config: Mapping[str, auto.ConfigValue],
) -> EngineStack:
    """A new stack on a backend of its own under ``root``, with ``config`` set."""
    backend, home, work = root / "backend", root / "home", root / "work"
    for folder in (backend, home, work):
        folder.mkdir(parents=True)
    env = {
        "PATH": f"{cli.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_HOME": str(home),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_PYTHON_CMD": str(PLUGIN_PYTHON),
        # Plain JSON state files, so that a search for a secret cannot miss it.
        "PULUMI_SELF_MANAGED_STATE_GZIP": "false",
    }
    options = auto.LocalWorkspaceOptions(
        work_dir=str(work),
        pulumi_home=str(home),
        env_vars=env,
        pulumi_command=cli.command,
        project_settings=auto.ProjectSettings(
            name=PROJECT,
            runtime="python",
            backend=auto.ProjectBackend(url=f"file://{backend}"),
        ),
    )
    stack = auto.create_or_select_stack(
        stack_name=STACK, project_name=PROJECT, program=fn, opts=options
    )
    stack.set_all_config(dict(config))
    return EngineStack(stack=stack, folders=(backend, home, work))


def stack_config(
    emulator: EmulatorServer, *, credentials: bool = True
) -> dict[str, auto.ConfigValue]:
    """The emulator's host, pool-a's access key (unless not wanted) and the canary secrets."""
    pool = emulator.pools[0]
    config = {"genauth:host": auto.ConfigValue(emulator.url)}
    if credentials:
        config["genauth:accessKeyId"] = auto.ConfigValue(pool.access_key_id)
        config["genauth:accessKeySecret"] = auto.ConfigValue(pool.access_key_secret, secret=True)
    for kind, spec in KINDS.items():
        config[secret_key(kind)] = auto.ConfigValue(spec.canary, secret=True)
    return config


def use_keys_of(engine: EngineStack, pool: Pool) -> None:
    """Point the stack's default credentials (genauth:accessKeyId/Secret) at ``pool``'s key."""
    engine.stack.set_config("genauth:accessKeyId", auto.ConfigValue(pool.access_key_id))
    engine.stack.set_config(
        "genauth:accessKeySecret", auto.ConfigValue(pool.access_key_secret, secret=True)
    )


def set_pool_entry(engine: EngineStack, name: str, pool: Pool, **more: str) -> None:
    """Give the stack the ``genauth:pools`` entry ``name``: ``pool``'s access key, and more keys."""
    entry = f"genauth:pools.{name}"
    engine.stack.set_all_config(
        {
            f"{entry}.accessKeyId": auto.ConfigValue(pool.access_key_id),
            f"{entry}.accessKeySecret": auto.ConfigValue(pool.access_key_secret, secret=True),
            **{f"{entry}.{key}": auto.ConfigValue(value) for key, value in more.items()},
        },
        path=True,
    )


StackFactory = Callable[..., EngineStack]
"""``new_stack(fn, credentials=True)``: see the ``new_stack`` fixture."""


# -- secrets ----------------------------------------------------------------------------------


def is_secret(value: Any) -> bool:
    """Whether a state value is a secret object (``{SECRET_SIG: ..., "plaintext": ...}``)."""
    return isinstance(value, Mapping) and SECRET_SIG in value


def secret_at(value: Any, path: Sequence[str]) -> bool:
    """Whether the state value at ``path`` is secret, itself or as part of a secret object."""
    for key in path:
        if is_secret(value):
            return True
        if not isinstance(value, Mapping) or key not in value:
            return False
        value = value[key]
    return is_secret(value)


def without_secrets(value: Any) -> Any:
    """A state value with every secret object replaced by ``"[secret]"``."""
    if is_secret(value):
        return "[secret]"
    if isinstance(value, Mapping):
        return {key: without_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_secrets(item) for item in value]
    return value


def assert_no_secret_leaked(engine: EngineStack, canaries: Sequence[str] = CANARIES) -> None:
    """No canary in the CLI output, in any file the CLI wrote, or in state outside a secret."""
    output = engine.text
    files = [path for folder in engine.folders for path in folder.rglob("*") if path.is_file()]
    assert files, "the CLI wrote no files: nothing to search"
    visible_state = json.dumps(without_secrets(engine.deployment()))
    for canary in canaries:
        assert canary not in output, f"a secret reached the CLI output: {canary!r}"
        for path in files:
            assert canary.encode() not in path.read_bytes(), f"{canary!r} in plain text in {path}"
        assert canary not in visible_state, f"{canary!r} in the state outside a secret"


# A line of the engine's diff display that marks a change: "~ key: old => new", "+ key: ...".
# (Not a resource's line: its type token has no space after its first colon.)
_MARKED: Final = re.compile(r"^\s*[~+-]\s+\w+\s*:(\s|$)")


def marked(text: str) -> list[str]:
    """The lines of a diff display that mark a change, stripped, in order (an object whose
    fields change opens with its own line, ``~ smtp_config: {``)."""
    return [" ".join(line.split()) for line in text.splitlines() if _MARKED.match(line)]


def changes(summary: Mapping[Any, int] | None) -> dict[str, int]:
    """An engine change summary with plain string keys (``{"same": 2, "update": 1}``)."""
    return {str(getattr(op, "value", op)): count for op, count in (summary or {}).items()}


TRACEBACK: Final = "Traceback (most recent call last)"


def failing(engine: EngineStack, operation: Callable[[], Any]) -> str:
    """Run an operation that must fail; everything the CLI printed."""
    with pytest.raises(auto.errors.CommandError):
        operation()
    return engine.text
