"""What an IDE and ``help()`` show: every argument documented, every config shape typed.

The names are derived from the code (the signature, the dataclass fields, the type hints), so
an argument, field or output added without its documentation or its types fails here.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.metadata
import inspect
import pydoc
import re
import typing
from typing import Any

import pulumi
import pulumi.output
import pytest

import pulumi_genauth as genauth
from pulumi_genauth import _resource
from pulumi_genauth._models import CONFIG_FIELD_BY_TYPE, CONFIG_FIELDS

# The SDK's own Resource annotates with names of pulumi.output that it imports only for type
# checkers (`_aliases: list[Input[str]]`); get_type_hints needs them to resolve the bases.
SDK_NAMES = vars(pulumi.output)

# The arguments of EmailProvider(...), self left out.
ARGUMENTS = list(inspect.signature(genauth.EmailProvider.__init__).parameters)[1:]


def init_hints() -> dict[str, Any]:
    return typing.get_type_hints(genauth.EmailProvider.__init__, localns=SDK_NAMES)


def config_shapes(name: str) -> tuple[type, Any]:
    """The dataclass and the TypedDict a config argument of __init__ accepts."""
    members = [member for member in typing.get_args(init_hints()[name]) if inspect.isclass(member)]
    (dataclass,) = [member for member in members if dataclasses.is_dataclass(member)]
    (typed_dict,) = [member for member in members if typing.is_typeddict(member)]
    return dataclass, typed_dict


def args_section() -> dict[str, str]:
    """The ``Args:`` entries of ``EmailProvider.__init__``'s docstring, by argument name."""
    doc = inspect.getdoc(genauth.EmailProvider.__init__) or ""
    section = re.search(r"^Args:\n(.*?)(?:\n\n|\Z)", doc, re.MULTILINE | re.DOTALL)
    assert section, "EmailProvider.__init__ has no Args: section"
    entries = re.split(r"\n {4}(?=\w+: )", "\n" + section.group(1))
    return {
        entry.split(":", 1)[0].strip(): " ".join(entry.split(":", 1)[1].split())
        for entry in entries
        if entry.strip()
    }


def test_the_signature_is_the_documented_one() -> None:
    """The derived names are the real ones (self dropped): the tests below rest on them."""
    assert ARGUMENTS[0] == "resource_name"
    assert {"type", "enabled", *CONFIG_FIELDS, "pool", "opts"} <= set(ARGUMENTS)


@pytest.mark.parametrize("argument", ARGUMENTS)
def test_help_documents_every_argument(argument: str) -> None:
    """help(EmailProvider) shows a non-empty Args: entry for each argument of __init__."""
    assert args_section().get(argument), f"{argument} has no entry in the Args: section"
    assert re.search(
        rf"^\s+\|\s+{argument}: \S", pydoc.render_doc(genauth.EmailProvider), re.MULTILINE
    )


def test_the_args_section_documents_no_argument_that_does_not_exist() -> None:
    """A renamed or removed argument takes its entry with it."""
    assert list(args_section()) == ARGUMENTS


@pytest.mark.parametrize(("kind", "config"), list(CONFIG_FIELD_BY_TYPE.items()))
def test_help_says_which_type_goes_with_which_config(
    kind: genauth.EmailProviderType, config: tuple[str, str]
) -> None:
    """Each config's entry names its type value and the two shapes it accepts."""
    name = config[0]
    entry = args_section()[name]
    assert f'type="{kind.value}"' in entry
    for shape in config_shapes(name):
        assert f":class:`{shape.__name__}`" in entry


def test_help_tells_about_secrets_and_pool() -> None:
    """The facts an IDE user needs most: secrets are secrets, and `pool` replaces."""
    doc = inspect.getdoc(genauth.EmailProvider.__init__) or ""
    assert "always wrapped as a secret" in doc
    pool = args_section()["pool"]
    assert "genauth:pools" in pool
    assert "replaces the resource" in pool


