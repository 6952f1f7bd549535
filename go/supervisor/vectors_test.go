package supervisor_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"twinbook/internal/testutil"
	"twinbook/supervisor"
)

// TestVectors replays the supervisor's conformance vectors (the spec's
// format): testutil.ForEachCase reads every *.json of
// $TWINBOOK_VECTORS_DIR/supervisor/ when TWINBOOK_VECTORS_DIR is set, else of
// the project's tests/vectors/supervisor/, one subtest per case, named by the
// case, each decoded strictly (an unknown key fails it). A malformed case
// fails, naming the reason; nothing is skipped.
func TestVectors(t *testing.T) {
	testutil.ForEachCase(t, "supervisor", runVectorCase)
	checkVectorFiles(t)
}

// checkVectorFiles fails a file with no cases (the loader lets an empty or
// missing "cases" through) and a case name used twice: names are test ids.
func checkVectorFiles(t *testing.T) {
	dir := testutil.VectorsDir("supervisor")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	cases, _ := testutil.LoadVectors(dir, "supervisor") // its errors are ForEachCase's
	perFile := map[string]int{}
	names := map[string]string{}
	for _, c := range cases {
		perFile[c.File]++
		if where, dup := names[c.Name]; dup && c.Name != "" {
			t.Errorf("%s: case %q: the name is already used in %s", c.File, c.Name, where)
		}
		names[c.Name] = c.File
	}
	for _, f := range files {
		var file struct {
			Cases []json.RawMessage `json:"cases"`
		}
		data, err := os.ReadFile(f)
		if err == nil && json.Unmarshal(data, &file) == nil && len(file.Cases) == 0 {
			t.Errorf("%s: malformed file: no cases", f)
		}
	}
}

// vectorCase is either a run of steps or an invalid tree (expect_error).
type vectorCase struct {
	Name        string          `json:"name"`
	Tree        json.RawMessage `json:"tree"`
	Steps       *[]vectorStep   `json:"steps"`
	ExpectError *string         `json:"expect_error"`
}

type vectorStep struct {
	AtMS   *int64        `json:"at_ms"` // a JSON integer: 3.0 does not decode
	Exit   *vectorExit   `json:"exit"`
	Expect *vectorExpect `json:"expect"`
}

type vectorExit struct {
	Child  *string `json:"child"`
	Reason *string `json:"reason"`
}

type vectorExpect struct {
	Log     *[]string `json:"log"`
	Running *[]string `json:"running"`
	Stopped *bool     `json:"stopped"`
}

func runVectorCase(t *testing.T, c vectorCase) {
	if len(c.Tree) == 0 {
		t.Fatal("malformed case: no tree")
	}
	switch {
	case c.ExpectError != nil && c.Steps != nil:
		t.Fatal("malformed case: both steps and expect_error")
	case c.ExpectError != nil:
		runErrorCase(t, c.Tree, *c.ExpectError)
	case c.Steps != nil:
		runSteps(t, c.Tree, *c.Steps)
	default:
		t.Fatal("malformed case: neither steps nor expect_error")
	}
}

func runErrorCase(t *testing.T, tree json.RawMessage, field string) {
	if field == "" {
		t.Fatal("malformed case: empty expect_error")
	}
	spec, err := supervisor.ParseSpec(tree)
	if err == nil {
		_, err = supervisor.NewTree(spec)
	}
	if err == nil {
		t.Fatalf("the tree was built; want an error naming %q", field)
	}
	if !namesField(err.Error(), field) {
		t.Fatalf("error %q does not name %q as a word", err, field)
	}
	for _, other := range fields {
		if other != field && namesField(err.Error(), other) {
			t.Fatalf("error %q names %q, another field, besides %q", err, other, field)
		}
	}
}

// namesField: the message contains field, not next to a letter, digit or _.
func namesField(msg, field string) bool {
	return regexp.MustCompile(`(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(field) + `($|[^A-Za-z0-9_])`).MatchString(msg)
}

func runSteps(t *testing.T, raw json.RawMessage, steps []vectorStep) {
	spec, err := supervisor.ParseSpec(raw)
	if err != nil {
		t.Fatalf("malformed case: tree: %v", err)
	}
	tree, err := supervisor.NewTree(spec)
	if err != nil {
		t.Fatalf("malformed case: tree: %v", err)
	}
	if len(steps) == 0 {
		t.Fatal("malformed case: no steps")
	}
	last := int64(0)
	for i, step := range steps {
		where := fmt.Sprintf("step %d", i)
		if step.AtMS == nil {
			t.Fatalf("malformed case: %s: no at_ms", where)
		}
		at := *step.AtMS
		where = fmt.Sprintf("step %d (at_ms %d)", i, at)
		if step.Expect == nil || step.Expect.Log == nil {
			t.Fatalf("malformed case: %s: no expect.log", where)
		}
		var log []supervisor.Action
		switch {
		case i == 0 && (at != 0 || step.Exit != nil):
			t.Fatalf("malformed case: %s: the first step starts the tree: at_ms 0, no exit", where)
		case i == 0:
			log, err = tree.Start(time.UnixMilli(0))
		case step.Exit == nil:
			t.Fatalf("malformed case: %s: no exit", where)
		case at < last:
			t.Fatalf("malformed case: %s: time goes back (previous %d)", where, last)
		case step.Exit.Child == nil || step.Exit.Reason == nil:
			t.Fatalf("malformed case: %s: exit needs child and reason", where)
		default:
			log, err = tree.Exit(*step.Exit.Child, supervisor.Reason(*step.Exit.Reason), time.UnixMilli(at))
		}
		if err != nil {
			t.Fatalf("malformed case: %s: %v", where, err)
		}
		last = at
		got := make([]string, len(log))
		for j, a := range log {
			got[j] = a.String()
		}
		if want := *step.Expect.Log; !slices.Equal(got, want) {
			t.Errorf("%s: log %q, want %q", where, got, want)
		}
		if want := step.Expect.Running; want != nil {
			if got := tree.Running(); !slices.Equal(got, *want) {
				t.Errorf("%s: running %q, want %q", where, got, *want)
			}
		}
		if want := step.Expect.Stopped; want != nil && tree.Stopped() != *want {
			t.Errorf("%s: stopped %v, want %v", where, tree.Stopped(), *want)
		}
		if t.Failed() {
			return
		}
	}
}
