"""The preview's rules for the resource's property bag: what ``check()`` refuses, and why.

Rules that are the API's (types, required fields, port range, non-empty secrets) come from
the field table ``_fields.CONFIG_RULES``, which the wire models in ``_models`` agree with (a
test holds them to it): a preview needs no pydantic. The rules that make a preview useful to a
person (exactly the config that matches ``type``, a host name without a scheme) are added
here. Every problem names the property path the user wrote, e.g. ``smtp_config.smtp_port``,
and never echoes a secret. The setting itself (its normal form, the request, the live setting
read back) is ``_setting``'s.

Values still unknown during a preview are accepted. The core knows them as the engine's
wire sentinel (``_constants.UNKNOWN``); a front end whose SDK hands over objects instead (the
dynamic server's ``pulumi.output.Unknown``) turns them into it first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ._addresses import host_problem, mailbox_problem
from ._constants import UNKNOWN
from ._fields import (
    CONFIG_FIELD_BY_TYPE,
    CONFIG_FIELDS,
    CONFIG_RULES,
    PORT_MAX,
    PORT_MIN,
    TYPE_NAMES,
    VERIFY_SMTP_KEY,
    EmailProviderType,
    FieldRule,
)
from ._setting import whole_number

_TYPE_BY_CONFIG: Final = {name: kind for kind, (name, _) in CONFIG_FIELD_BY_TYPE.items()}
_ALLOWED_TYPES: Final = ", ".join(repr(kind.value) for kind in EmailProviderType)
# What people call the services whose type names are not theirs.
_TYPE_BY_SERVICE: Final = {"smtp": "custom", "tencent": "qq", "exmail": "qq", "aliyun": "ali"}
# The configs whose sender is a mailbox (SendGrid's From address, the enterprise mail
# account); the custom SMTP sender may be a login name.
_MAILBOX_SENDERS: Final = frozenset(
    name for kind, (name, _) in CONFIG_FIELD_BY_TYPE.items() if kind is not EmailProviderType.CUSTOM
)


@dataclass(frozen=True)
class Problem:
    """One reason the inputs cannot be applied: a property path and the rule it breaks."""

    property: str
    reason: str  # the rule, without the property's name: "must not be empty"

    def as_check_failure(self) -> tuple[str, str]:
        """(property, reason) as the engine should print them: the path leads the reason.

        Given a property, the engine prints ``property P value V has a problem: R``, looking V
        up as a top-level key only (a nested path prints ``value {<nil>}``, a config object
        every field of it). So no property is named; each reason starts with its path and
        quotes the value itself where that helps (never a secret), and every refusal reads
        alike: ``resource 'mail' has a problem: smtp_config.smtp_port must be ...``.
        """
        if not self.property:
            return "", self.reason
        return "", f"{self.property} {self.reason}"


def is_unknown(value: Any) -> bool:
    """Whether a value is not known yet (a preview of an output of another resource)."""
    return isinstance(value, str) and value == UNKNOWN


def validate_props(props: Mapping[str, Any]) -> list[Problem]:
    """Every problem with the resource's setting properties; unknown values pass."""
    problems: list[Problem] = []
    kind = props.get("type")
    selected: str | None = None
    if is_unknown(kind):
        pass
    elif kind is None:
        problems.append(Problem("type", f"is required: one of {_ALLOWED_TYPES}"))
    elif not isinstance(kind, str) or kind not in TYPE_NAMES:
        problems.append(
            Problem("type", f"must be one of {_ALLOWED_TYPES} (got {kind!r}){_type_hint(kind)}")
        )
    else:
        selected = CONFIG_FIELD_BY_TYPE[EmailProviderType(kind)][0]

    enabled = props.get("enabled", True)
    if not is_unknown(enabled) and not isinstance(enabled, bool):
        problems.append(Problem("enabled", f"must be true or false (got {enabled!r})"))
    verify_smtp = props.get(VERIFY_SMTP_KEY, False)
    if not is_unknown(verify_smtp) and not isinstance(verify_smtp, bool):
        problems.append(Problem(VERIFY_SMTP_KEY, f"must be true or false (got {verify_smtp!r})"))

    for name in CONFIG_FIELDS:
        value = props.get(name)
        if selected is None or is_unknown(value):
            continue
        if name == selected and value is None:
            others = [other for other in CONFIG_FIELDS if props.get(other) is not None]
            hint = (
                f" ({', '.join(others)} is set, which goes with type "
                f"{_TYPE_BY_CONFIG[others[0]].value!r})"
                if others
                else ""
            )
            problems.append(Problem(name, f"is required when type is {kind!r}{hint}"))
        elif name != selected and value is not None:
            problems.append(
                Problem(
                    name,
                    f"does not go with type {kind!r}: type {kind!r} reads {selected}; "
                    f"set {selected} instead, or set type to "
                    f"{_TYPE_BY_CONFIG[name].value!r} to use {name}",
                )
            )
        elif name == selected:
            problems.extend(_config_problems(name, value))
            # The custom SMTP sender is optional, but the preflight logs in with it. (White
            # space and wrong types are reported by _config_problems already.)
            if (
                verify_smtp is True
                and name == "smtp_config"
                and isinstance(value, Mapping)
                and value.get("sender") in (None, "")
            ):
                problems.append(
                    Problem(
                        "smtp_config.sender",
                        "is required when verify_smtp is true: it is the login the check "
                        "tries the password with",
                    )
                )
    return problems


