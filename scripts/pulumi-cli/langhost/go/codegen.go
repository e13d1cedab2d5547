// The Go host's code generators: pkg/v3/codegen/go, called as the official pulumi-language-go
// calls it (see internal/langhost/codegen.go for the calls themselves).

package main

import (
	"errors"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-genauth/langhost/internal/langhost"
)

var generators = langhost.Generators{
	Tool:    name,
	Program: gogen.GenerateProgram,
	Project: gogen.GenerateProject,
	Package: func(
		pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, _ schema.ReferenceLoader,
	) (map[string][]byte, error) {
		// As the official host: the Go generator has no overlays (`gen-sdk --overlays`).
		if len(req.GetExtraFiles()) > 0 {
			return nil, errors.New("overlays are not supported for Go")
		}
		return gogen.GeneratePackage(name, pkg, req.GetLocalDependencies())
	},
}
