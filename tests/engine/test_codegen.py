"""Code generation through our language hosts: ``pulumi import`` and ``pulumi convert``.

scripts/install-pulumi-cli builds our own Python, Node.js and Go language hosts, which answer
``GenerateProgram`` and ``GenerateProject`` with Pulumi's own generators (pulumi/pulumi
v3.274.1, the CLI's version: pkg/codegen) as the official hosts do, and the YAML converter
plugin (``pulumi-converter-yaml``) beside them. So:

* ``pulumi import genauth:index:EmailProvider legacyMail pool-b --yes`` in a TypeScript, a Go
  and a Python project exits 0 and prints the program's code in the project's language. The
  import never reads the SMTP password back: the code holds an empty string in its place,
  which preview refuses as it is. With that one placeholder set from the stack's config, the
  pasted code previews with the password alone changed, and ``up`` applies it;
* ``pulumi convert --from yaml`` of examples/yaml writes a TypeScript and a Go project that
  build (``tsc``, ``go build``) once the SDK is wired in (the npm package installed; for Go,
  the SDK's require and replace, as examples/go has them).

The projects are laid out as test_typescript's and test_go's (``programs.example_stack``): the
plugin of the Python under test named in ``plugins.providers``; the stack's default provider
holds pool-b's keys on the emulator.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest
import yaml

from pulumi_genauth.emulator.server import EmulatorServer

from ..support import GO_BUILD, REPO, SMTP_PASSWORD, sdk_client
from .programs import (
    EXAMPLES,
    example_stack,
    go_env,
    install_go,
    install_typescript,
    replace_once,
    run_step,
)
from .support import PASSPHRASE, PulumiCli, marked
from .yaml_stacks import PLUGIN_DIR, YamlStack, configure_example

pytestmark = pytest.mark.engine

LEGACY_POOL: Final = "pool-b"
# The live password of the setting the import adopts: never read, so never printed or stored.
LEGACY_PASSWORD: Final = "canary-legacy-smtp-pass-26c0"
LEGACY_SMTP: Final = {
    "smtp_host": "smtp.legacy.example.com",
    "smtp_port": 587,
    "sender": "legacy@example.com",
    "senderPass": LEGACY_PASSWORD,
    "secure": False,
}
# What `pulumi import` prints before the code to paste, and the end of its note on `protect`.
PASTE_BANNER: Final = "Please copy the following code into your Pulumi application."
PROTECT_NOTE_END: Final = "the destroy will take effect.\n\n"
GO_SDK: Final = "github.com/pulumi-genauth/pulumi-genauth/sdk/go/genauth"
PULUMI_GO_SDK: Final = "github.com/pulumi/pulumi/sdk/v3"


@dataclass(frozen=True)
class Language:
    """How a language's project holds its program, and how the import's code reads in it."""

    program: str
    """The program's file."""
    empty: str
    """The program before the import: it declares nothing."""
    declaration: str
    """How the generated code declares the imported resource."""
    placeholder: str
    """How the generated code spells the password it could not read."""
    from_config: str
    """The same field set from the stack's secret config ``smtpPassword``."""
    imports: tuple[str, str] = ("", "")
    """An import the code needs for that (the generated one, and it with the new one)."""


LANGUAGES: Final = {
    "typescript": Language(
        program="index.ts",
        empty="// Nothing declared yet: `pulumi import` writes the code.\n",
        declaration='new genauth.EmailProvider("legacyMail", {',
        placeholder='senderPass: "",',
        from_config='senderPass: new pulumi.Config().requireSecret("smtpPassword"),',
    ),
    "go": Language(
        program="main.go",
        empty=(
            "package main\n\n"
            'import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n\n'
            "func main() {\n"
            "\tpulumi.Run(func(ctx *pulumi.Context) error { return nil })\n"
            "}\n"
        ),
        declaration='genauth.NewEmailProvider(ctx, "legacyMail", &genauth.EmailProviderArgs{',
        placeholder='SenderPass: pulumi.String(""),',
        from_config='SenderPass: config.New(ctx, "").RequireSecret("smtpPassword"),',
        imports=(
            '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n',
            '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n'
            '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"\n',
        ),
    ),
    "python": Language(
        program="__main__.py",
        empty='"""Nothing declared yet: `pulumi import` writes the code."""\n',
        declaration='genauth.EmailProvider("legacyMail",',
        placeholder='"sender_pass": "",',
        from_config='"sender_pass": pulumi.Config().require_secret("smtpPassword"),',
    ),
}


