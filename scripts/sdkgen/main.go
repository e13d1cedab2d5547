// Command sdkgen writes the TypeScript, Go and Python SDKs of the native provider from its schema.
//
//	go run . SCHEMA.json VERSION OUT
//
// writes OUT/nodejs, OUT/go and OUT/python with Pulumi's own code generators (pkg/v3/codegen at
// the version of the CLI this project builds). The CLI's `pulumi package gen-sdk` would do the
// same, but it hands generation to each language's host plugin, and the Go module proxy here
// serves neither the Node.js nor the Go one.
//
// VERSION is the package's (pyproject.toml); the schema's own "version" must be the same.
// The Python SDK is a subpackage of the pulumi-genauth distribution (the schema's
// language.python.packageName, pulumi_genauth.native_sdk): OUT/python holds that package's
// folder alone, at its import path (pulumi_genauth/native_sdk/), and none of the standalone
// distribution files the generator adds (setup.py or pyproject.toml, .gitignore), since the
// package is built into pulumi-genauth's own wheel.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
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
			return nodejs.GeneratePackage(tool, pkg, nil, nil, false, noPackages{})
		},
		"go": func(pkg *schema.Package) (map[string][]byte, error) {
			return gogen.GeneratePackage(tool, pkg, nil)
		},
		"python": func(pkg *schema.Package) (map[string][]byte, error) {
			files, err := python.GeneratePackage(tool, pkg, nil, noPackages{})
			if err != nil {
				return nil, err
			}
			return pythonPackage(files, pkg)
		},
	}
	for _, language := range []string{"nodejs", "go", "python"} {
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

// pythonPackage keeps the generated Python package's own files, moved to its import path
// (pulumi_genauth.native_sdk -> pulumi_genauth/native_sdk/).
func pythonPackage(files map[string][]byte, pkg *schema.Package) (map[string][]byte, error) {
	// GeneratePackage has decoded the schema's language.python block.
	info, _ := pkg.Language["python"].(python.PackageInfo)
	if info.PackageName == "" {
		return nil, fmt.Errorf("the schema names no language.python.packageName")
	}
	prefix := info.PackageName + "/"
	folder := strings.ReplaceAll(info.PackageName, ".", "/") + "/"
	kept := map[string][]byte{}
	for name, text := range files {
		if rest, ok := strings.CutPrefix(filepath.ToSlash(name), prefix); ok {
			kept[folder+rest] = text
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("the generator wrote nothing under %s", prefix)
	}
	return kept, nil
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
	if spec.Version != version {
		return nil, fmt.Errorf("%s: version %q, but the package is at %q (pyproject.toml): "+
			"set the schema's version to the package's", path, spec.Version, version)
	}
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
