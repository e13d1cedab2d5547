"""The registry docs: the schema's descriptions (API docs, SDK doc comments) and docs/_index.md.

The Pulumi registry's API docs and every generated SDK's doc comments come from the schema's
``description`` fields, so each one the schema has must say something. The resource's
description carries an ``## Example Usage`` section in Pulumi's ``{{% examples %}}`` markup
(the generators keep each SDK's own language) with every language this package serves, and an
``## Import`` section. The examples themselves are checked where they can be without a
toolchain: the YAML ones against the schema here, the Python ones under the SDK's mocks in
tests/test_python_sdk.py (docs/_index.md's likewise). The package page, docs/_index.md, has the
registry's front matter and sections, and its configuration reference names every key of the
schema's config with its environment variable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
import yaml

REPO: Final = Path(__file__).resolve().parents[1]
INDEX: Final = REPO / "docs" / "_index.md"
SCHEMA: Final[dict[str, Any]] = json.loads(
    (REPO / "provider" / "pulumi_genauth" / "native" / "schema.json").read_text(encoding="utf-8")
)
RESOURCE: Final = "genauth:index:EmailProvider"
PROVIDER_TYPE: Final = "pulumi:providers:genauth"
LANGUAGES: Final = ("typescript", "python", "go", "yaml")
EXAMPLE: Final = re.compile(r"\{\{% example %\}\}\n(.*?)\{\{% /example %\}\}", re.DOTALL)
CODE: Final = re.compile(r"^```(\w+)\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def documented() -> Iterator[tuple[str, Any]]:
    """(where, its description) for everything of the schema that the docs show."""
    yield "the package", SCHEMA.get("description")
    for key, variable in SCHEMA["config"]["variables"].items():
        yield f"config {key}", variable.get("description")
    provider = SCHEMA["provider"]
    yield "the provider", provider.get("description")
    for key, prop in provider.get("inputProperties", {}).items():
        yield f"provider input {key}", prop.get("description")
    for token, resource in SCHEMA["resources"].items():
        yield token, resource.get("description")
        for group in ("inputProperties", "properties"):
            for key, prop in resource.get(group, {}).items():
                yield f"{token} {group} {key}", prop.get("description")
    for token, declared in SCHEMA["types"].items():
        yield token, declared.get("description")
        for key, prop in declared.get("properties", {}).items():
            yield f"{token} property {key}", prop.get("description")
        for value in declared.get("enum", []):
            yield f"{token} value {value['value']}", value.get("description")


def resource_docs() -> str:
    description: str = SCHEMA["resources"][RESOURCE]["description"]
    return description


def examples() -> list[str]:
    """The text of each ``{{% example %}}`` block of the resource's description."""
    docs = resource_docs()
    start, end = docs.index("{{% examples %}}"), docs.index("{{% /examples %}}")
    return EXAMPLE.findall(docs[start:end])


def code_blocks(text: str, language: str) -> list[str]:
    return [code for lang, code in CODE.findall(text) if lang == language]


@pytest.mark.parametrize(("where", "description"), list(documented()))
def test_everything_the_docs_show_has_a_description(where: str, description: Any) -> None:
    """Each resource, provider, config variable, type, property and enum value says something."""
    assert isinstance(description, str), f"{where} has no description"
    assert description.strip(), f"{where} has an empty description"


def test_the_resource_has_an_example_usage_section_in_pulumis_markup() -> None:
    """An ``## Example Usage`` heading inside ``{{% examples %}}``, with examples after it."""
    docs = resource_docs()
    assert docs.count("{{% examples %}}") == docs.count("{{% /examples %}}") == 1
    section = docs[docs.index("{{% examples %}}") : docs.index("{{% /examples %}}")]
    assert "\n## Example Usage\n" in section
    assert docs.count("{{% example %}}") == docs.count("{{% /example %}}") == len(examples())
    assert examples()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_example_is_given_in_every_language(language: str) -> None:
    """Each example has a title and one code block per language: TypeScript, Python, Go, YAML."""
    for example in examples():
        assert example.startswith("### "), example[:60]
        assert len(code_blocks(example, language)) == 1, f"{example[:60]}: no {language}"


def test_the_python_examples_use_the_native_typed_classes() -> None:
    """The Python examples declare the native resource (pulumi_genauth.native_sdk)."""
    for example in examples():
        (python,) = code_blocks(example, "python")
        assert "import pulumi_genauth.native_sdk as genauth" in python
        assert "genauth.EmailProvider(" in python


def test_the_import_section_gives_the_command_and_its_caveats() -> None:
    """``## Import`` after the examples: the command, protection, and an explicit provider."""
    docs = resource_docs()
    assert "\n## Import\n" in docs
    section = docs[docs.index("\n## Import\n") :]
    assert docs.index("{{% /examples %}}") < docs.index("\n## Import\n")
    commands = "\n".join(code_blocks(section, "sh"))
    assert f"pulumi import {RESOURCE} mail <userpoolId>" in commands
    assert "pulumi up --target" in commands
    assert "--provider 'support=urn:pulumi:" in commands
    for caveat in ("protects", "pulumi state unprotect", "never read back", "::<id>"):
        assert caveat in section, caveat