@pytest.fixture(scope="module")
def installed_typescript(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/typescript with its dependencies installed (once for this module)."""
    return install_typescript(tmp_path_factory.mktemp("typescript"))


@pytest.fixture(scope="module")
def installed_go(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/go, built once (for this module) so that the Go build cache is warm."""
    return install_go(tmp_path_factory.mktemp("go"))


def cli_env(cli: PulumiCli, root: Path) -> dict[str, str]:
    """The CLI's environment for a project under ``root``: its own home and backend."""
    return {
        **go_env(),
        "PATH": os.pathsep.join([str(cli.bin_dir), os.environ["PATH"]]),
        "PULUMI_HOME": str(root / "home"),
        "PULUMI_BACKEND_URL": f"file://{root / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # Plain JSON state files, so that a search for a secret cannot miss it.
        "PULUMI_SELF_MANAGED_STATE_GZIP": "false",
    }


def python_stack(root: Path, cli: PulumiCli, emulator: EmulatorServer) -> Iterator[YamlStack]:
    """Stack ``dev`` of a Python project that runs on this virtualenv (``runtime.options``),
    configured as the examples' stacks are (``configure_example``)."""
    project = root / "stack" / "project"
    project.mkdir(parents=True)
    settings = {
        "name": "genauth-python-import",
        "runtime": {"name": "python", "options": {"virtualenv": sys.prefix}},
        "plugins": {"providers": [{"name": "genauth", "path": str(PLUGIN_DIR)}]},
    }
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (root / "stack" / "backend").mkdir()
    stack = YamlStack(root / "stack", cli_env(cli, root / "stack"), cli.bin_dir / "pulumi")
    configure_example(stack, emulator)
    yield stack
    shutil.rmtree(root / "stack" / "home", ignore_errors=True)


@pytest.fixture(params=list(LANGUAGES))
def import_stack(
    request: pytest.FixtureRequest,
    pulumi_cli: PulumiCli,
    emulator: EmulatorServer,
    tmp_path: Path,
    _engine_environ: None,
) -> Iterator[tuple[YamlStack, Language]]:
    """Stack ``dev`` of a project in the language of the test's parameter, its program empty,
    its default provider holding pool-b's keys on the emulator."""
    language = LANGUAGES[request.param]
    if request.param == "python":
        stacks = python_stack(tmp_path, pulumi_cli, emulator)
    else:
        installed = request.getfixturevalue(f"installed_{request.param}")
        stacks = example_stack(installed, tmp_path, pulumi_cli, emulator)
    stack = next(stacks)
    (stack.folder / "project" / language.program).write_text(language.empty)
    legacy = emulator.pools[1]
    assert legacy.id == LEGACY_POOL
    stack.run(
        "config", "set-all",
        "--plaintext", f"genauth:host={emulator.url}",
        "--plaintext", f"genauth:accessKeyId={legacy.access_key_id}",
        "--secret", f"genauth:accessKeySecret={legacy.access_key_secret}",
    )  # fmt: skip
    yield stack, language
    next(stacks, None)  # the stack's own teardown


def plant_legacy_setting(emulator: EmulatorServer) -> None:
    """pool-b's mail as set up by hand, before Pulumi: a custom SMTP server."""
    answer = sdk_client(emulator, 1).config_email_provider(
        type="custom", enabled=True, smtp_config=LEGACY_SMTP
    )
    assert answer["statusCode"] == 200, answer["message"]


def code_to_paste(printed: str) -> str:
    """The code that `pulumi import` printed, after its banner and its note on `protect`."""
    assert PASTE_BANNER in printed, printed
    after = printed.split(PASTE_BANNER, 1)[1]
    assert PROTECT_NOTE_END in after, printed
    return after.split(PROTECT_NOTE_END, 1)[1]


def test_import_prints_code_that_previews_with_only_the_unread_password_changed(
    import_stack: tuple[YamlStack, Language], emulator: EmulatorServer
) -> None:
    """`pulumi import` exits 0 and prints the resource in the project's language, the password
    it could not read as an empty string, which preview refuses as it is; that placeholder
    set from config, the pasted code previews with the password alone changed, as a secret,
    and up applies it. The live password is never read, printed or stored."""
    stack, language = import_stack
    plant_legacy_setting(emulator)

    imported = stack.run(
        "import", "genauth:index:EmailProvider", "legacyMail", LEGACY_POOL, "--yes"
    )

    assert "not implemented" not in imported.stdout + imported.stderr
    code = code_to_paste(imported.stdout)
    assert language.declaration in code, code
    program = stack.folder / "project" / language.program
    program.write_text(code)
    as_printed = stack.run("preview", "--diff", check=False)
    assert as_printed.returncode != 0, as_printed.stdout
    assert "smtpConfig.senderPass" in as_printed.stdout + as_printed.stderr, as_printed.stdout

    code = replace_once(code, language.placeholder, language.from_config)
    program.write_text(replace_once(code, *language.imports) if language.imports[0] else code)
    preview = stack.run("preview", "--diff").stdout
    assert marked(preview) == ["~ smtpConfig: {", "~ senderPass: [secret] => [secret]"], preview
    assert "1 to update" in preview, preview

    stack.run("up", "--yes")
    stored = emulator.stored(LEGACY_POOL)
    assert stored == {
        "type": "custom",
        "enabled": True,
        "smtpConfig": {**LEGACY_SMTP, "senderPass": SMTP_PASSWORD},
    }
    stack.run("preview", "--expect-no-changes")
    stack.assert_no_secret_leaked(LEGACY_PASSWORD, SMTP_PASSWORD)


# -- pulumi convert ---------------------------------------------------------------------------


def yaml_example() -> dict[str, Any]:
    """examples/yaml's Pulumi.yaml."""
    example: dict[str, Any] = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())
    return example


