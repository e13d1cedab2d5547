"""A private deployment under the real engine, through both front ends: a private CA, a proxy.

The emulator serves https with a certificate of the test's own CA (``tls_fixtures``). The
dynamic resource runs from a Python program (``new_stack``), the native provider from the
YAML example (``yaml_stack``); the CLI, and so each plugin, gets ``SSL_CERT_FILE``,
``HTTPS_PROXY`` and ``NO_PROXY`` from its environment, as a user's shell would give them:

* an untrusted certificate fails the ``up`` at once (one connection per resource, counted by
  a relay), in one line with the fix, nothing applied; trusted through ``SSL_CERT_FILE``, the
  same ``up`` works;
* through an HTTP CONNECT proxy of the test's own, every call is tunnelled; ``NO_PROXY``
  skips it;
* a proxy refusing the tunnel fails at once, in one line naming the proxy without the
  credentials its URL holds.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from pulumi import automation as auto

from pulumi_genauth._refusals import FIX_PROXY_CREDENTIALS, FIX_PROXY_POLICY, FIX_UNTRUSTED_CA
from pulumi_genauth.emulator.server import EmulatorServer

from ..support import CANARIES, SENDGRID_KEY, SMTP_PASSWORD
from ..tls_support import (
    CERT_NAME,
    PROXY_PASSWORD,
    PROXY_USER,
    TRUST_VARIABLES,
    PrivateCA,
    ProxyFactory,
    RelayFactory,
    https_url,
    port_of,
    proxy_variables,
)
from .support import (
    TRACEBACK,
    EngineStack,
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    failing,
    program,
)
from .yaml_stacks import SUPPORT_SETTING, YamlStack, marketing_setting

pytestmark = pytest.mark.engine
pytest_plugins = ["tests.tls_fixtures"]

TOKEN_PATH = "/api/v3/get-management-token"
UNTRUSTED = "certificate verify failed: self-signed certificate in certificate chain"
# The example's two resources, each with its own provider (so its own client).
YAML_RESOURCES = 2


def certificate_line(host: str) -> str:
    """What the user reads for the private CA's certificate, untrusted."""
    return (
        f"POST {TOKEN_PATH}: the TLS certificate of {host} was not accepted ({UNTRUSTED}): "
        f"{FIX_UNTRUSTED_CA}; nothing was sent to GenAuth"
    )


def refusal_line(proxy: str, host: str, status: int) -> str:
    """What the user reads for a proxy answering CONNECT with ``status`` (407 or 403)."""
    if status == 407:
        reason, fix = (
            "407 Proxy Authentication Required",
            FIX_PROXY_CREDENTIALS.format(variable="HTTPS_PROXY"),
        )
    else:
        reason, fix = "403 Forbidden", FIX_PROXY_POLICY
    return (
        f"POST {TOKEN_PATH}: the proxy {proxy} refused the tunnel to {host} ({reason}): {fix}; "
        "nothing was sent to GenAuth"
    )


def environ(env: Mapping[str, str], **values: str) -> dict[str, str]:
    """``env`` with these trust and proxy variables, and no other: the CLI's, so the plugins'."""
    dropped = {*proxy_variables(), *TRUST_VARIABLES}
    return {**{k: v for k, v in env.items() if k not in dropped}, **values}


def set_environ(engine: EngineStack, **values: str) -> None:
    """Run the stack's CLI with these trust and proxy variables, and no other."""
    engine.stack.workspace.env_vars = environ(engine.stack.workspace.env_vars, **values)


def targets_of(emulator: EmulatorServer) -> str:
    """The ``host:port`` a tunnel to the https emulator asks for."""
    return f"{CERT_NAME}:{port_of(emulator.url)}"


def assert_one_line(text: str, line: str) -> None:
    """``line`` is printed whole on a line of its own (after the CLI's prefix), no traceback."""
    assert any(printed.rstrip().endswith(line) for printed in text.splitlines()), text
    assert TRACEBACK not in text


