// The Python host's code generators: pkg/v3/codegen/python, called as the official
// pulumi-language-python calls it (see internal/langhost/codegen.go for the calls themselves).

package main

import (
	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-genauth/langhost/internal/langhost"
)

var generators = langhost.Generators{
	Tool:    name,
	Program: python.GenerateProgram,
	Project: func(dir string, project workspace.Project, program *pcl.Program, local map[string]string) error {
		// The official host passes the typechecker and toolchain it was started with, which only
		// Pulumi's conformance tests set: empty, the generated Pulumi.yaml names neither.
		return python.GenerateProject(dir, project, program, local, "", "")
	},
	Package: func(
		pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return python.GeneratePackage(name, pkg, req.GetExtraFiles(), loader)
	},
}
