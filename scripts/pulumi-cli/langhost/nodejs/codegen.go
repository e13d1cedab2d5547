// The Node.js host's code generators: pkg/v3/codegen/nodejs, called as the official
// pulumi-language-nodejs calls it (see internal/langhost/codegen.go for the calls themselves).

package main

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-genauth/langhost/internal/langhost"
)

// runtimeName is what the official host passes for plain Node.js (it serves Bun as well, for
// which the generators write ES modules).
const runtimeName = "nodejs"

var generators = langhost.Generators{
	Tool: name,
	Program: func(program *pcl.Program) (map[string][]byte, hcl.Diagnostics, error) {
		return nodejs.GenerateProgramWithOptions(program, nodejs.ProgramOptions{Runtime: runtimeName})
	},
	Project: func(dir string, project workspace.Project, program *pcl.Program, local map[string]string) error {
		// forceTsc is false, as in the official host unless it was started with -typescript=false
		// (which only Pulumi's own tests do).
		return nodejs.GenerateProject(dir, project, program, local, false, runtimeName)
	},
	Package: func(
		pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return nodejs.GeneratePackage(
			name, pkg, req.GetExtraFiles(), req.GetLocalDependencies(), req.GetLocal(), loader)
	},
}
