"""The native resource's typed Python classes (``pulumi_genauth.native_sdk``) under the SDK's mocks.

The classes are generated from the schema by scripts/gen-sdk into sdk/python/ and shipped in
this package's wheel. The mocks stand in for the engine, so these pin what a program *sends*:
the type tokens, the provider a resource goes through, the schema's camelCase names, and which
values travel as secrets. (A password the program passes in plain text reaches the engine in
plain text, as with every Pulumi SDK: the code generators wrap only top-level secret
properties. The plugin's Check marks it secret before anything is stored; tests/test_native.py
holds that.)
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any, Final

import pulumi
import pytest
from pulumi.runtime import rpc

import pulumi_genauth
import pulumi_genauth.native_sdk as genauth

from .support import SENDGRID_KEY, SMTP_PASSWORD, RecordingMocks

REPO: Final = Path(__file__).resolve().parents[1]
SCHEMA: Final[dict[str, Any]] = json.loads(
    (REPO / "provider" / "pulumi_genauth" / "native" / "schema.json").read_text(encoding="utf-8")
)
RESOURCE: Final = "genauth:index:EmailProvider"
PROVIDER_TYPE: Final = "pulumi:providers:genauth"
CONFIG_BY_TYPE: Final = {
    "custom": "smtpConfig",
    "ali": "aliExmailConfig",
    "qq": "tencentExmailConfig",
    "sendgrid": "sendGridConfig",
}


@pytest.fixture
def mocks() -> RecordingMocks:
    recording = RecordingMocks(userpoolId="pool-a")
    pulumi.runtime.set_mocks(recording, preview=False)
    return recording


def unwrap(value: Any) -> tuple[bool, Any]:
    """(whether the value travelled as a secret, its plain value)."""
    return rpc.is_rpc_secret(value), rpc.unwrap_rpc_secret(value)


@pulumi.runtime.test
def test_the_email_provider_registers_the_native_type_through_its_provider(
    mocks: RecordingMocks,
) -> Any:
    """genauth:index:EmailProvider, camelCase inputs, through the explicit provider given."""
    pool = genauth.Provider(
        "pool-a", host="https://api.genauth.ai", access_key_id="key-a", access_key_secret="s"
    )
    mail = genauth.EmailProvider(
        "mail",
        type=genauth.EmailProviderType.CUSTOM,
        smtp_config=genauth.SmtpConfigArgs(
            smtp_host="smtp.example.com",
            smtp_port=465,
            sender="no-reply@example.com",
            sender_pass=pulumi.Output.secret(SMTP_PASSWORD),
            secure=True,
        ),
        verify_smtp=True,
        opts=pulumi.ResourceOptions(provider=pool),
    )

    def check(urns: list[str]) -> None:
        pool_urn = urns[0]
        sent = mocks.registered["mail"]
        assert sent.typ == RESOURCE
        # The provider's URN (its type under the stack's), then its id.
        assert sent.provider == f"{pool_urn}::pool-a-id"
        assert pool_urn.endswith(f"${PROVIDER_TYPE}::pool-a")
        assert set(sent.inputs) == {"type", "smtpConfig", "verifySmtp"}
        assert (sent.inputs["type"], sent.inputs["verifySmtp"]) == ("custom", True)
        secret, config = unwrap(sent.inputs["smtpConfig"])
        assert secret
        assert config == {
            "smtpHost": "smtp.example.com",
            "smtpPort": 465,
            "sender": "no-reply@example.com",
            "senderPass": SMTP_PASSWORD,
            "secure": True,
        }
        provider = mocks.registered["pool-a"]
        assert provider.typ == PROVIDER_TYPE
        assert set(provider.inputs) == {"host", "accessKeyId", "accessKeySecret"}
        assert unwrap(provider.inputs["accessKeySecret"]) == (True, "s")
        assert not rpc.is_rpc_secret(provider.inputs["accessKeyId"])

    return pulumi.Output.all(pool.urn, mail.urn).apply(check)


@pulumi.runtime.test
def test_dict_configs_and_string_types_are_accepted(mocks: RecordingMocks) -> Any:
    """A config as a dict (snake_case keys, the ...ArgsDict form) and a type as a string."""
    config: genauth.SendGridConfigArgsDict = {
        "sender": "support@example.com",
        "apikey": pulumi.Output.secret(SENDGRID_KEY),
    }
    mail = genauth.EmailProvider("grid", type="sendgrid", enabled=False, send_grid_config=config)

    def check(_: Any) -> None:
        sent = mocks.registered["grid"]
        assert (sent.typ, sent.provider) == (RESOURCE, "")
        assert (sent.inputs["type"], sent.inputs["enabled"]) == ("sendgrid", False)
        secret, plain = unwrap(sent.inputs["sendGridConfig"])
        assert secret
        assert plain == {"sender": "support@example.com", "apikey": SENDGRID_KEY}

    return mail.urn.apply(check)


@pulumi.runtime.test
def test_outputs_read_back_by_their_snake_case_names(mocks: RecordingMocks) -> Any:
    """The outputs a program reads (userpool_id, type) are the engine's camelCase outputs."""
    del mocks
    mail = genauth.EmailProvider("qq", type=genauth.EmailProviderType.QQ)

    def check(values: list[Any]) -> None:
        assert values == ["pool-a", "qq"]

    return pulumi.Output.all(mail.userpool_id, mail.type).apply(check)


def python_examples() -> list[str]:
    """The Python examples of the schema's EmailProvider docs, and of docs/_index.md."""
    docs: str = SCHEMA["resources"][RESOURCE]["description"]
    docs += (REPO / "docs" / "_index.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", docs, re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("example", python_examples())
def test_the_docs_python_examples_run(
    example: str, mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Python example of the registry docs runs as written, and declares its config."""
    keys = set(re.findall(r'config\.require(?:_secret)?\("(\w+)"\)', example))
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({f"project:{key}": "x" for key in keys}))
    namespace: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> Any:
        exec(compile(example, "<schema example>", "exec"), namespace)  # noqa: S102 - our docs
        declared = [v for v in namespace.values() if isinstance(v, pulumi.CustomResource)]
        return pulumi.Output.all(*(resource.urn for resource in declared))

    program()
    resources = [args for args in mocks.registered.values() if args.typ == RESOURCE]
    assert resources
    for args in resources:
        assert CONFIG_BY_TYPE[args.inputs["type"]] in args.inputs, args.inputs


def test_the_sdk_asks_for_the_plugin_of_this_packages_version() -> None:
    """The generated _utilities finds its version in this distribution's metadata."""
    assert genauth._utilities.get_version() == pulumi_genauth.__version__


def test_the_wheel_lists_every_package_of_the_tree() -> None:
    """pyproject lists the packages (the SDK lives in sdk/python): none may be left out."""
    tool = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    package_dir: dict[str, str] = tool["package-dir"]
    found = set()
    for root in (REPO / "provider", REPO / "sdk" / "python"):
        for init in root.rglob("__init__.py"):
            if "__pycache__" not in init.parts and ".egg-info" not in str(init):
                found.add(".".join(init.parent.relative_to(root).parts))
    assert set(tool["packages"]) == found
    assert package_dir["pulumi_genauth.native_sdk"] == "sdk/python/pulumi_genauth/native_sdk"
