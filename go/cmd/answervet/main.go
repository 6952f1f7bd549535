// Command answervet vets a learner's Go answer before the grader compiles it.
//
// It reads one JSON request on stdin,
//
//	{"source": "package main\n...", "allowed": ["context", "sync"]}
//
// where source is the answer file after goimports and allowed lists the exercise's
// allowed import paths, and prints one JSON reply on stdout,
//
//	{"reasons": ["line 3: import \"os\" is not allowed here (allowed: context, sync)"]}
//
// An empty list means the answer is accepted. The checks, on the syntax tree from
// go/parser:
//
//   - the file parses and is package main;
//   - every import path is allowed by the exercise (so no unsafe, reflect, os, os/exec,
//     runtime, testing ... unless listed); import "C" (cgo) only when "C" is;
//   - no compiler directive in any comment (//go:linkname, //go:embed, //go:build,
//     // +build, //line, //export ...);
//   - no func init (an answer has no use for code that runs before the tests).
//
// What the answer may name is not vetted here: the answer is compiled as its own package
// and the tests (with the harness) as its external test package, so the tests' identifiers
// are not in the answer's scope and the compiler reports them as undefined. An answer's
// package-level declarations (a max of its own, a name like the harness's) stay in its own
// package and change nothing for the tests. A "tests" field in the request, sent by older
// graders, is ignored.
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
}

// Reply is what answervet prints on stdout.
type Reply struct {
	Reasons []string `json:"reasons"`
}

// directives are comment prefixes the Go toolchain acts on.
var directives = []string{"//go:", "//line ", "/*line ", "// +build", "//+build", "//export ", "//extern ", "//sys "}

// Vet returns the reasons to reject source, or none.
func Vet(source string, allowed []string) []string {
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
		if d, ok := decl.(*ast.FuncDecl); ok && d.Recv == nil && d.Name.Name == "init" {
			add(d.Pos(), "func init is not allowed (it runs before the tests)")
		}
	}
	return dedupe(reasons)
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
	return json.NewEncoder(out).Encode(Reply{Reasons: Vet(req.Source, req.Allowed)})
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
