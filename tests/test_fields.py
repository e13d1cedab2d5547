"""The preview's field table and the API's wire models say the same thing.

The preview checks configs against ``_fields.CONFIG_RULES`` (no pydantic: a preview stays
fast); requests are built and checked (by the emulator too) with the wire models of
``_models``. These tests derive each rule from the models, so that the two cannot drift.
"""

from __future__ import annotations

import typing
from typing import Any

import pytest
from pydantic import SecretStr
from pydantic.fields import FieldInfo

from pulumi_genauth._fields import CONFIG_RULES, PORT_MAX, PORT_MIN, is_masked
from pulumi_genauth._models import ConfigEmailProviderInput


def model_of(config: str) -> Any:
    """The wire model of a config property (``smtp_config`` -> SmtpConfigInput)."""
    annotation = ConfigEmailProviderInput.model_fields[config].annotation
    (model,) = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    return model


def base_kind(field: FieldInfo) -> type:
    """str, int or bool: what the field holds, with None, SecretStr and constraints removed."""
    kinds = list(typing.get_args(field.annotation) or (field.annotation,))
    (kind,) = [k for k in kinds if k is not type(None)]
    return str if kind is SecretStr else kind


@pytest.mark.parametrize("config", sorted(CONFIG_RULES))
def test_each_config_has_the_fields_of_its_wire_model(config: str) -> None:
    """Same field names (by property name), in the same order."""
    assert list(CONFIG_RULES[config]) == list(model_of(config).model_fields)


@pytest.mark.parametrize("config", sorted(CONFIG_RULES))
def test_each_field_is_required_and_typed_as_the_model_says(config: str) -> None:
    """Required-ness and kind agree; a required string is one that must not be empty."""
    for name, field in model_of(config).model_fields.items():
        rule = CONFIG_RULES[config][name]
        assert rule.required == field.is_required(), name
        assert rule.kind is base_kind(field), name
        min_length = [m.min_length for m in field.metadata if hasattr(m, "min_length")]
        if rule.kind is str:
            assert (min_length == [1]) == rule.required, name


def test_the_port_range_is_the_models() -> None:
    """The one ranged field, smtp_port, has the model's bounds."""
    field = model_of("smtp_config").model_fields["smtp_port"]
    bounds = {type(m).__name__: m for m in field.metadata}
    assert (bounds["Ge"].ge, bounds["Le"].le) == (PORT_MIN, PORT_MAX)
    assert [
        (config, name)
        for config, rules in CONFIG_RULES.items()
        for name, rule in rules.items()
        if rule.kind is int
    ] == [("smtp_config", "smtp_port")]


@pytest.mark.parametrize(
    ("secret", "masked"),
    [
        (None, True),  # left out of the answer
        ("", True),
        ("******", True),
        ("••••", True),
        ("*•*", True),
        (SecretStr("******"), True),
        ("canary-pass", False),
        ("pass****", False),
        (SecretStr("canary-pass"), False),
    ],
)
def test_a_secret_read_back_is_a_mask_when_it_holds_no_character_but_the_mask(
    secret: SecretStr | str | None, masked: bool
) -> None:
    """None, empty, or only * and •: the service hid the secret (the known one is kept)."""
    assert is_masked(secret) is masked
