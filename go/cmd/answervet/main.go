// Command answervet vets a learner's Go answer before the grader compiles it.
//
// It reads one JSON request on stdin,
//
//	{"source": "package main\n...", "allowed": ["context", "sync"], "tests": ["package main\n..."]}
//
// where source is the answer file after goimports, allowed lists the exercise's
// allowed import paths and tests holds the sources of the exercise's test files (visible
// and hidden), and prints one JSON reply on stdout,
//
//	{"reasons": ["line 3: import \"os\" is not allowed here (allowed: context, sync)"]}
//
// An empty list means the answer is accepted. The checks, on the syntax tree from
// go/parser:
//
//   - the file parses and is package main;
//   - every import path is allowed by the exercise; import "C" (cgo) only when "C" is;
//   - no compiler directive in any comment (//go:linkname, //go:embed, //go:build,
//     // +build, //line, //export ...);
//   - no func init and no TestMain;
//   - no package-level declaration that replaces a predeclared identifier (len, max,
//     recover, error, true ...): in package main those would change the instructor's
//     tests and the harness too, which share the package;
//   - no identifier starting with "twinbook" (reserved for the harness);
//   - no use of a name the answer does not declare but the test files (or the harness)
//     do: the answer is compiled into one package with them, and must not reach their
//     helpers, their data (hidden expected values) or the harness. Other undeclared names
//     are left to the compiler ("undefined: x").
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"slices"
	"strings"
)

// Request is what answervet reads on stdin.
type Request struct {
	Source  string   `json:"source"`
	Allowed []string `json:"allowed"`
	Tests   []string `json:"tests"`
}

// Reply is what answervet prints on stdout.
type Reply struct {
	Reasons []string `json:"reasons"`
}

// predeclared holds Go's universe-scope identifiers (the spec's "Predeclared identifiers").
var predeclared = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true, "complex128": true,
	"error": true, "float32": true, "float64": true, "int": true, "int8": true, "int16": true,
	"int32": true, "int64": true, "rune": true, "string": true, "uint": true, "uint8": true,
	"uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"true": true, "false": true, "iota": true, "nil": true,
	"append": true, "cap": true, "clear": true, "close": true, "complex": true, "copy": true,
	"delete": true, "imag": true, "len": true, "make": true, "max": true, "min": true, "new": true,
	"panic": true, "print": true, "println": true, "real": true, "recover": true,
}

// directives are comment prefixes the Go toolchain acts on.
var directives = []string{"//go:", "//line ", "/*line ", "// +build", "//+build", "//export ", "//extern ", "//sys "}

// harnessNames are the package-level names of the grader's harness test file.
var harnessNames = []string{"TestTwinbookHarness"}

// Vet returns the reasons to reject source, or none. tests are the sources of the
// exercise's test files, whose package-level names the answer must not use.
func Vet(source string, allowed []string, tests ...string) []string {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "answer.go", source, parser.ParseComments)
	if err != nil {
		return []string{fmt.Sprintf("syntax error: %s", firstLine(err.Error()))}
	}
	var reasons []string
	add := func(pos token.Pos, format string, args ...any) {
		reasons = append(reasons, fmt.Sprintf("line %d: %s", fset.Position(pos).Line, fmt.Sprintf(format, args...)))
	}
	if file.Name.Name != "main" {
		add(file.Name.Pos(), "the answer must be package main, not package %s", file.Name.Name)
	}
	allowedText := strings.Join(allowed, ", ")
	if allowedText == "" {
		allowedText = "nothing"
	}
	for _, imp := range file.Imports {
		path := strings.Trim(imp.Path.Value, "`\"")
		switch {
		case slices.Contains(allowed, path):
		case path == "C":
			add(imp.Pos(), "cgo (import \"C\") is not allowed")
		default:
			add(imp.Pos(), "import %q is not allowed here (allowed: %s)", path, allowedText)
		}
	}
	for _, group := range file.Comments {
		for _, c := range group.List {
			for _, d := range directives {
				if strings.HasPrefix(c.Text, d) {
					name := strings.TrimSpace(d)
					if d == "//go:" {
						name = firstWord(c.Text)
					}
					add(c.Pos(), "compiler directive %s is not allowed", name)
					break
				}
			}
		}
	}
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil {
				continue
			}
			switch name := d.Name.Name; {
			case name == "init":
				add(d.Pos(), "func init is not allowed (it runs before the tests)")
			case name == "TestMain":
				add(d.Pos(), "func TestMain is not allowed (the grader runs the tests)")
			default:
				checkName(d.Name, add)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					checkName(s.Name, add)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						checkName(n, add)
					}
				}
			}
		}
	}
	theirs := testNames(tests)
	for _, id := range file.Unresolved {
		if theirs[id.Name] {
			add(id.Pos(), "uses %s from the instructor's test files (the tests' own names are off limits)", id.Name)
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && strings.HasPrefix(strings.ToLower(id.Name), "twinbook") {
			add(id.Pos(), "the name %s is reserved for the grader", id.Name)
		}
		return true
	})
	return dedupe(reasons)
}

func checkName(id *ast.Ident, add func(token.Pos, string, ...any)) {
	if predeclared[id.Name] {
		add(id.Pos(), "declares %s, which would replace Go's predeclared %s for the tests too", id.Name, id.Name)
	}
}

// testNames are the package-level names the test files and the harness declare.
func testNames(tests []string) map[string]bool {
	names := map[string]bool{}
	for _, n := range harnessNames {
		names[n] = true
	}
	for i, src := range tests {
		file, err := parser.ParseFile(token.NewFileSet(), fmt.Sprintf("test%d.go", i), src, parser.SkipObjectResolution)
		if err != nil {
			continue // the build reports a broken test file
		}
		for _, decl := range file.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						names[s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = true
						}
					}
				}
			}
		}
	}
	return names
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func firstWord(s string) string {
	word, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return word
}

func dedupe(reasons []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, r := range reasons {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

func run(in io.Reader, out io.Writer) error {
	var req Request
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("answervet: reading the request: %w", err)
	}
	return json.NewEncoder(out).Encode(Reply{Reasons: Vet(req.Source, req.Allowed, req.Tests...)})
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
