"""What a reviewer reads in `pulumi preview --diff` and `pulumi refresh`, on the real engine.

The dynamic resource: every field that changes is named, a secret as ``[secret] => [secret]``,
and nothing that does not change is (``verify_smtp`` alone, ``applied_setting``, a field
equal on both sides). The native plugin's counterpart is in ``test_native`` here.
"""

from __future__ import annotations

from typing import Final

import pulumi
import pytest
from pulumi import automation as auto

import pulumi_genauth as genauth
from pulumi_genauth.emulator.server import EmulatorServer

from ..support import config_calls, sdk_client
from .support import (
    EngineStack,
    Mail,
    StackFactory,
    assert_no_secret_leaked,
    changes,
    marked,
    program,
    secret_key,
)

pytestmark = pytest.mark.engine

ROTATED: Final = "rotated-smtp-pass-61c0d9"
PLANTED: Final = "planted-smtp-pass-0b7e44"
# The line that opens the config object in the engine's display of a change inside it.
SMTP_CONFIG: Final = "~ smtp_config: {"


def diff_of(engine: EngineStack, start: int) -> str:
    """What the CLI printed since ``len(engine.output) == start``."""
    return "\n".join(engine.output[start:])


def rotate(engine: EngineStack, secret: str) -> None:
    engine.set_secret(secret_key("custom"), secret)


def change_out_of_band(emulator: EmulatorServer, **fields: object) -> None:
    """Change pool-a's live SMTP setting through the official SDK (a person in the console)."""
    wire = {**Mail.of("custom").expected()["smtpConfig"], **fields}
    answer = sdk_client(emulator).config_email_provider(type="custom", enabled=True,
                                                        smtp_config=wire)  # fmt: skip
    assert answer["statusCode"] == 200, answer["message"]