def _type_hint(kind: Any) -> str:
    """A hint at the type name a wrong one was close to: case, or spelling."""
    if not isinstance(kind, str):
        return ""
    name = kind.strip().lower()
    if name in TYPE_NAMES:
        return f": type names are lower case, did you mean {name!r}?"
    if name in _TYPE_BY_SERVICE:
        return f": did you mean {_TYPE_BY_SERVICE[name]!r}?"
    import difflib  # noqa: PLC0415 - only for a wrong type, never on the way of a good one

    nearest = difflib.get_close_matches(kind.lower(), sorted(TYPE_NAMES), n=1, cutoff=0.6)
    return f": did you mean {nearest[0]!r}?" if nearest else ""


def _config_problems(name: str, value: Any) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(name, "must be an object")]
    known = {key: item for key, item in value.items() if not is_unknown(item)}
    return _field_problems(name, value) + _text_problems(name, known)


def _field_problems(name: str, value: Mapping[str, Any]) -> list[Problem]:
    """The API's rules for one config: its fields, their types, required and non-empty."""
    rules = CONFIG_RULES[name]
    problems = [
        Problem(f"{name}.{field}", "is not a property of this config")
        for field in value
        if field not in rules
    ]
    for field, rule in rules.items():
        item = value.get(field)
        if is_unknown(item):
            continue
        reason = "is required" if item is None and rule.required else _type_problem(rule, item)
        if reason is not None:
            problems.append(Problem(f"{name}.{field}", reason))
    return problems


def _type_problem(rule: FieldRule, item: Any) -> str | None:
    # Strict: a bool is not a port (True would be 1), "yes" is not a bool. Secret values are
    # never quoted; only the port, which is not one, is.
    if item is None:
        return None
    if rule.kind is bool:
        return None if isinstance(item, bool) else "must be true or false"
    if rule.kind is int:
        number = whole_number(item)
        if not isinstance(number, int) or isinstance(number, bool):
            return f"must be a whole number from {PORT_MIN} to {PORT_MAX} (got {item!r})"
        if not PORT_MIN <= number <= PORT_MAX:
            return f"must be a port number from {PORT_MIN} to {PORT_MAX} (got {number!r})"
        return None
    if not isinstance(item, str):
        return "must be a string"
    if rule.required and not item:
        return "must not be empty"
    return None


def _text_problems(name: str, known: Mapping[str, Any]) -> list[Problem]:
    """What the API's types do not say: blank values, host names, sender mailboxes."""
    problems: list[Problem] = []
    for field, item in known.items():
        if not isinstance(item, str) or not item:
            continue  # wrong types and empty values are _field_problems' to report
        if not item.strip():
            problems.append(Problem(f"{name}.{field}", "must not be only white space"))
            continue
        rule = None
        if name == "smtp_config" and field == "smtp_host":
            rule = host_problem(item)
        elif field == "sender" and name in _MAILBOX_SENDERS:
            rule = mailbox_problem(item)
        if rule is not None:
            problems.append(Problem(f"{name}.{field}", rule))
    return problems
