// Command pulumi-language-go is pulumi-genauth's own minimal Go language host for the Pulumi
// engine: the official one (sdk/go/pulumi-language-go in pulumi's repository) is a separate Go
// module that the Go module proxy reachable from here does not serve, so
// scripts/install-pulumi-cli builds this one beside `pulumi`.
//
// It does only what `pulumi preview/up/refresh/destroy` need for a project with `runtime: go`:
// Run builds the program as the official host does,
//
//	go build -buildvcs=false -o <temporary file> -trimpath -ldflags "-w -s"
//
// in the program's folder (with the `go` on PATH and the environment's GOFLAGS, GOPROXY, ...),
// then runs that binary in the engine's working directory with the run's settings in the
// environment, under the names the Go SDK reads (sdk/go/pulumi/run.go): PULUMI_ORGANIZATION,
// PULUMI_PROJECT, PULUMI_ROOT_DIRECTORY, PULUMI_STACK, PULUMI_CONFIG (JSON, keys as the engine
// spells them), PULUMI_CONFIG_SECRET_KEYS, PULUMI_DRY_RUN, PULUMI_PARALLEL, PULUMI_MONITOR and
// PULUMI_ENGINE. Exit status 32 means the program has already reported its error (bail).
//
// It also writes Go as the official host does, with pkg/v3/codegen/go (codegen.go): the program
// `pulumi import` prints, the project `pulumi convert` writes, the SDK of
// `pulumi package gen-sdk`.
//
// What it leaves out, next to the official host: linking local SDKs into a project (Link, for
// `pulumi package add`), the runtime options `binary` and `buildTarget` (the program is always
// built, into a temporary file), `go run` (PULUMI_GO_USE_RUN), debugging, GetRequiredPackages
// (it reports nothing: the engine loads each resource plugin when the program first uses it)
// and InstallDependencies (a no-op: run `go mod download` yourself).
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-genauth/langhost/internal/langhost"
)

const name = "pulumi-language-go"

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

// build compiles the program in dir into a temporary file and returns its path; the compiler's
// messages go into the error it returns, which the engine shows under the Stack (the engine
// lists diagnostics in its own order, so they are not left to our output).
func (h *host) build(ctx context.Context, gobin, dir string) (string, error) {
	if found, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(found) == 0 {
		return "", fmt.Errorf("no Go files to build in %s", dir)
	}
	out, err := os.CreateTemp("", "pulumi-go.*")
	if err != nil {
		return "", fmt.Errorf("creating the program's binary: %w", err)
	}
	if err := out.Close(); err != nil {
		return "", fmt.Errorf("creating the program's binary: %w", err)
	}
	langhost.LogEphemeral(ctx, h.EngineAddress, "Compiling the program ...")
	cmd := exec.CommandContext(ctx, gobin,
		"build", "-buildvcs=false", "-o", out.Name(), "-trimpath", "-ldflags", "-w -s")
	cmd.Dir = dir
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		_ = os.Remove(out.Name())
		return "", fmt.Errorf("`go build` of the program in %s failed (%w):\n%s",
			dir, err, strings.TrimSpace(output.String()))
	}
	langhost.LogEphemeral(ctx, h.EngineAddress, "Finished compiling")
	return out.Name(), nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not find go on the $PATH: %v", err)}, nil
	}
	program, err := h.build(ctx, gobin, programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	defer os.Remove(program)

	config := ""
	if req.GetConfig() != nil { // the SDK reads no variable as no config
		if config, err = langhost.ConfigJSON(req.GetConfig()); err != nil {
			return nil, err
		}
	}
	secretKeys, err := langhost.SecretKeysJSON(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	set := map[string]string{
		"PULUMI_ORGANIZATION":       req.GetOrganization(),
		"PULUMI_PROJECT":            req.GetProject(),
		"PULUMI_ROOT_DIRECTORY":     info.GetRootDirectory(),
		"PULUMI_STACK":              req.GetStack(),
		"PULUMI_CONFIG":             config,
		"PULUMI_CONFIG_SECRET_KEYS": secretKeys,
		"PULUMI_DRY_RUN":            strconv.FormatBool(req.GetDryRun()),
		"PULUMI_PARALLEL":           strconv.Itoa(int(req.GetParallel())),
		"PULUMI_MONITOR":            req.GetMonitorAddress(),
		"PULUMI_ENGINE":             h.EngineAddress,
	}

	cmd := exec.CommandContext(ctx, program) // the official host passes no arguments either
	langhost.InterruptOnCancel(cmd)
	cmd.Dir = req.GetPwd()
	cmd.Env = langhost.WithEnv(os.Environ(), set)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return langhost.RunProgram(cmd, "the program built from "+programDir), nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("could not find go on the $PATH: %w", err)
	}
	out, err := exec.Command(gobin, "env", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s env GOVERSION: %w", gobin, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: gobin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "go"),
	}, nil
}
