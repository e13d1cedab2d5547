"""One version everywhere a release states it.

pyproject.toml is the source: the installed metadata (and so ``pulumi_genauth.__version__``
and the plugin's GetPluginInfo) follows from it, and ``make dist`` names the plugin tarball
after it. Everything else that states the version is written down and must agree: the
schema's ``version`` (scripts/gen-sdk refuses another), the SDKs generated from it (the
npm package, the Go and Python SDKs' pulumi-plugin.json, the version the Go SDK asks the
engine for), the Go example's requirement of the Go SDK, and the changelog's latest release.
A release changes pyproject.toml, then each of these, then regenerates the SDKs.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2_grpc

import pulumi_genauth
import pulumi_genauth.native_sdk
from pulumi_genauth.native._schema import schema

REPO: Final = Path(__file__).resolve().parents[1]
VERSION: Final[str] = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
GO_SDK: Final = "github.com/pulumi-genauth/pulumi-genauth/sdk/go/genauth"


def json_field(relative: str, *keys: str) -> Callable[[], object]:
    """Reads ``keys`` (one level within the next) of a JSON file of the repository."""

    def read() -> object:
        value: object = json.loads((REPO / relative).read_text(encoding="utf-8"))
        for key in keys:
            assert isinstance(value, dict), f"{relative}: no {'.'.join(keys)}"
            value = value[key]
        return value

    return read


def go_example_requirement() -> str:
    """The version examples/go/go.mod requires of the Go SDK, with Go's leading v."""
    text = (REPO / "examples" / "go" / "go.mod").read_text(encoding="utf-8")
    found = re.search(rf"^\s*(?:require\s+)?{re.escape(GO_SDK)} (\S+)", text, re.MULTILINE)
    assert found, f"examples/go/go.mod does not require {GO_SDK}"
    return found.group(1)


def go_sdk_default_version() -> str:
    """The plugin version the Go SDK's resources ask the engine for."""
    text = (REPO / "sdk" / "go" / "genauth" / "internal" / "pulumiUtilities.go").read_text()
    found: set[str] = set(re.findall(r'version := semver\.MustParse\("([^"]+)"\)', text))
    assert len(found) == 1, f"pulumiUtilities.go asks for {found or 'no version'}"
    return found.pop()


def latest_changelog_release() -> str:
    """The first ``## X.Y.Z`` heading of CHANGELOG.md (an ``Unreleased`` one is skipped)."""
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    found = re.search(r"^## (\d+\.\d+\.\d+)\b", text, re.MULTILINE)
    assert found, "CHANGELOG.md has no release heading"
    return found.group(1)


STATED: Final[dict[str, Callable[[], object]]] = {
    "the installed metadata": lambda: importlib.metadata.version("pulumi-genauth"),
    "pulumi_genauth.__version__": lambda: pulumi_genauth.__version__,
    "schema.json": json_field("provider/pulumi_genauth/native/schema.json", "version"),
    "the schema the plugin serves": lambda: schema()["version"],
    "sdk/nodejs/package.json": json_field("sdk/nodejs/package.json", "version"),
    "sdk/nodejs/package.json's pulumi block": json_field(
        "sdk/nodejs/package.json", "pulumi", "version"
    ),
    "sdk/go's pulumi-plugin.json": json_field("sdk/go/genauth/pulumi-plugin.json", "version"),
    "the Go SDK's resource options": go_sdk_default_version,
    "sdk/python's pulumi-plugin.json": json_field(
        "sdk/python/pulumi_genauth/native_sdk/pulumi-plugin.json", "version"
    ),
    "the Python SDK's resource options": pulumi_genauth.native_sdk._utilities.get_version,
    "examples/go/go.mod's requirement of the SDK": lambda: go_example_requirement()[1:],
    "CHANGELOG.md's latest release": latest_changelog_release,
}


@pytest.mark.parametrize("where", list(STATED))
def test_every_statement_of_the_version_is_pyprojects(where: str) -> None:
    """Each place that states the version states pyproject.toml's."""
    assert STATED[where]() == VERSION, f"{where} says {STATED[where]()!r}, pyproject {VERSION!r}"


def test_the_go_example_requires_the_sdk_with_gos_leading_v() -> None:
    """Go module versions are spelled v0.3.0."""
    assert go_example_requirement() == f"v{VERSION}"


@pytest.fixture
def plugin_channel() -> Iterator[grpc.Channel]:
    """The installed pulumi-resource-genauth, started as the engine starts it."""
    executable = Path(sys.executable).parent / "pulumi-resource-genauth"
    # An engine address nothing listens on: GetPluginInfo never calls the engine.
    started = subprocess.Popen([str(executable), "127.0.0.1:1"], stdout=subprocess.PIPE, text=True)
    try:
        assert started.stdout is not None
        port = started.stdout.readline().strip()
        assert port.isdigit(), f"pulumi-resource-genauth printed {port!r}, not its port"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=20)
            yield channel
    finally:
        started.kill()
        started.wait(timeout=20)
        if started.stdout is not None:
            started.stdout.close()


def test_the_running_plugin_reports_pyprojects_version(plugin_channel: grpc.Channel) -> None:
    """GetPluginInfo of the installed plugin process: what `pulumi plugin ls` shows."""
    stub = provider_pb2_grpc.ResourceProviderStub(plugin_channel)
    assert stub.GetPluginInfo(empty_pb2.Empty(), timeout=20).version == VERSION
