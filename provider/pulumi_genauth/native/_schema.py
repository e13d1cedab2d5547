"""The package schema the plugin serves (``schema.json``, kept beside this module).

The schema is written by hand and held to the core by tests/test_native.py: its
property names are the core's names in camelCase, its secret fields the core's secret fields.
The version is the package's, stated in the schema (scripts/gen-sdk refuses another;
tests/test_versions.py holds it to pyproject.toml).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Final

RESOURCE_TOKEN: Final = "genauth:index:EmailProvider"  # noqa: S105 - a type token


@functools.cache
def schema() -> dict[str, Any]:
    """The schema as a dict."""
    # Beside this module in a wheel and in a checkout (importlib.resources costs the plugin's
    # start more than it gives here).
    text = Path(__file__).with_name("schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def schema_text() -> str:
    """The schema as GetSchema serves it."""
    return json.dumps(schema(), indent=2)


# The keys of the provider's config (genauth:<key>) and the resource's input properties.
PROVIDER_CONFIG_KEYS: Final = tuple(schema()["config"]["variables"])
RESOURCE_INPUTS: Final = frozenset(schema()["resources"][RESOURCE_TOKEN]["inputProperties"])
# Everything this plugin writes into a resource's state: the schema's outputs (appliedSetting,
# what delete compares, among them) and the inputs.
STATE_KEYS: Final = frozenset(
    {*schema()["resources"][RESOURCE_TOKEN]["properties"], *RESOURCE_INPUTS}
)