def namespaced_config_keys(example: dict[str, Any]) -> list[str]:
    """The program's config keys that carry the project's name (``genauth-yaml-example:host``).

    The YAML language host reads ``${host}`` from either spelling, but the YAML converter
    (pulumi-yaml v1.25.0, codegen/load.go ``importConfig``) names each config variable by its
    key as written: ``${host}`` then refers to nothing, and the converted program reads
    ``genauth-yaml-example:host`` under the project's namespace a second time."""
    prefix = f"{example['name']}:"
    return [key for key in example.get("config", {}) if key.startswith(prefix)]


def test_the_yaml_example_declares_its_config_as_the_converter_reads_it() -> None:
    """examples/yaml names its config keys without the project's name, as `pulumi convert`
    needs them (see namespaced_config_keys)."""
    assert namespaced_config_keys(yaml_example()) == []


def convertible_example() -> dict[str, Any]:
    """examples/yaml with ``plugins.providers`` naming the plugin under test."""
    example = yaml_example()
    example["plugins"] = {"providers": [{"name": "genauth", "path": str(PLUGIN_DIR)}]}
    return example


def convert_example(language: str, root: Path, cli: PulumiCli) -> Path:
    """``pulumi convert --from yaml --language LANGUAGE`` of examples/yaml (as
    ``convertible_example`` has it) into root/converted/LANGUAGE, two folders below ``root``
    as the repository's examples are; returns that folder. The converter's output must name
    no unknown variable."""
    source = root / "src" / "project"
    source.mkdir(parents=True)
    settings = convertible_example()
    (source / "Pulumi.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (root / "src" / "backend").mkdir()
    target = root / "converted" / language
    stack = YamlStack(root / "src", cli_env(cli, root / "src"), cli.bin_dir / "pulumi")
    done = stack.run("convert", "--from", "yaml", "--language", language, "--out", str(target))
    assert "undefined variable" not in done.stdout + done.stderr, done.stdout + done.stderr
    return target


@pytest.mark.usefixtures("_engine_environ")
def test_convert_of_the_yaml_example_to_typescript_type_checks(
    installed_typescript: Path, pulumi_cli: PulumiCli, tmp_path: Path
) -> None:
    """The TypeScript project that `pulumi convert` writes declares both providers and both
    settings with the SDK's types, and tsc (its own tsconfig, strict) accepts it."""
    converted = convert_example("typescript", tmp_path, pulumi_cli)

    program = (converted / "index.ts").read_text()
    assert program.count("new genauth.Provider(") == 2, program
    assert program.count("new genauth.EmailProvider(") == 2, program
    # The SDK, @pulumi/pulumi and tsc as examples/typescript installed them (npm ci).
    (converted / "node_modules").symlink_to(installed_typescript / "node_modules")
    run_step(["node_modules/.bin/tsc", "--noEmit", "-p", "tsconfig.json"], converted)


def example_version(installed_go: Path, module: str) -> str:
    """The version of ``module`` that examples/go requires."""
    go_mod = (installed_go / "go.mod").read_text()
    return go_mod.split(f"\t{module} ", 1)[1].split()[0]


@pytest.mark.usefixtures("_engine_environ")
def test_convert_of_the_yaml_example_to_go_builds(
    installed_go: Path, pulumi_cli: PulumiCli, tmp_path: Path
) -> None:
    """The Go project that `pulumi convert` writes builds once its go.mod requires the SDK and
    replaces it by sdk/go/genauth, as examples/go does (the generator leaves a pre-1.0
    package's require to `go mod tidy`, which cannot fetch this one), and requires the Pulumi
    SDK at examples/go's version (the generator writes v3.30.0, which tidy would download)."""
    converted = convert_example("go", tmp_path, pulumi_cli)
    (tmp_path / "sdk").symlink_to(REPO / "sdk", target_is_directory=True)

    program = (converted / "main.go").read_text()
    assert program.count("genauth.NewProvider(ctx,") == 2, program
    assert program.count("genauth.NewEmailProvider(ctx,") == 2, program
    requires = [f"-require={module}@{example_version(installed_go, module)}"
                for module in (GO_SDK, PULUMI_GO_SDK)]  # fmt: skip
    env = {**go_env(), "GOFLAGS": "-mod=mod"}
    run_step(
        ["go", "mod", "edit", *requires, f"-replace={GO_SDK}=../../sdk/go/genauth"], converted, env
    )
    run_step(["go", "mod", "tidy"], converted, env)
    run_step([*GO_BUILD, "-o", os.devnull, "."], converted, go_env())
