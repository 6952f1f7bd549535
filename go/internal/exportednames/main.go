// Command exportednames prints, as JSON, every exported name of the Go
// packages in the directories it is given: functions, types, constants,
// variables, and the exported methods of exported types (interface methods
// included) as "Type.Method". Struct fields are left out: they are data,
// named by the configuration and vector formats, not API calls.
//
// The book's table of Go and Python names (book/appendix/names.md) is checked
// against this list by python/tests/test_names_table.py:
//
//	go run ./internal/exportednames ./clock ./concurrency ./breaker ...
//
// prints {"twinbook/clock": ["Clock", "Clock.After", ...], ...}, keyed by
// import path (the module path joined with the directory).
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
)

// module is the path of the module these packages belong to (go/go.mod).
const module = "twinbook"

func main() {
	out := map[string][]string{}
	for _, dir := range os.Args[1:] {
		names, err := exported(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "exportednames:", err)
			os.Exit(1)
		}
		out[path.Join(module, filepath.ToSlash(filepath.Clean(dir)))] = names
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "exportednames:", err)
		os.Exit(1)
	}
}

// exported returns the sorted exported names of the one package in dir,
// leaving out test files.
func exported(dir string) ([]string, error) {
	// go/build picks the package's files as the go command does (build tags
	// included); its GoFiles leave out test files.
	bp, err := build.ImportDir(dir, 0)
	if err != nil {
		return nil, fmt.Errorf("find the package in %s: %w", dir, err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", dir, err)
		}
		files = append(files, f)
	}
	pkg, err := doc.NewFromFiles(fset, files, path.Join(module, dir))
	if err != nil {
		return nil, fmt.Errorf("document %s: %w", dir, err)
	}
	var names []string
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			for _, n := range v.Names {
				if ast.IsExported(n) {
					names = append(names, n)
				}
			}
		}
	}
	values(pkg.Consts)
	values(pkg.Vars)
	for _, f := range pkg.Funcs {
		names = append(names, f.Name)
	}
	for _, t := range pkg.Types {
		names = append(names, t.Name)
		values(t.Consts)
		values(t.Vars)
		for _, f := range t.Funcs {
			names = append(names, f.Name)
		}
		for _, m := range t.Methods {
			names = append(names, t.Name+"."+m.Name)
		}
		names = append(names, interfaceMethods(t)...)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// interfaceMethods returns "Type.Method" for the exported methods an
// interface type declares; go/doc lists only methods with bodies.
func interfaceMethods(t *doc.Type) []string {
	var names []string
	for _, spec := range t.Decl.Specs {
		ts, ok := spec.(*ast.TypeSpec)
		if !ok || ts.Name.Name != t.Name {
			continue
		}
		it, ok := ts.Type.(*ast.InterfaceType)
		if !ok {
			continue
		}
		for _, field := range it.Methods.List {
			for _, n := range field.Names {
				if n.IsExported() {
					names = append(names, t.Name+"."+n.Name)
				}
			}
		}
	}
	return names
}
