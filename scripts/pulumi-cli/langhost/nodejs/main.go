// Command pulumi-language-nodejs is pulumi-genauth's own minimal Node.js language host for the
// Pulumi engine: the official one (sdk/nodejs/cmd/pulumi-language-nodejs in pulumi's repository)
// is a separate Go module that the Go module proxy reachable from here does not serve, so
// scripts/install-pulumi-cli builds this one beside `pulumi`.
//
// It does only what `pulumi preview/up/refresh/destroy` need for a project with
// `runtime: nodejs`: Run starts, in the program's folder,
//
//	node <@pulumi/pulumi/cmd/run> --monitor <addr> --engine <addr> --organization O
//	     --project P --root-directory R --stack S --pwd <program dir> [--dry-run]
//	     --parallel N [--tracing X] <entry point>
//
// with PULUMI_CONFIG (a JSON object whose keys are spelled `ns:config:name`, the form every
// @pulumi/pulumi reads) and PULUMI_CONFIG_SECRET_KEYS (a JSON list, keys as the engine spells
// them) in its environment, as the official host does. The run script is the program's own
// @pulumi/pulumi (`require.resolve` from the program's folder), which loads TypeScript through
// its bundled ts-node when PULUMI_NODEJS_TYPESCRIPT=true (runtime option `typescript`, true
// unless Pulumi.yaml says false; `tsconfig` names another tsconfig.json). Exit status 32 means
// the program has already reported its error (bail).
//
// It also writes TypeScript as the official host does, with pkg/v3/codegen/nodejs (codegen.go):
// the program `pulumi import` prints, the project `pulumi convert` writes, the SDK of
// `pulumi package gen-sdk`.
//
// What it leaves out, next to the official host: linking local SDKs into a project (Link, for
// `pulumi package add`), synchronous invokes (the official host proxies the resource monitor
// and serves `--sync` pipes for the deprecated `invokeSync`: the program talks to the engine's
// monitor directly here), the other runtime options (`nodeargs`,
// `packagemanager`), Bun, debugging, GetRequiredPackages (it reports nothing: the engine loads
// each resource plugin when the program first uses it) and InstallDependencies (a no-op: run
// `npm ci` yourself).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-genauth/langhost/internal/langhost"
)

const (
	name = "pulumi-language-nodejs"
	// The SDK's entry point that runs a program against the engine.
	runModule = "@pulumi/pulumi/cmd/run"
)

func main() {
	langhost.Main(name, func(args langhost.Args) (pulumirpc.LanguageRuntimeServer, error) {
		return &host{
			Base:    langhost.Base{Args: args},
			Codegen: langhost.Codegen{Generators: generators},
		}, nil
	})
}

type host struct {
	langhost.Base
	langhost.Codegen
}

// locateRunScript resolves the run script of the @pulumi/pulumi that the program in dir uses.
func locateRunScript(node, dir string) (string, error) {
	cmd := exec.Command(node, "-e", fmt.Sprintf("console.log(require.resolve(%q))", runModule))
	cmd.Dir = dir
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr) && strings.Contains(string(exitErr.Stderr), "MODULE_NOT_FOUND"):
		return "", fmt.Errorf("the Pulumi SDK (@pulumi/pulumi) is not installed for the program in %s: "+
			"run `npm ci` (or `npm install`) there", dir)
	case errors.As(err, &exitErr):
		return "", fmt.Errorf("could not locate %s from %s: %s", runModule, dir, strings.TrimSpace(string(exitErr.Stderr)))
	case err != nil:
		return "", fmt.Errorf("could not run %s: %w", node, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// legacyConfig spells each config key `ns:config:name`: the form the official host passes, so
// that old and new versions of @pulumi/pulumi alike read it.
func legacyConfig(in map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for k, v := range in {
		key, err := config.ParseKey(k)
		if err != nil {
			return nil, err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	return out, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not find node on the $PATH: %v", err)}, nil
	}
	runScript, err := locateRunScript(node, programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := []string{runScript}
	add := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.EngineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.Tracing)
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	legacy, err := legacyConfig(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("reading the stack configuration: %w", err)
	}
	configJSON, err := langhost.ConfigJSON(legacy)
	if err != nil {
		return nil, err
	}
	secretKeys, err := langhost.SecretKeysJSON(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	set := map[string]string{
		"PULUMI_CONFIG":             configJSON,
		"PULUMI_CONFIG_SECRET_KEYS": secretKeys,
		"PULUMI_NODEJS_TYPESCRIPT":  "",
	}
	options := info.GetOptions().GetFields()
	if ts, given := options["typescript"]; !given || ts.GetBoolValue() {
		set["PULUMI_NODEJS_TYPESCRIPT"] = "true"
	}
	if tsconfig := options["tsconfig"].GetStringValue(); tsconfig != "" {
		set["PULUMI_NODEJS_TSCONFIG_PATH"] = tsconfig
	}

	cmd := exec.CommandContext(ctx, node, args...)
	langhost.InterruptOnCancel(cmd)
	cmd.Dir = programDir
	cmd.Env = langhost.WithEnv(os.Environ(), set)
	// Through pipes, not our own file descriptors: Node.js may switch its stdout and stderr to
	// non-blocking mode, which would then be ours too (the official host does the same).
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	return langhost.RunProgram(cmd, node), nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}
