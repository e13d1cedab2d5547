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
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	execScript = "pulumi-language-python-exec"

	// The exec script exits with this code after it has already reported the program's failure
	// (e.g. the traceback) through the engine's log; the engine must then not report it again.
	exitErrorAlreadyReported = 32
)

func main() {
	// The engine may put logging/tracing flags before the engine address (see
	// buildPluginArguments in the SDK's plugin package); unknown flags would make us exit.
	// Our own flag set: glog, linked in through the SDK, owns -v and -logtostderr on the global one.
	flags := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	tracing := flags.String("tracing", "", "Zipkin-compatible tracing endpoint, passed on to the program")
	flags.Bool("logtostderr", false, "accepted for compatibility; ignored")
	flags.Bool("logflow", false, "accepted for compatibility; ignored")
	flags.Int("v", 0, "accepted for compatibility; ignored")
	_ = flags.Parse(os.Args[1:]) // ExitOnError: never returns an error
	engineAddress := flags.Arg(0)

	self, err := os.Executable()
	if err != nil {
		fatalf("cannot locate this executable: %v", err)
	}
	// The exec script is installed next to us, whatever directory the engine found us in.
	execPath := filepath.Join(filepath.Dir(self), execScript)
	if _, err := os.Stat(execPath); err != nil {
		fatalf("missing %s next to the language host: %v", execScript, err)
	}

	// Stop serving if the engine goes away without killing us, so no orphan host lingers.
	stop := make(chan bool)
	if engineAddress != "" {
		ctx, engineGone := context.WithCancel(context.Background())
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, engineGone); err != nil {
			fatalf("cannot watch the engine at %s: %v", engineAddress, err)
		}
		go func() { <-ctx.Done(); close(stop) }()
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{
				exec: execPath, engineAddress: engineAddress, tracing: *tracing,
			})
			return nil
		},
	})
	if err != nil {
		fatalf("cannot start the gRPC server: %v", err)
	}
	// The engine reads exactly one line from our stdout: the port. Anything after it (the
	// program's own output, since the program inherits our stdout) is shown as program output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python: "+format+"\n", args...)
	os.Exit(1)
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	exec          string
	engineAddress string
	tracing       string
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

// withEnv returns env with the given variables set (replacing earlier values) and the ones
// mapped to "" removed.
func withEnv(env []string, set map[string]string) []string {
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); set[k] == "" {
			if _, listed := set[k]; !listed {
				out = append(out, kv)
			}
		}
	}
	for k, v := range set {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
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
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("organization", req.GetOrganization())
	add("root_directory", info.GetRootDirectory())
	add("tracing", h.tracing)
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{} // "{}", not "null": the SDK iterates over it
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, fmt.Errorf("serializing the stack configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{} // "[]", not "null": the SDK iterates over it
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing the secret configuration keys: %w", err)
	}
	set := map[string]string{
		"PULUMI_CONFIG":             string(config),
		"PULUMI_CONFIG_SECRET_KEYS": string(secretKeysJSON),
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
	cmd.Env = withEnv(os.Environ(), set)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitErrorAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run %s: %v", python, err)}, nil
	}
}

func (h *host) Handshake(
	context.Context, *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies (`pulumi install`, and `pulumi new`) is deliberately a no-op:
// the repository's scripts/bootstrap owns the virtualenv.
func (h *host) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: pluginVersion()}, nil
}

// pluginVersion is the CLI version stamped in at build time, else the version of the SDK module
// we were built against (both are the pinned Pulumi version).
func pluginVersion() string {
	if version.Version != "" {
		return version.Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/pulumi/pulumi/sdk/v3" {
				return dep.Version
			}
		}
	}
	return ""
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

func (h *host) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}
