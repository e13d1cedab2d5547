"""What a failed connection means, and what fixes it: the failures another attempt cannot mend.

The client's retry loop asks :func:`classify` about every ``httpx.TransportError``. Most are
worth another attempt (a refused or cut connection, a timeout, a proxy that could not reach
the host) and get ``None``. Three are not, and become an error raised at once, in one line
naming the host, the reason and the fix:

* a certificate that fails verification (:class:`TLSError`, ``certificate=True``): a private
  CA the machine does not trust (the fix: ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), a name the
  certificate does not hold, a certificate outside its validity period;
* a TLS handshake that fails (:class:`TLSError`): a port that does not speak TLS, no shared
  protocol version or cipher, a host that wants a client certificate;
* a proxy that refuses the tunnel with a 4xx answer to CONNECT (:class:`ProxyRefusedError`):
  credentials wanted (407) or a policy (403); the proxy is named without its user info.

A handshake cut off half-way (a server restarting, a load balancer) is a connect error, and
retried. This module makes no HTTP call of its own: it reads the exception, its causes and the
environment's proxy variables as httpx reads them.
"""

from __future__ import annotations

import re
import ssl
import urllib.request
from typing import Final

import httpx

from . import _constants as c
from ._exceptions import ProxyRefusedError, TLSError

__all__ = [
    "FIX_CLIENT_CERTIFICATE",
    "FIX_HANDSHAKE",
    "FIX_NAME_MISMATCH",
    "FIX_NOT_TLS",
    "FIX_NO_COMMON_PROTOCOL",
    "FIX_PROXY_CREDENTIALS",
    "FIX_PROXY_POLICY",
    "FIX_UNTRUSTED_CA",
    "FIX_VALIDITY",
    "classify",
    "proxy_for",
    "tls_text",
]

# The connection was cut during the handshake (a server restarting, a load balancer): that is
# a connect error, worth another attempt, not a refusal.
_TLS_CUT_OFF: Final = (
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
    ssl.SSLSyscallError,
    ssl.SSLWantReadError,
    ssl.SSLWantWriteError,
)
# What to do, by what failed. A verify failure's advice goes by OpenSSL's verify code, a
# handshake failure's by OpenSSL's reason (ssl.SSLError.reason).
FIX_UNTRUSTED_CA: Final = (
    f"trust the CA that issued it where pulumi runs: set {c.ENV_CA_FILE} to a PEM bundle "
    "holding that CA (it replaces the default bundle, so add any public CAs you still need) "
    f"or {c.ENV_CA_DIR} to a folder of CA certificates"
)
FIX_NAME_MISMATCH: Final = (
    "the certificate was issued for another host name: set the GenAuth host to a name the "
    "certificate holds, or have the certificate reissued for this one"
)
FIX_VALIDITY: Final = (
    "the certificate is outside its validity period: renew it on the host "
    "(or check this machine's clock)"
)
FIX_NOT_TLS: Final = (
    "the host does not speak TLS on that port: check the port, and that the host serves "
    "HTTPS there (a local plain-HTTP emulator is written http://)"
)
FIX_NO_COMMON_PROTOCOL: Final = (
    "the host and this machine share no TLS version or cipher: the host must offer TLS 1.2 or later"
)
FIX_CLIENT_CERTIFICATE: Final = (
    "the host asks for a client certificate, which pulumi-genauth does not send"
)
FIX_HANDSHAKE: Final = "check that the host serves HTTPS with TLS 1.2 or later on that port"
_HANDSHAKE_FIXES: Final = {
    **dict.fromkeys(
        ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"),
        FIX_NOT_TLS,
    ),
    **dict.fromkeys(
        (
            "UNSUPPORTED_PROTOCOL",
            "TLSV1_ALERT_PROTOCOL_VERSION",
            "NO_PROTOCOLS_AVAILABLE",
            "SSLV3_ALERT_HANDSHAKE_FAILURE",
            "NO_SHARED_CIPHER",
            "NO_CIPHERS_AVAILABLE",
        ),
        FIX_NO_COMMON_PROTOCOL,
    ),
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": FIX_CLIENT_CERTIFICATE,
}
FIX_PROXY_CREDENTIALS: Final = (
    "set the proxy's user name and password in {variable} (http://user:password@host:port), "
    "or list the GenAuth host in NO_PROXY if it can be reached directly"
)
FIX_PROXY_POLICY: Final = (
    "the proxy does not allow a tunnel to this host: have it allowed, or list the GenAuth "
    "host in NO_PROXY if it can be reached directly"
)
_SSL_DECORATION: Final = re.compile(r"^\[[^\]]*\]\s*|\s*\(_ssl\.c:\d+\)$")