# -- the dynamic resource (a Python program) --------------------------------------------------


def dynamic_stack(new_stack: StackFactory, host: str, mail: Mail) -> EngineStack:
    """A stack of one EmailProvider whose GenAuth host is ``host``."""
    engine = new_stack(program(mail))
    engine.stack.set_config("genauth:host", auto.ConfigValue(host))
    return engine


def test_the_dynamic_resource_refuses_an_untrusted_ca_at_once_then_trusts_ssl_cert_file(
    new_stack: StackFactory,
    tls_emulator: EmulatorServer,
    private_ca: PrivateCA,
    relay: RelayFactory,
) -> None:
    """Untrusted: one line, one connection, nothing applied; with SSL_CERT_FILE, up works."""
    counted = relay(port_of(tls_emulator.url))
    host = https_url(counted.port)
    mail = Mail.of("custom")
    engine = dynamic_stack(new_stack, host, mail)

    text = failing(engine, engine.up)

    assert_one_line(text, certificate_line(host))
    assert counted.connections == 1  # no retry
    assert tls_emulator.requests() == []
    assert tls_emulator.stored("pool-a") is None
    set_environ(engine, SSL_CERT_FILE=str(private_ca.ca_file))
    engine.up()
    assert tls_emulator.stored("pool-a") == mail.expected()
    assert_no_secret_leaked(engine)


def test_the_dynamic_resource_goes_through_https_proxy_unless_no_proxy(
    new_stack: StackFactory,
    tls_emulator: EmulatorServer,
    private_ca: PrivateCA,
    connect_proxy: ProxyFactory,
) -> None:
    """HTTPS_PROXY: the calls are tunnelled through the proxy; NO_PROXY: they go direct."""
    proxy = connect_proxy()
    mail = Mail.of("custom")
    engine = dynamic_stack(new_stack, https_url(port_of(tls_emulator.url)), mail)
    set_environ(engine, SSL_CERT_FILE=str(private_ca.ca_file), HTTPS_PROXY=proxy.url)

    engine.up()

    assert targets_of(tls_emulator) in proxy.targets()
    assert tls_emulator.stored("pool-a") == mail.expected()
    tunnels = len(proxy.tunnels)
    set_environ(
        engine, SSL_CERT_FILE=str(private_ca.ca_file), HTTPS_PROXY=proxy.url, NO_PROXY=CERT_NAME
    )
    changed = mail.changed(smtp_port=587)
    engine.set_program(program(changed))
    engine.up()
    assert targets_of(tls_emulator) not in proxy.targets()[tunnels:]
    assert tls_emulator.stored("pool-a") == changed.expected()


def test_the_dynamic_resource_names_a_refusing_proxy_without_its_credentials(
    new_stack: StackFactory,
    tls_emulator: EmulatorServer,
    private_ca: PrivateCA,
    connect_proxy: ProxyFactory,
) -> None:
    """A 407 to CONNECT: one line naming the proxy, no user or password, nothing applied."""
    proxy = connect_proxy(refuse=407)
    host = https_url(port_of(tls_emulator.url))
    engine = dynamic_stack(new_stack, host, Mail.of("custom"))
    set_environ(
        engine,
        SSL_CERT_FILE=str(private_ca.ca_file),
        HTTPS_PROXY=proxy.url_with_credentials(),
    )

    text = failing(engine, engine.up)

    assert_one_line(text, refusal_line(proxy.url, host, 407))
    assert proxy.targets().count(targets_of(tls_emulator)) == 1  # no retry
    assert tls_emulator.requests() == []
    assert tls_emulator.stored("pool-a") is None
    assert PROXY_USER not in text
    assert_no_secret_leaked(engine, [*CANARIES, PROXY_PASSWORD])


# -- the native provider (the YAML example) ---------------------------------------------------


