package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestVet(t *testing.T) {
	allowed := []string{"context", "sync", "fmt", "math/rand/v2"}
	tests := []struct {
		name   string
		source string
		want   []string // substrings, one per expected reason, in order
	}{
		{"clean", "package main\n\nimport \"sync\"\n\nvar mu sync.Mutex\n\nfunc main() {}\n", nil},
		{"disallowed import", "package main\n\nimport \"os\"\n\nfunc F() { os.Exit(0) }\n",
			[]string{`line 3: import "os" is not allowed here (allowed: context, sync, fmt, math/rand/v2)`}},
		{"cgo", "package main\n\n// #include <stdlib.h>\nimport \"C\"\n", []string{`line 4: cgo (import "C")`}},
		{"linkname", "package main\n\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n",
			[]string{"line 3: compiler directive //go:linkname is not allowed"}},
		{"embed directive", "package main\n\n//go:embed hidden_test.go\nvar s string\n",
			[]string{"compiler directive //go:embed"}},
		{"old build tag", "package main\n\n// +build ignore\n", []string{"line 3: compiler directive // +build is not allowed"}},
		{"init", "package main\n\nfunc init() {}\n", []string{"line 3: func init is not allowed"}},
		{"TestMain is an ordinary function outside a _test.go file", "package main\n\nfunc TestMain() {}\n", nil},
		{"methods named init are fine", "package main\n\ntype T struct{}\n\nfunc (T) init() {}\n", nil},
		{"a max of its own stays in the answer's package", "package main\n\nfunc max(a, b int) int { return 0 }\n", nil},
		{"so do a true and an error of its own", "package main\n\nvar true = false\n\ntype error int\n", nil},
		{"local shadowing is fine", "package main\n\nfunc F() int { len := 3; return len }\n", nil},
		{"the harness's names are the harness's package's", "package main\n\nvar twinbookNonce string\n", nil},
		{"wrong package", "package answer\n", []string{"must be package main"}},
		{"names from the test files are left to the compiler (another package)", "package main\n\nimport \"fmt\"\n\nvar s = fmt.Sprint(hiddenVectorsJSON, gauge{}, TestA)\n", nil},
		{"so is the harness", "package main\n\nvar f = TestTwinbookHarness\n", nil},
		{"a name the answer declares itself is its own",
			"package main\n\ntype gauge struct{ X int }\n\nvar p = gauge{X: len(\"ab\")}\n", nil},
		{"undefined names are left to the compiler", "package main\n\nvar n = undefinedThing\n", nil},
		{"syntax error", "package main\n\nfunc {\n", []string{"syntax error: answer.go:3:6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Vet(tt.source, allowed)
			if len(got) != len(tt.want) {
				t.Fatalf("Vet() = %q, want %d reason(s) like %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("reason %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestRunSpeaksJSON(t *testing.T) {
	in := strings.NewReader(`{"source": "package main\n\nimport \"os\"\n", "allowed": [], "tests": ["ignored"]}`)
	var out bytes.Buffer
	if err := run(in, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	var reply Reply
	if err := json.Unmarshal(out.Bytes(), &reply); err != nil {
		t.Fatalf("reply %q is not JSON: %v", out.String(), err)
	}
	if !slices.Equal(reply.Reasons, []string{`line 3: import "os" is not allowed here (allowed: nothing)`}) {
		t.Fatalf("reasons = %q", reply.Reasons)
	}
	if err := run(strings.NewReader("not json"), &out); err == nil {
		t.Fatal("want an error for a bad request")
	}
}

func TestCleanReplyIsAnEmptyList(t *testing.T) {
	var out bytes.Buffer
	if err := run(strings.NewReader(`{"source": "package main\n"}`), &out); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != `{"reasons":[]}` {
		t.Fatalf("reply = %s, want an empty list", got)
	}
}
