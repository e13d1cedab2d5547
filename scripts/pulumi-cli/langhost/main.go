// Command pulumi-language-python is pulumi-genauth's own minimal Python language host for the
// Pulumi engine: the official one is a separate Go module that the Go module proxy reachable
// from here does not serve, so scripts/install-pulumi-cli builds this one beside `pulumi`.
//
// It does only what `pulumi preview/up/refresh/destroy/stack output/config` need from a language
// host for a project with `runtime: python`: Run starts
//
//	<python> -u <dir of this binary>/pulumi-language-python-exec --monitor ... <program>
//
// (the exec script ships with the pulumi SDK and does the actual work of running the program
// against the engine). Everything about dependencies is left to the repository's scripts:
// GetRequiredPackages reports nothing (Python dynamic providers are built into the engine's
// plugin set, launched by pulumi-resource-pulumi-python) and InstallDependencies does nothing.
//
// Python: <virtualenv>/bin/python when Pulumi.yaml sets runtime.options.virtualenv (relative to
// the project root), else $PULUMI_PYTHON_CMD, else python3. Other runtime options (toolchain,
// typechecker) are ignored: this repository uses a plain pip virtualenv.
//
// It also writes Python code as the official host does, with pkg/v3/codegen/python (codegen.go):
// the program `pulumi import` prints, the project `pulumi convert` writes, the SDK of
// `pulumi package gen-sdk`.
//
// The Node.js and Go hosts of this module (nodejs/, go/) share its process, its answers to the
// other calls and its handling of the program's exit with it (internal/langhost).
package main

import (
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

const (
	name       = "pulumi-language-python"
	execScript = "pulumi-language-python-exec"
)

func main() {
	langhost.Main(name, func(args langhost.Args) (pulumirpc.LanguageRuntimeServer, error) {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("cannot locate this executable: %w", err)
		}
		// The exec script is installed next to us, whatever directory the engine found us in.
		execPath := filepath.Join(filepath.Dir(self), execScript)
		if _, err := os.Stat(execPath); err != nil {
			return nil, fmt.Errorf("missing %s next to the language host: %w", execScript, err)
		}
		return &host{
			Base:    langhost.Base{Args: args},
			Codegen: langhost.Codegen{Generators: generators},
			exec:    execPath,
		}, nil
	})
}

type host struct {
	langhost.Base
	langhost.Codegen
	exec string
}

// pythonFor picks the interpreter for a program and, when it comes from a virtualenv, that
// virtualenv's absolute path (empty otherwise).
func pythonFor(info *pulumirpc.ProgramInfo) (python, venv string, err error) {
	if v := info.GetOptions().GetFields()["virtualenv"].GetStringValue(); v != "" {
		venv = v
		if !filepath.IsAbs(venv) {
			venv = filepath.Join(info.GetRootDirectory(), venv)
		}
		python = filepath.Join(venv, "bin", "python")
		if _, err := os.Stat(python); err != nil {
			return "", "", fmt.Errorf("the 'virtualenv' option in Pulumi.yaml is %q, but %s does not exist "+
				"(create the virtualenv and install the program's requirements into it)", v, python)
		}
		return python, venv, nil
	}
	if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
		return cmd, "", nil
	}
	return "python3", "", nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	python, venv, err := pythonFor(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	programDir := info.GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // older engines send only this
	}
	if entry == "" {
		entry = "."
	}
	// Absolute, because the exec script chdirs to --pwd before it runs the program.
	program := entry
	if !filepath.IsAbs(program) {
		program = filepath.Join(programDir, entry)
	}

	args := []string{"-u", h.exec}
	add := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.EngineAddress)
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("organization", req.GetOrganization())
	add("root_directory", info.GetRootDirectory())
	add("tracing", h.Tracing)
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	config, err := langhost.ConfigJSON(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := langhost.SecretKeysJSON(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	set := map[string]string{
		"PULUMI_CONFIG":             config,
		"PULUMI_CONFIG_SECRET_KEYS": secretKeys,
	}
	if venv != "" {
		// As if the virtualenv were activated, so that anything the program starts (pip,
		// subprocesses, a dynamic provider launched through PATH) uses the same environment.
		set["VIRTUAL_ENV"] = venv
		set["PULUMI_RUNTIME_VIRTUALENV"] = venv
		set["PATH"] = filepath.Join(venv, "bin") + string(os.PathListSeparator) + os.Getenv("PATH")
		set["PYTHONHOME"] = ""
	}

	cmd := exec.Command(python, args...)
	cmd.Dir = programDir
	cmd.Env = langhost.WithEnv(os.Environ(), set)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return langhost.RunProgram(cmd, python), nil
}

func (h *host) About(_ context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	python, _, err := pythonFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	if resolved, err := exec.LookPath(python); err == nil {
		python = resolved
	}
	out, err := exec.Command(python, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", python, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: python,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "Python "),
	}, nil
}
