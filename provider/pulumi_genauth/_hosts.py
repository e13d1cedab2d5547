"""The GenAuth host: the URL rules it must follow, and the header brand it answers to.

Checked at preview (with no network) as well as by the client, so this module imports
nothing of the HTTP stack.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from typing import Literal

from . import _constants as c
from ._exceptions import ConfigurationError

Brand = Literal["genauth", "authing"]


def normalize_host(host: str) -> str:
    """Check a host URL and return it without a trailing slash.

    ``https://`` is required, except for loopback hosts (a local emulator), where plain
    ``http://`` is allowed.
    """
    parsed = urllib.parse.urlsplit(host.strip())
    # Quoted in every message below, with any user info (a password, maybe) left out.
    shown = repr(_without_user_info(host.strip()))
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigurationError(
            f"GenAuth host {shown} is not a URL: write it as https://api.example.com"
        )
    # Any @ is refused, not only in what urlsplit takes for user info: a password holding a
    # raw "/" ends urlsplit's authority early, and would pass as a path.
    if parsed.query or parsed.fragment or "@" in host:
        raise ConfigurationError(
            f"GenAuth host {shown} must be a plain https://host[:port] URL, "
            "with no query, fragment or user info"
        )
    if parsed.scheme == "http" and not _is_loopback(parsed.hostname):
        raise ConfigurationError(
            f"GenAuth host {shown} uses plain http://, which is only allowed for loopback "
            "hosts (a local emulator); use https://"
        )
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, parsed.path.rstrip("/"), "", ""))


def _without_user_info(host: str) -> str:
    """``host`` with all that stands between its scheme and its last ``@`` shown as ``***``.

    Not only the authority that urlsplit finds: a password may hold a raw ``/``, ``?`` or
    ``#``, and would be quoted in part. A host URL has no other use for an ``@``.
    """
    scheme, sep, rest = host.partition("://")
    if not sep:
        scheme, rest = "", host
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return f"{scheme}{sep}{rest}"


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def brand_for_host(host: str) -> Brand:
    """The header brand a host answers to: Authing's domains, else GenAuth's."""
    hostname = urllib.parse.urlsplit(host).hostname or ""
    if any(hostname == d or hostname.endswith("." + d) for d in c.AUTHING_DOMAINS):
        return "authing"
    return "genauth"
