// Codegen: how our language hosts answer the engine's code-generation calls, the way Pulumi's own
// hosts do (sdk/{nodejs/cmd/pulumi-language-nodejs,python/cmd/pulumi-language-python,
// go/pulumi-language-go}/main.go in pulumi's repository), by handing the work to Pulumi's own
// generators (pkg/v3/codegen/{nodejs,python,go}, at the version of the CLI):
//
//   - GenerateProgram, for `pulumi import`: PCL source in, the program's source files out;
//   - GenerateProject, for `pulumi convert`: a folder of PCL (what a converter plugin such as
//     pulumi-converter-yaml wrote) in, a whole project written to a folder;
//   - GeneratePackage, for `pulumi package gen-sdk`: a schema in, an SDK written to a folder;
//   - Link, which `pulumi convert` calls after GenerateProject (see Link below).
//
// Each call carries the address of a schema loader served by the engine (LoaderTarget): the PCL
// or schema is bound against the schemas of the packages it uses (for us, the schema the
// provider plugin returns from GetSchema), fetched through that loader.

package langhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/pulumi/pulumi/pkg/v3/codegen/hcl2/syntax"
	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Generators are one language's entry points into pkg/v3/codegen.
type Generators struct {
	// Tool is the host's name ("pulumi-language-nodejs"): the official hosts pass it to the SDK
	// generators, which write it into each file's header as the generator.
	Tool string
	// Program turns a bound PCL program into source files, by file name.
	Program func(program *pcl.Program) (map[string][]byte, hcl.Diagnostics, error)
	// Project writes a whole project (program, Pulumi.yaml, package manifest) into dir.
	Project func(dir string, project workspace.Project, program *pcl.Program,
		localDependencies map[string]string) error
	// Package returns the files of the package's SDK, by path relative to its folder.
	Package func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
		loader schema.ReferenceLoader) (map[string][]byte, error)
}

// Codegen answers GenerateProgram, GenerateProject and GeneratePackage with its Generators, and
// Link. A host embeds it beside Base (whose embedded UnimplementedLanguageRuntimeServer is one
// level deeper, so these methods win).
type Codegen struct {
	Generators
}

// bindOptions are the PCL binding options of all three official hosts: invokes in their
// output-versioned form, and, unless the engine asks for strict binding, the non-strict options.
// `pulumi import` asks for non-strict binding because the PCL it sends refers to a provider or
// parent that it does not declare (`--provider name=URN`); the official Go host ignores the
// request in GenerateProgram (the fix, pulumi/pulumi#16786, changed the Node.js and Python
// hosts only) and so fails such an import: ours honour it in all three languages.
func bindOptions(strict bool) []pcl.BindOption {
	options := []pcl.BindOption{pcl.PreferOutputVersionedInvokes}
	if !strict {
		options = append(options, pcl.NonStrictBindOptions()...)
	}
	return options
}

// GenerateProgram is what `pulumi import` calls to print the code of what it imported.
func (c Codegen) GenerateProgram(
	_ context.Context, req *pulumirpc.GenerateProgramRequest,
) (*pulumirpc.GenerateProgramResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()

	parser := syntax.NewParser()
	for path, contents := range req.GetSource() {
		if err := parser.ParseFile(strings.NewReader(contents), path); err != nil {
			return nil, err
		}
		if parser.Diagnostics.HasErrors() {
			return nil, parser.Diagnostics
		}
	}
	program, diags, err := pcl.BindProgram(
		parser.Files, schema.NewCachedLoader(loader), bindOptions(req.GetStrict())...)
	if err != nil {
		return nil, err
	}
	rpcDiagnostics := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GenerateProgramResponse{Diagnostics: rpcDiagnostics}, nil
	}
	if program == nil {
		return nil, errors.New("internal error: the bound program is nil")
	}

	files, diags, err := c.Program(program)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GenerateProgramResponse{
		Source:      files,
		Diagnostics: append(rpcDiagnostics, plugin.HclDiagnosticsToRPCDiagnostics(diags)...),
	}, nil
}

// GenerateProject is what `pulumi convert` calls, once the converter plugin has written the
// source program as PCL into req.SourceDirectory.
func (c Codegen) GenerateProject(
	_ context.Context, req *pulumirpc.GenerateProjectRequest,
) (*pulumirpc.GenerateProjectResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()

	program, diags, err := pcl.BindDirectory(
		req.GetSourceDirectory(), schema.NewCachedLoader(loader), bindOptions(req.GetStrict())...)
	if err != nil {
		return nil, err
	}
	rpcDiagnostics := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GenerateProjectResponse{Diagnostics: rpcDiagnostics}, nil
	}
	if program == nil {
		return nil, errors.New("internal error: the bound program is nil")
	}

	var project workspace.Project
	if err := json.Unmarshal([]byte(req.GetProject()), &project); err != nil {
		return nil, fmt.Errorf("reading the project sent by the engine: %w", err)
	}
	if err := c.Project(req.GetTargetDirectory(), project, program, req.GetLocalDependencies()); err != nil {
		return nil, err
	}
	return &pulumirpc.GenerateProjectResponse{Diagnostics: rpcDiagnostics}, nil
}

// GeneratePackage is what `pulumi package gen-sdk` calls: it writes the SDK into req.Directory.
func (c Codegen) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()

	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, fmt.Errorf("reading the schema sent by the engine: %w", err)
	}
	cached := schema.NewCachedLoader(loader)
	pkg, diags, err := schema.BindSpec(spec, cached, schema.ValidationOptions{
		AllowDanglingReferences: true,
	})
	if err != nil {
		return nil, err
	}
	rpcDiagnostics := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiagnostics}, nil
	}

	files, err := c.Package(pkg, req, cached)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		path := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("could not create output directory %s: %w", filepath.Dir(name), err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, fmt.Errorf("could not write output file %s: %w", name, err)
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiagnostics}, nil
}

// Link adds locally generated SDKs to a project (package.json, go.mod or requirements.txt), for
// `pulumi package add` and for the SDKs of parameterized packages that `pulumi convert`
// generates. `pulumi convert` calls it after every conversion, even with no package to link
// (as here: the genauth package is not parameterized, its SDK is installed as any other), so
// that case must succeed; it has nothing to do and nothing to say. Linking an SDK is what these
// hosts leave out: asked to, they say so.
func (c Codegen) Link(_ context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	if len(req.GetPackages()) == 0 {
		return &pulumirpc.LinkResponse{}, nil
	}
	return nil, status.Errorf(codes.Unimplemented,
		"%s does not link local SDKs into a project: add the SDK to the project's dependencies yourself", c.Tool)
}
