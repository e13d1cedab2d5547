"""What a program made secret comes back from the native provider's Check still secret.

The engine keeps the inputs Check returns as the resource's inputs, and this plugin accepts
secrets, so a secret flag Check drops is gone from the state's inputs, from ``--diff`` and
from what Create is given. A program marks secrets at any depth: a whole config object
(YAML's ``fn::secret`` around ``smtpConfig``, TypeScript's ``pulumi.secret({...})``), one field
of it, or a value of any kind (a list included). Check also marks each config's password or
API key secret by the schema's rule, and that must hold inside a secret object too.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from pulumi_genauth.native._protocol import CheckRequest
from pulumi_genauth.native._values import PropertyValue, plain

from .native_support import SMTP, URN, provider, run, values


def secret(value: PropertyValue) -> PropertyValue:
    """``value`` as the engine sends a value the program made secret."""
    return value.with_secret(True)


def secret_paths(properties: Mapping[str, PropertyValue], prefix: str = "") -> set[str]:
    """The dotted path of every secret value, at any depth (a list item as ``path[i]``)."""
    found: set[str] = set()
    for key, value in properties.items():
        path = f"{prefix}{key}"
        if value.is_secret:
            found.add(path)
        if isinstance(value.value, Mapping):
            found |= secret_paths(value.value, f"{path}.")
        elif isinstance(value.value, tuple):
            found |= secret_paths({f"[{i}]": item for i, item in enumerate(value.value)}, path)
    return found


def whole_config_secret() -> dict[str, PropertyValue]:
    """smtpConfig secret as one value (YAML's fn::secret around it)."""
    inputs = values({"type": "custom", "smtpConfig": SMTP})
    inputs["smtpConfig"] = secret(inputs["smtpConfig"])
    return inputs


def one_field_secret() -> dict[str, PropertyValue]:
    """smtpConfig with smtpHost alone made secret."""
    inputs = values({"type": "custom", "smtpConfig": SMTP})
    fields = dict(inputs["smtpConfig"].value)
    fields["smtpHost"] = secret(fields["smtpHost"])
    inputs["smtpConfig"] = inputs["smtpConfig"].with_value(fields)
    return inputs


def secret_list() -> dict[str, PropertyValue]:
    """A secret list where smtpConfig.smtpPort goes."""
    # No property of EmailProvider is a list: one arrives only where it does not belong,
    # which Check refuses (the failure names it), and it still comes back secret.
    inputs = values({"type": "custom", "smtpConfig": SMTP})
    fields = dict(inputs["smtpConfig"].value)
    fields["smtpPort"] = secret(PropertyValue((PropertyValue(465.0), PropertyValue(587.0))))
    inputs["smtpConfig"] = inputs["smtpConfig"].with_value(fields)
    return inputs


def secret_list_items() -> dict[str, PropertyValue]:
    """A list property whose second item alone is secret."""
    inputs = values({"type": "custom", "smtpConfig": SMTP})
    inputs["tags"] = PropertyValue((PropertyValue("plain"), secret(PropertyValue("hidden"))))
    return inputs


@pytest.mark.parametrize(
    ("inputs", "secrets", "failed"),
    [
        pytest.param(
            whole_config_secret(), {"smtpConfig", "smtpConfig.senderPass"}, set(), id="whole-config"
        ),
        pytest.param(
            one_field_secret(),
            {"smtpConfig.smtpHost", "smtpConfig.senderPass"},
            set(),
            id="one-field",
        ),
        pytest.param(
            secret_list(),
            {"smtpConfig.smtpPort", "smtpConfig.senderPass"},
            {"smtpConfig.smtpPort"},
            id="list",
        ),
        pytest.param(
            secret_list_items(), {"tags[1]", "smtpConfig.senderPass"}, {"tags"}, id="list-item"
        ),
    ],
)
def test_check_returns_every_secret_the_program_marked_and_the_schema_s(
    inputs: dict[str, PropertyValue], secrets: set[str], failed: set[str]
) -> None:
    """Check's inputs are the program's values with each secret flag kept where the program
    put it (a whole config, a field, a list, a list's item) and the config's password marked
    secret as well, inside a secret config too."""
    checked = run(provider().check(CheckRequest(URN, {}, inputs, b"")))

    assert checked.inputs is not None
    assert secret_paths(checked.inputs) == secrets
    declared = {key: plain(value) for key, value in inputs.items()}
    assert {key: plain(checked.inputs[key]) for key in inputs} == declared
    assert {f.reason.split(" ")[0] for f in checked.failures or []} == failed


def test_a_whole_secret_config_is_checked_as_any_other() -> None:
    """A config secret as a whole is validated field by field: a bad port is named by its
    path (a rule cannot be skipped because the object is secret)."""
    inputs = values({"type": "custom", "smtpConfig": {**SMTP, "smtpPort": 70000.0}})
    inputs["smtpConfig"] = secret(inputs["smtpConfig"])

    checked = run(provider().check(CheckRequest(URN, {}, inputs, b"")))

    assert [(f.property, f.reason) for f in checked.failures or []] == [
        ("", "smtpConfig.smtpPort must be a port number from 1 to 65535 (got 70000)")
    ]
