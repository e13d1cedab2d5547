"""What a mail server's host name and a sender's mailbox must look like, checked at preview.

Each check returns the rule that broke, as the end of a sentence that starts with the
property's path (``smtp_config.smtp_host must be ...``), or ``None`` when the value is fine.

Host names follow the DNS rules (RFC 1035, with RFC 1123's leading digits): labels of 1 to
63 letters, digits and hyphens, not starting or ending with a hyphen, the whole name at most
253 characters. An address of digits and dots is an IPv4 literal and must be a valid one; an
IPv6 literal is written in brackets (``[2001:db8::25]``). Anything with a scheme, a port, a
path or white space is refused: the port has a property of its own.

A mailbox is ``local-part@domain`` with a domain that is a host name with at least one dot.
This is deliberately not the whole of RFC 5322 (quoted local parts, comments): a sender
address of an email service is never written that way, and a preview check should refuse
typos, not argue about them.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

MAX_NAME_LENGTH: Final = 253
MAX_LABEL_LENGTH: Final = 63
_LABEL: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_IPV4_LIKE: Final = re.compile(r"[0-9][0-9.]*")
# The local part of a mailbox: the characters RFC 5322 allows unquoted, dots between runs.
_LOCAL_PART: Final = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)


def host_problem(host: str) -> str | None:
    """Why ``host`` is not a host name or IP literal, or None."""
    example = "a host name such as smtp.example.com"
    if host != host.strip() or any(char.isspace() for char in host):
        return f"must be {example}, with no white space (got {host!r})"
    if "/" in host:  # a path, or a scheme: its "://" has slashes too
        return f"must be {example}, with no scheme or path (got {host!r})"
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"must be a valid IPv6 address in brackets (got {host!r})"
        return None
    if ":" in host:
        return (
            f"must be {example}, with no port (got {host!r}); the port goes in smtp_port, "
            "and an IPv6 address is written in brackets"
        )
    if _IPV4_LIKE.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"must be a valid IPv4 address (got {host!r})"
        return None
    return _dns_problem(host, example)


def mailbox_problem(address: str) -> str | None:
    """Why ``address`` is not an email address such as mail@example.com, or None."""
    rule = f"must be an email address such as mail@example.com (got {address!r})"
    # With no @ at all, the local part is empty, which the pattern refuses.
    local, _, domain = address.rpartition("@")
    if not _LOCAL_PART.fullmatch(local):
        return rule
    if "." not in domain or _dns_problem(domain, "") is not None:
        return rule
    return None


def _dns_problem(name: str, example: str) -> str | None:
    for label in name.split("."):
        if not label:
            return f"must be {example} with no empty label (got {name!r})"
        if len(label) > MAX_LABEL_LENGTH:
            return (
                f"must be {example} whose labels have at most {MAX_LABEL_LENGTH} characters "
                f"(one has {len(label)})"
            )
        if not _LABEL.fullmatch(label):
            return (
                f"must be {example}: letters, digits and hyphens between dots, no hyphen at "
                f"either end of a label (got {name!r})"
            )
    if len(name) > MAX_NAME_LENGTH:
        return f"must be {example} of at most {MAX_NAME_LENGTH} characters (got {len(name)})"
    return None
