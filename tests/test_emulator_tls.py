"""The emulator over TLS, as a private deployment serves GenAuth: in-process and as a command.

Given a certificate chain and its key (``TlsFiles``; ``--tls-cert``/``--tls-key``), it serves
https; its test hooks trust exactly the certificate served.
"""

from __future__ import annotations

import ssl

import httpx
import pytest

from pulumi_genauth.emulator import DEFAULT_POOL
from pulumi_genauth.emulator.__main__ import main
from pulumi_genauth.emulator.server import EmulatorControl, EmulatorServer

from .support import emulator_process
from .tls_support import PrivateCA, https_url, port_of

pytest_plugins = ["tests.tls_fixtures"]

TOKEN_PATH = "/api/v3/get-management-token"


def trusting(private_ca: PrivateCA) -> ssl.SSLContext:
    """A client context that trusts the private CA."""
    return ssl.create_default_context(cafile=str(private_ca.ca_file))


def test_the_in_process_emulator_serves_https_and_its_hooks_work(
    tls_emulator: EmulatorServer, private_ca: PrivateCA
) -> None:
    """With TlsFiles, the URL is https, a client trusting the CA is answered, hooks still work."""
    assert tls_emulator.url.startswith("https://127.0.0.1:")
    pool = tls_emulator.pools[0]
    with httpx.Client(verify=trusting(private_ca)) as client:
        answer = client.post(
            https_url(port_of(tls_emulator.url)) + TOKEN_PATH,
            json={"accessKeyId": pool.access_key_id, "accessKeySecret": pool.access_key_secret},
        )
    assert answer.json()["statusCode"] == 200
    assert [entry["path"] for entry in tls_emulator.requests()] == [TOKEN_PATH]


def test_the_console_script_serves_https_with_tls_cert_and_key(private_ca: PrivateCA) -> None:
    """--tls-cert and --tls-key: the announced URL is https and answers over TLS."""
    with emulator_process(
        "--tls-cert", private_ca.tls.cert_file, "--tls-key", private_ca.tls.key_file
    ) as url:
        assert url.startswith("https://127.0.0.1:")
        with httpx.Client(verify=trusting(private_ca)) as client:
            answer = client.post(
                https_url(port_of(url)) + TOKEN_PATH,
                json={
                    "accessKeyId": DEFAULT_POOL.access_key_id,
                    "accessKeySecret": DEFAULT_POOL.access_key_secret,
                },
            )
        with EmulatorControl(url, verify=private_ca.tls.pinned_context()) as control:
            logged = control.requests()
    assert answer.json()["statusCode"] == 200
    assert [entry["path"] for entry in logged] == [TOKEN_PATH]


@pytest.mark.parametrize("given", ["--tls-cert", "--tls-key"])
def test_the_console_script_wants_both_tls_files(given: str) -> None:
    """One of --tls-cert and --tls-key without the other stops the CLI with a usage error."""
    with pytest.raises(SystemExit) as stopped:
        main([given, "some.pem"])
    assert stopped.value.code == 2