def yaml_programs() -> list[dict[str, Any]]:
    """The YAML examples of the schema, and of docs/_index.md."""
    texts = [code_blocks(example, "yaml")[0] for example in examples()]
    texts += code_blocks(INDEX.read_text(encoding="utf-8"), "yaml")
    return [yaml.safe_load(text) for text in texts]


def check_object(path: str, given: dict[str, Any], declared: dict[str, Any]) -> None:
    """Every key of ``given`` is a property of ``declared``; objects are checked within."""
    assert set(given) <= set(declared), f"{path}: {set(given) - set(declared)} not in the schema"
    for key, value in given.items():
        ref = declared[key].get("$ref", "").removeprefix("#/types/")
        if isinstance(value, dict):
            check_object(f"{path}.{key}", value, SCHEMA["types"][ref]["properties"])
        elif "enum" in SCHEMA["types"].get(ref, {}):
            values = {v["value"] for v in SCHEMA["types"][ref]["enum"]}
            assert value in values, f"{path}.{key}: {value!r}"


def test_the_yaml_examples_use_only_what_the_schema_declares() -> None:
    """Resource types, property names (nested ones too), enum values and config references."""
    for program in yaml_programs():
        declared_config = set(program.get("config", {}))
        for name, resource in program["resources"].items():
            if resource["type"] == PROVIDER_TYPE:
                inputs = SCHEMA["provider"]["inputProperties"]
            else:
                assert resource["type"] in {RESOURCE, "genauth:EmailProvider"}, resource["type"]
                inputs = SCHEMA["resources"][RESOURCE]["inputProperties"]
                required = set(SCHEMA["resources"][RESOURCE]["requiredInputs"])
                assert required <= set(resource["properties"]), name
            check_object(name, resource["properties"], inputs)
            text = json.dumps(resource)
            for reference in re.findall(r"\$\{(\w+)\}", text):
                assert reference in declared_config | set(program["resources"]), reference


@pytest.mark.parametrize(
    ("sdk_file", "language"),
    [
        ("nodejs/emailProvider.ts", "typescript"),
        ("go/genauth/emailProvider.go", "go"),
        ("python/pulumi_genauth/native_sdk/email_provider.py", "python"),
    ],
)
def test_each_sdk_carries_its_own_languages_examples(sdk_file: str, language: str) -> None:
    """The generated doc comments hold the examples of their language, and the import."""
    text = (REPO / "sdk" / sdk_file).read_text(encoding="utf-8")
    assert "## Example Usage" in text
    assert "## Import" in text
    assert f"pulumi import {RESOURCE}" in text
    # One distinctive line of each language's first example, as each generator writes it.
    marks = {
        "typescript": "new genauth.EmailProvider(",
        "go": "genauth.NewEmailProvider(ctx,",
        "python": "smtp_config=genauth.SmtpConfigArgs(",
        "yaml": "type: genauth:EmailProvider",
    }
    assert marks[language] in text
    for other in set(LANGUAGES) - {language}:
        assert marks[other] not in text, f"{sdk_file} carries the {other} example"


def test_the_package_page_has_the_registrys_front_matter_and_sections() -> None:
    """title, meta_desc, layout: package; then installation, overview, examples, config, import."""
    text = INDEX.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    matter = yaml.safe_load(front)
    assert matter["title"] == "GenAuth"
    assert matter["layout"] == "package"
    assert matter["meta_desc"].strip()
    headings = re.findall(r"^## (.+)$", body, re.MULTILINE)
    assert headings == [
        "Installation",
        "Overview",
        "Example Usage",
        "Configuration Reference",
        "Importing",
    ]
    chooser = body[body.index("## Example Usage") : body.index("## Configuration Reference")]
    for language in LANGUAGES:
        assert f"{{{{% choosable language {language} %}}}}" in chooser, language
        assert len(code_blocks(chooser, language)) == 1, language


def test_the_package_page_installs_this_version_in_every_language() -> None:
    """The plugin tarball, the wheel, the npm tarball and the Go module, at the schema's version."""
    text = INDEX.read_text(encoding="utf-8")
    version = SCHEMA["version"]
    module = SCHEMA["language"]["go"]["importBasePath"]
    for line in (
        f"pulumi plugin install resource genauth {version} --file "
        f"dist/pulumi-resource-genauth-v{version}-linux-amd64.tar.gz",
        f"pip install dist/pulumi_genauth-{version}-py3-none-any.whl",
        f"pulumi-genauth-genauth-{version}.tgz",
        f"go get {module}@v{version}",
        SCHEMA["language"]["nodejs"]["packageName"],
        "import pulumi_genauth.native_sdk as genauth",
    ):
        assert line in text, line


def test_the_configuration_reference_names_every_key_and_its_environment_variable() -> None:
    """Each config variable of the schema, as a list item, with its environment variable."""
    text = INDEX.read_text(encoding="utf-8")
    reference = text[text.index("## Configuration Reference") : text.index("## Importing")]
    for key, variable in SCHEMA["config"]["variables"].items():
        item = re.search(rf"^- `{key}` \((.*?)(?=^- |^\n)", reference, re.MULTILINE | re.DOTALL)
        assert item, f"{key} is not in the configuration reference"
        for environment in variable.get("defaultInfo", {}).get("environment", []):
            assert f"`{environment}`" in item.group(1), (key, environment)
