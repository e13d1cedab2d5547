// Command sdkgen writes the TypeScript and Go SDKs of the native provider from its schema.
//
//	go run . SCHEMA.json VERSION OUT
//
// writes OUT/nodejs and OUT/go with Pulumi's own code generators (pkg/v3/codegen at the
// version of the CLI this project builds). The CLI's `pulumi package gen-sdk` would do the
// same, but it hands generation to each language's host plugin, and the Go module proxy here
// serves neither the Node.js nor the Go one.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-genauth sdkgen"

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: sdkgen SCHEMA.json VERSION OUT")
		os.Exit(2)
	}
	schemaPath, version, out := os.Args[1], os.Args[2], os.Args[3]
	generators := map[string]func(*schema.Package) (map[string][]byte, error){
		"nodejs": func(pkg *schema.Package) (map[string][]byte, error) {
			files, err := nodejs.GeneratePackage(tool, pkg, nil, nil, false, noPackages{})
			if err == nil {
				// The generator leaves the version to a publishing step; we publish nothing, and
				// npm refuses a linked package whose version is not one.
				files["package.json"] = bytes.ReplaceAll(
					files["package.json"], []byte("${VERSION}"), []byte(version))
			}
			return files, err
		},
		"go": func(pkg *schema.Package) (map[string][]byte, error) {
			return gogen.GeneratePackage(tool, pkg, nil)
		},
	}
	for _, language := range []string{"nodejs", "go"} {
		// Bound afresh per language: each generator records its own facts in the package.
		pkg, err := bind(schemaPath, version)
		if err == nil {
			var files map[string][]byte
			if files, err = generators[language](pkg); err == nil {
				err = write(filepath.Join(out, language), files)
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "sdkgen: %s: %v\n", language, err)
			os.Exit(1)
		}
	}
}

func bind(path, version string) (*schema.Package, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	spec.Version = version
	pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return pkg, nil
}

// write replaces the folder's contents with the generated files, in a stable order.
func write(folder string, files map[string][]byte) error {
	if err := os.RemoveAll(folder); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(folder, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noPackages is the loader of a schema that references no other package: asked for one, it fails.
type noPackages struct{}

func (noPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q; it should reference none", name)
}

func (l noPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, nil)
}

func (l noPackages) LoadPackageReference(name string, v *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(name, v)
	return nil, err
}

func (l noPackages) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, nil)
}