def test_a_rotated_password_is_named_as_a_secret_and_alone(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    engine = new_stack(program(Mail.of("custom")))
    engine.up()
    rotate(engine, ROTATED)
    start = len(engine.output)
    calls = len(emulator.requests())
    preview = engine.preview()
    shown = diff_of(engine, start)
    print(shown)
    assert changes(preview.change_summary).get("update") == 1, preview.change_summary
    assert marked(shown) == [SMTP_CONFIG, "~ sender_pass: [secret] => [secret]"], shown
    assert len(emulator.requests()) == calls, "a preview makes no API call"
    start = len(engine.output)
    engine.up()
    assert "[diff: ~smtp_config]" in diff_of(engine, start)
    assert emulator.stored("pool-a") == Mail.of("custom").expected(ROTATED)
    assert changes(engine.preview().change_summary) == {"same": 2}
    assert_no_secret_leaked(engine, canaries=[ROTATED])


def test_drift_of_the_password_alone_is_named_by_refresh_and_the_next_preview(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    engine = new_stack(program(Mail.of("custom")))
    engine.up()
    change_out_of_band(emulator, senderPass=PLANTED)
    start = len(engine.output)
    engine.refresh(diff=True)
    refreshed = diff_of(engine, start)
    print(refreshed)
    assert marked(refreshed) == [SMTP_CONFIG, "~ sender_pass: [secret] => [secret]"], refreshed
    start = len(engine.output)
    engine.preview()
    shown = diff_of(engine, start)
    print(shown)
    assert marked(shown) == [SMTP_CONFIG, "~ sender_pass: [secret] => [secret]"], shown
    start = len(engine.output)
    engine.up()
    assert "[diff: ~smtp_config]" in diff_of(engine, start)
    assert emulator.stored("pool-a") == Mail.of("custom").expected()
    assert changes(engine.preview().change_summary) == {"same": 2}
    assert_no_secret_leaked(engine, canaries=[PLANTED])


def test_drift_of_a_visible_field_is_named_with_its_values(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    mail = Mail.of("custom")
    engine = new_stack(program(mail))
    engine.up()
    host = mail.fields["smtp_host"]
    change_out_of_band(emulator, smtp_host="smtp.elsewhere.example")
    start = len(engine.output)
    engine.refresh(diff=True)
    refreshed = diff_of(engine, start)
    print(refreshed)
    assert marked(refreshed) == [
        SMTP_CONFIG,
        f'~ smtp_host: "{host}" => "smtp.elsewhere.example"',
    ], refreshed
    change_out_of_band(emulator, smtp_host="smtp.third.example")
    start = len(engine.output)
    engine.refresh(diff=True)
    again = diff_of(engine, start)
    print(again)
    assert marked(again) == [
        SMTP_CONFIG,
        '~ smtp_host: "smtp.elsewhere.example" => "smtp.third.example"',
    ], again
    start = len(engine.output)
    engine.preview()
    shown = diff_of(engine, start)
    assert marked(shown) == [SMTP_CONFIG, f'~ smtp_host: "smtp.third.example" => "{host}"'], shown
    assert len(config_calls(emulator)) == 3


def test_a_new_access_key_previews_as_an_update_and_the_next_up_proves_it(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """genauth:accessKeyId changed to a key GenAuth refuses: the preview (no API call) names
    access_key_id; up fails loudly and records nothing; the right key set back is clean."""
    engine = new_stack(program(Mail.of("custom")))
    engine.up()
    good = emulator.pools[0].access_key_id
    engine.stack.set_config("genauth:accessKeyId", auto.ConfigValue("revoked-key-id"))
    calls = len(emulator.requests())
    start = len(engine.output)
    engine.preview()
    shown = diff_of(engine, start)
    assert marked(shown) == [f'~ access_key_id: "{good}" => "revoked-key-id"'], shown
    assert len(emulator.requests()) == calls, "a preview makes no API call"
    with pytest.raises(auto.errors.CommandError):
        engine.up()
    assert engine.resource()["outputs"]["access_key_id"] == good
    engine.stack.set_config("genauth:accessKeyId", auto.ConfigValue(good))
    assert changes(engine.preview().change_summary) == {"same": 2}


def declaring(mail: Mail, *, verify_smtp: bool = False, kind: str | None = None) -> auto.PulumiFn:
    """A program declaring ``mail`` (custom SMTP), with ``verify_smtp`` and ``type`` as given,
    exporting the Python type of its port output as the program sees it."""

    def run() -> None:
        secret = pulumi.Config().require_secret(secret_key("custom"))
        resource = genauth.EmailProvider(
            mail.name,
            type=kind or mail.kind,
            smtp_config=mail.spec.args(**mail.fields, sender_pass=secret),
            verify_smtp=verify_smtp,
        )
        port_type = resource.smtp_config.apply(
            lambda config: type((config or {}).get("smtp_port")).__name__
        )
        pulumi.export("port_type", pulumi.Output.unsecret(port_type))

    return run


def test_verify_smtp_alone_is_no_change_and_the_port_is_an_int(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    """Turning verify_smtp on alone previews as no change (no call); programs see port 465."""
    mail = Mail.of("custom")
    engine = new_stack(declaring(mail))
    up = engine.up()
    assert up.outputs["port_type"].value == "int"
    engine.set_program(declaring(mail, verify_smtp=True))
    calls = len(emulator.requests())
    assert changes(engine.preview().change_summary) == {"same": 2}
    assert len(emulator.requests()) == calls


def test_a_type_in_capitals_is_refused_at_preview_with_a_hint(
    new_stack: StackFactory, emulator: EmulatorServer
) -> None:
    engine = new_stack(declaring(Mail.of("custom"), kind="Custom"))
    with pytest.raises(auto.errors.CommandError):
        engine.preview()
    assert (
        "resource 'mail' has a problem: type must be one of 'custom', 'ali', 'qq', 'sendgrid' "
        "(got 'Custom'): type names are lower case, did you mean 'custom'?"
    ) in engine.text
    assert emulator.requests() == []


@pytest.mark.parametrize("brand", [" ", "GenAuth"], ids=["blank", "capitalised"])
def test_empty_genauth_variables_count_as_unset_and_a_brand_in_any_case_is_taken(
    new_stack: StackFactory, emulator: EmulatorServer, brand: str
) -> None:
    """GENAUTH_* set but empty (a CI template), GENAUTH_BRAND blank or capitalised: up works."""
    engine = new_stack(program(Mail.of("custom")))
    for name in ("GENAUTH_HOST", "GENAUTH_ACCESS_KEY_ID", "GENAUTH_ACCESS_KEY_SECRET"):
        engine.stack.workspace.env_vars[name] = ""
    engine.stack.workspace.env_vars["GENAUTH_BRAND"] = brand
    engine.up()
    assert emulator.stored("pool-a") == Mail.of("custom").expected()


def test_a_wrong_secret_for_the_same_key_id_is_proven_by_refresh_run_program(
    new_stack: StackFactory,
) -> None:
    """The README's claim: a new secret with the same key id is no change at a plain preview
    (nothing derived from the secret is kept); `refresh --run-program` (today's config, not
    the one the last deployment recorded) proves it, failing."""
    engine = new_stack(program(Mail.of("custom")))
    engine.up()
    engine.set_secret("genauth:accessKeySecret", "not-the-secret-0c5e")
    assert changes(engine.preview().change_summary) == {"same": 2}
    engine.preview(refresh=True)  # refreshes with the recorded config: nothing to see
    with pytest.raises(auto.errors.CommandError):
        engine.refresh(run_program=True)
    assert "get-management-token" in engine.text
    assert_no_secret_leaked(engine, canaries=["not-the-secret-0c5e"])