@pytest.mark.parametrize("name", CONFIG_FIELDS)
def test_each_config_dataclass_has_a_typeddict_with_the_same_fields(name: str) -> None:
    """`XArgs` and `XArgsDict` go together in the signature, field for field, all optional."""
    dataclass, typed_dict = config_shapes(name)
    assert typed_dict.__name__ == f"{dataclass.__name__}Dict"
    names = {field.name for field in dataclasses.fields(dataclass)}
    assert set(typed_dict.__annotations__) == names
    assert typed_dict.__optional_keys__ == names  # total=False, like a dict the user builds


def test_every_config_dataclass_has_its_typeddict() -> None:
    """No *ConfigArgs class exported without its *ConfigArgsDict, and both exported."""
    dataclasses_exported = {name for name in genauth.__all__ if name.endswith("ConfigArgs")}
    assert dataclasses_exported == {config_shapes(name)[0].__name__ for name in CONFIG_FIELDS}
    for name in dataclasses_exported:
        assert f"{name}Dict" in genauth.__all__
        assert typing.is_typeddict(getattr(genauth, f"{name}Dict"))


@pytest.mark.parametrize("name", CONFIG_FIELDS)
def test_config_outputs_are_typeddicts(name: str) -> None:
    """`mail.smtp_config` is an Output of a TypedDict (or None), with the config's fields."""
    hints = typing.get_type_hints(genauth.EmailProvider, localns=SDK_NAMES)
    hint = hints[name]
    assert typing.get_origin(hint) is pulumi.Output
    (value,) = typing.get_args(hint)
    (output,) = [member for member in typing.get_args(value) if member is not type(None)]
    assert typing.is_typeddict(output)
    assert getattr(genauth, output.__name__) is output
    assert output.__name__ in genauth.__all__
    dataclass, _ = config_shapes(name)
    assert set(output.__annotations__) == {field.name for field in dataclasses.fields(dataclass)}


def annotated_attributes_without_docstring() -> list[str]:
    """`Class.attribute` for each annotated class attribute of _resource not followed by a
    docstring (what IDEs show on hover)."""
    tree = ast.parse(inspect.getsource(_resource))
    missing = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        body = node.body
        for index, statement in enumerate(body):
            if not isinstance(statement, ast.AnnAssign):
                continue
            following = body[index + 1] if index + 1 < len(body) else None
            documented = (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            )
            if not documented:
                missing.append(f"{node.name}.{ast.unparse(statement.target)}")
    return missing


def test_every_field_and_output_has_a_docstring() -> None:
    """Arguments' fields, TypedDict keys and the resource's outputs all say what they are."""
    assert annotated_attributes_without_docstring() == []


@pytest.mark.parametrize(("name", "module"), sorted(genauth._LAZY.items()))
def test_a_name_imported_on_first_use_is_its_modules_object(
    monkeypatch: pytest.MonkeyPatch, name: str, module: str
) -> None:
    """`genauth.EmailProvider` and the like are the real objects, the first time and after."""
    monkeypatch.delitem(vars(genauth), name, raising=False)  # as if never named before
    expected = getattr(importlib.import_module(f"pulumi_genauth.{module}"), name)
    assert getattr(genauth, name) is expected
    assert getattr(genauth, name) is expected


def test_the_version_is_the_installed_distributions() -> None:
    """`pulumi_genauth.__version__` is the version pip installed, from the package metadata."""
    assert genauth.__version__ == importlib.metadata.version("pulumi-genauth")


def test_an_unknown_name_is_an_attribute_error() -> None:
    """A misspelt name fails as Python's own would, so hasattr() and IDEs see no such name."""
    assert not hasattr(genauth, "EmailProviders")
    with pytest.raises(AttributeError) as error:
        genauth.EmailProviders  # type: ignore[attr-defined]  # noqa: B018
    assert str(error.value) == "module 'pulumi_genauth' has no attribute 'EmailProviders'"


@pytest.mark.parametrize("name", CONFIG_FIELDS)
def test_each_config_argument_is_paired_with_its_own_args_class(name: str) -> None:
    """_resource pairs config arguments with Args classes by _fields' order: the pairing is
    the one __init__'s annotations say (a reordered table would fail here)."""
    dataclass, _ = config_shapes(name)
    assert _resource._ARGS_CLASS[name] is dataclass