def test_the_native_provider_refuses_an_untrusted_ca_at_once_then_trusts_ssl_cert_file(
    yaml_stack: YamlStack,
    tls_emulator: EmulatorServer,
    private_ca: PrivateCA,
    relay: RelayFactory,
) -> None:
    """Untrusted: one line per resource, one connection each, nothing applied; then up works."""
    counted = relay(port_of(tls_emulator.url))
    host = https_url(counted.port)
    yaml_stack.run("config", "set", "host", host)
    yaml_stack.env = environ(yaml_stack.env)

    up = yaml_stack.run("up", "--yes", check=False)

    assert up.returncode != 0
    assert_one_line(up.stdout + up.stderr, certificate_line(host))
    assert counted.connections == YAML_RESOURCES  # one each, no retry
    assert tls_emulator.requests() == []
    yaml_stack.env = environ(yaml_stack.env, SSL_CERT_FILE=str(private_ca.ca_file))
    yaml_stack.run("up", "--yes")
    assert tls_emulator.stored("pool-a") == marketing_setting()
    assert tls_emulator.stored("pool-b") == SUPPORT_SETTING
    yaml_stack.assert_no_secret_leaked(SMTP_PASSWORD, SENDGRID_KEY)


def test_the_native_provider_goes_through_https_proxy_unless_no_proxy(
    yaml_stack: YamlStack,
    tls_emulator: EmulatorServer,
    private_ca: PrivateCA,
    connect_proxy: ProxyFactory,
) -> None:
    """HTTPS_PROXY: up is tunnelled through the proxy; NO_PROXY: refresh goes direct."""
    proxy = connect_proxy()
    yaml_stack.run("config", "set", "host", https_url(port_of(tls_emulator.url)))
    yaml_stack.env = environ(
        yaml_stack.env, SSL_CERT_FILE=str(private_ca.ca_file), HTTPS_PROXY=proxy.url
    )

    yaml_stack.run("up", "--yes")

    assert targets_of(tls_emulator) in proxy.targets()
    assert tls_emulator.stored("pool-a") == marketing_setting()
    tunnels, calls = len(proxy.tunnels), len(tls_emulator.requests())
    yaml_stack.env = environ(
        yaml_stack.env,
        SSL_CERT_FILE=str(private_ca.ca_file),
        HTTPS_PROXY=proxy.url,
        NO_PROXY=CERT_NAME,
    )
    yaml_stack.run("refresh", "--yes")
    assert len(tls_emulator.requests()) > calls  # refresh read both pools...
    assert targets_of(tls_emulator) not in proxy.targets()[tunnels:]  # ...directly


@pytest.mark.parametrize("status", [407, 403])
def test_the_native_provider_names_a_refusing_proxy_without_its_credentials(
    yaml_stack: YamlStack,
    tls_emulator: EmulatorServer,
    private_ca: PrivateCA,
    connect_proxy: ProxyFactory,
    status: int,
) -> None:
    """A 407 or 403 to CONNECT: one line naming the proxy, no credentials, nothing applied."""
    proxy = connect_proxy(refuse=status)
    host = https_url(port_of(tls_emulator.url))
    yaml_stack.run("config", "set", "host", host)
    yaml_stack.env = environ(
        yaml_stack.env,
        SSL_CERT_FILE=str(private_ca.ca_file),
        HTTPS_PROXY=proxy.url_with_credentials(),
    )

    up = yaml_stack.run("up", "--yes", check=False)

    text = up.stdout + up.stderr
    assert up.returncode != 0
    assert_one_line(text, refusal_line(proxy.url, host, status))
    assert proxy.targets().count(targets_of(tls_emulator)) == YAML_RESOURCES  # no retry
    assert tls_emulator.requests() == []
    assert PROXY_USER not in text
    yaml_stack.assert_no_secret_leaked(PROXY_PASSWORD, SMTP_PASSWORD, SENDGRID_KEY)
