// Package langhost is what pulumi-genauth's three minimal language hosts (Python, Node.js, Go;
// the main packages of this module) share: the process around the gRPC service, the calls they
// answer alike, the program's environment and how its exit status becomes a RunResponse.
//
// A language host is a plugin of the Pulumi engine: the engine starts it with
// `[-logtostderr] [-v=N] [--tracing X] <engine address>`, reads the port of its LanguageRuntime
// gRPC service from the first line of its stdout, then calls GetRequiredPackages and Run (and,
// for other commands, About, InstallDependencies and the rest, which these hosts do not need;
// `pulumi import`, `convert` and `package gen-sdk` call the code generators of codegen.go).
package langhost

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// ExitErrorAlreadyReported is the exit status with which a Pulumi program (any SDK: Python's
// exec script, Node.js's cmd/run, Go's pulumi.Run) says it has already reported its failure
// through the engine's log; the engine must then not report it again (RunResponse.Bail).
const ExitErrorAlreadyReported = 32

// Args are what the engine passes on the host's command line.
type Args struct {
	EngineAddress string // the engine's gRPC address (the last argument)
	Tracing       string // a Zipkin-compatible endpoint, passed on to the program
}

// Main serves the LanguageRuntime service that newHost makes, prints its port on stdout and
// returns only when the server stops (or exits the process on an error).
func Main(name string, newHost func(Args) (pulumirpc.LanguageRuntimeServer, error)) {
	// The engine may put logging/tracing flags before the engine address (buildPluginArguments
	// in the SDK's plugin package); unknown flags would make us exit. Our own flag set: glog,
	// linked in through the SDK, owns -v and -logtostderr on the global one.
	flags := flag.NewFlagSet(name, flag.ExitOnError)
	tracing := flags.String("tracing", "", "Zipkin-compatible tracing endpoint, passed on to the program")
	flags.Bool("logtostderr", false, "accepted for compatibility; ignored")
	flags.Bool("logflow", false, "accepted for compatibility; ignored")
	flags.Int("v", 0, "accepted for compatibility; ignored")
	_ = flags.Parse(os.Args[1:]) // ExitOnError: never returns an error
	args := Args{EngineAddress: flags.Arg(0), Tracing: *tracing}

	server, err := newHost(args)
	if err != nil {
		Fatalf(name, "%v", err)
	}

	// Stop serving if the engine goes away without killing us, so no orphan host lingers.
	stop := make(chan bool)
	if args.EngineAddress != "" {
		ctx, engineGone := context.WithCancel(context.Background())
		if err := rpcutil.Healthcheck(ctx, args.EngineAddress, 5*time.Minute, engineGone); err != nil {
			Fatalf(name, "cannot watch the engine at %s: %v", args.EngineAddress, err)
		}
		go func() { <-ctx.Done(); close(stop) }()
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, server)
			return nil
		},
	})
	if err != nil {
		Fatalf(name, "cannot start the gRPC server: %v", err)
	}
	// The engine reads exactly one line from our stdout: the port. Anything after it (the
	// program's own output, since the program writes to our stdout) is shown as program output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		Fatalf(name, "%v", err)
	}
}

// Fatalf prints a message prefixed with the host's name on stderr and exits with status 1.
func Fatalf(name, format string, args ...any) {
	fmt.Fprintf(os.Stderr, name+": "+format+"\n", args...)
	os.Exit(1)
}

// Base answers the calls that every one of our hosts answers alike; a host embeds it and
// adds Run (and About where it has something to say).
type Base struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	Args
}

// Handshake is only called when the engine attaches to an already running host; nothing to set up.
func (Base) Handshake(
	context.Context, *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetRequiredPlugins is the older form of GetRequiredPackages; the engine only falls back to it
// when GetRequiredPackages is unimplemented.
func (Base) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages reports nothing: the engine then loads each resource plugin when the
// program first registers one of its resources (from Pulumi.yaml's plugins.providers, PATH or
// the plugin cache), instead of checking and installing them all up front.
func (Base) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies (`pulumi install`, `pulumi new`, `pulumi up` of a project with none
// installed) deliberately does nothing: the project's own tools install its dependencies
// (pip, npm ci, go mod download).
func (Base) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return nil
}

// GetProgramDependencies (`pulumi about`) lists nothing.
func (Base) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// GetPluginInfo reports the Pulumi version the host was built for.
func (Base) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: PluginVersion()}, nil
}

// PluginVersion is the CLI version stamped in at build time, else the version of the SDK module
// we were built against (both are the pinned Pulumi version).
func PluginVersion() string {
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

// ConfigJSON is the stack config as the SDKs read it from PULUMI_CONFIG: a JSON object, "{}"
// (not "null") when there is none, since the SDKs iterate over it.
func ConfigJSON(config map[string]string) (string, error) {
	if config == nil {
		config = map[string]string{}
	}
	out, err := json.Marshal(config)
	if err != nil {
		return "", fmt.Errorf("serializing the stack configuration: %w", err)
	}
	return string(out), nil
}

// SecretKeysJSON is the list of secret config keys as the SDKs read it from
// PULUMI_CONFIG_SECRET_KEYS: a JSON array, "[]" (not "null") when there is none.
func SecretKeysJSON(keys []string) (string, error) {
	if keys == nil {
		keys = []string{}
	}
	out, err := json.Marshal(keys)
	if err != nil {
		return "", fmt.Errorf("serializing the secret configuration keys: %w", err)
	}
	return string(out), nil
}

// WithEnv returns env with the given variables set (replacing earlier values) and the ones
// mapped to "" removed.
func WithEnv(env []string, set map[string]string) []string {
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

// RunProgram runs cmd (a program on the engine) to its end and turns how it ended into the
// answer to Run: success; Bail when it exited with ExitErrorAlreadyReported; otherwise an error
// naming the exit status, or saying that what (the runtime: "node", a built Go program) could
// not be started.
func RunProgram(cmd *exec.Cmd, what string) *pulumirpc.RunResponse {
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}
	case errors.As(err, &exitErr) && exitErr.ExitCode() == ExitErrorAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run %s: %v", what, err)}
	}
}

// InterruptOnCancel makes a command started with exec.CommandContext get an interrupt, not a
// kill, when its context ends (the engine cancelled Run), as the official hosts do: the SDKs
// then end the program cleanly. One that has not ended 5 seconds later is killed.
func InterruptOnCancel(cmd *exec.Cmd) {
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
}

// LogEphemeral shows a passing status message (for example "Compiling the program ...") in the
// engine's display, under no resource; a message that cannot be sent is dropped.
func LogEphemeral(ctx context.Context, engineAddress, message string) {
	if engineAddress == "" {
		return
	}
	conn, err := grpc.NewClient(engineAddress,
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = pulumirpc.NewEngineClient(conn).Log(ctx, &pulumirpc.LogRequest{
		Severity: pulumirpc.LogSeverity_INFO, Message: message, Ephemeral: true,
	})
}