def classify(
    exc: httpx.TransportError, *, host: str, method: str, path: str
) -> TLSError | ProxyRefusedError | None:
    """The error to raise at once for a failure another attempt cannot mend, else None."""
    if isinstance(exc, httpx.ProxyError):
        status = _proxy_status(exc)
        if status not in c.PROXY_REFUSED_STATUS:
            return None
        proxy, variable = proxy_for(host) or ("(the proxy)", "HTTPS_PROXY")
        fix = (
            FIX_PROXY_CREDENTIALS.format(variable=variable)
            if status == c.PROXY_AUTHENTICATION_REQUIRED
            else FIX_PROXY_POLICY
        )
        return ProxyRefusedError(
            str(exc), proxy=proxy, host=host, fix=fix, method=method, path=path
        )
    tls = _tls_refusal(exc)
    if tls is None:
        return None
    if isinstance(tls, ssl.SSLCertVerificationError):
        code = tls.verify_code
        if code in c.CERT_NAME_MISMATCH_CODES:
            fix = FIX_NAME_MISMATCH
        elif code in c.CERT_VALIDITY_CODES:
            fix = FIX_VALIDITY
        else:
            fix = FIX_UNTRUSTED_CA
        detail = (tls.verify_message or tls_text(tls)).rstrip(".")
        reason, certificate = f"certificate verify failed: {detail}", True
    else:
        reason, certificate = tls_text(tls), False
        fix = _HANDSHAKE_FIXES.get(tls.reason or "", FIX_HANDSHAKE)
    return TLSError(reason, host=host, certificate=certificate, fix=fix, method=method, path=path)


def tls_text(error: BaseException) -> str:
    """The words of an OpenSSL or OS error, without ``[SSL: CODE]`` and ``(_ssl.c:NNN)``."""
    if isinstance(error, OSError) and not isinstance(error, ssl.SSLError) and error.strerror:
        return error.strerror
    return _SSL_DECORATION.sub("", str(error)).rstrip(".") or type(error).__name__


def proxy_for(host: str) -> tuple[str, str] | None:
    """The proxy the environment gives ``host``, as httpx picks it, without user info; and
    the variable it comes from. Only asked once a proxy was used: NO_PROXY let it be."""
    scheme = host.partition("://")[0]
    proxies = urllib.request.getproxies()
    for key in (scheme, "all"):
        url = proxies.get(key)
        if url:
            scheme_of_proxy, _, rest = url.rpartition("://")
            netloc = rest.split("/", 1)[0].rpartition("@")[2]  # user:password@ left out
            return f"{scheme_of_proxy or 'http'}://{netloc}", f"{key.upper()}_PROXY"
    return None


def _tls_refusal(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error under an httpx error, when it is one that another attempt cannot mend."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLError) and not isinstance(cause, _TLS_CUT_OFF):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


def _proxy_status(exc: httpx.ProxyError) -> int | None:
    """The status of the proxy's answer to CONNECT (httpcore says ``"407 Proxy ..."``)."""
    first = str(exc).split(maxsplit=1)[:1]
    return int(first[0]) if first and first[0].isdigit() else None
