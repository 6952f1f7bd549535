package supervisor_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"twinbook/supervisor"
)

// exit is one event of a tree test: the worker at path exits with reason at
// ms; log is what the tree must do in reaction, space-separated actions
// joined by ", ".
type exit struct {
	ms     int64
	path   string
	reason supervisor.Reason
	log    string
}

func mustTree(t *testing.T, spec string) *supervisor.Tree {
	t.Helper()
	s, err := supervisor.ParseSpec([]byte(spec))
	if err != nil {
		t.Fatalf("ParseSpec: %v", err)
	}
	tree, err := supervisor.NewTree(s)
	if err != nil {
		t.Fatalf("NewTree: %v", err)
	}
	return tree
}

func logText(actions []supervisor.Action) string {
	parts := make([]string, len(actions))
	for i, a := range actions {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}

const (
	abcPermanent = `[{"id":"a","restart":"permanent"},{"id":"b","restart":"permanent"},{"id":"c","restart":"permanent"}]`
	// nestedDB: x, then db (a nested one_for_one that allows no restart) with c1 and c2.
	nestedDB = `[{"id":"x","restart":"permanent"},
		{"id":"db","restart":"%s","kind":"supervisor","strategy":"one_for_one","intensity":0,"period_ms":1000,
		 "children":[{"id":"c1","restart":"permanent"},{"id":"c2","restart":"permanent"}]}]`
)

func sup(strategy string, intensity, periodMS int, children string) string {
	return `{"strategy":"` + strategy + `","intensity":` + strconv.Itoa(intensity) + `,"period_ms":` + strconv.Itoa(periodMS) + `,"children":` + children + `}`
}

func nested(restart string) string { return strings.Replace(nestedDB, "%s", restart, 1) }

// TestTreeRules pins the spec's rules one by one: each case starts a tree,
// feeds it exits and compares every step's log, then the running children
// and whether the top gave up.
func TestTreeRules(t *testing.T) {
	crash, normal, shutdown := supervisor.Crash, supervisor.Normal, supervisor.Shutdown
	tests := []struct {
		name    string
		spec    string
		start   string
		exits   []exit
		running []string
		stopped bool
	}{
		{name: "start in list order", spec: sup("one_for_one", 3, 5000, abcPermanent),
			start: "start a, start b, start c", running: []string{"a", "b", "c"}},
		{name: "one_for_one restarts only the child", spec: sup("one_for_one", 3, 5000, abcPermanent),
			start: "start a, start b, start c",
			exits: []exit{{100, "b", crash, "start b"}}, running: []string{"a", "b", "c"}},
		{name: "one_for_all terminates the others in reverse, starts all in order", spec: sup("one_for_all", 3, 5000, abcPermanent),
			start: "start a, start b, start c",
			exits: []exit{{100, "b", crash, "terminate c, terminate a, start a, start b, start c"}}, running: []string{"a", "b", "c"}},
		{name: "rest_for_one restarts the child and those after it", spec: sup("rest_for_one", 3, 5000, abcPermanent),
			start: "start a, start b, start c",
			exits: []exit{{100, "b", crash, "terminate c, start b, start c"}}, running: []string{"a", "b", "c"}},
		{name: "rest_for_one of the last child restarts it alone", spec: sup("rest_for_one", 3, 5000, abcPermanent),
			start: "start a, start b, start c",
			exits: []exit{{100, "c", crash, "start c"}}, running: []string{"a", "b", "c"}},
		{name: "permanent is restarted after a normal exit", spec: sup("one_for_one", 3, 5000, abcPermanent),
			start: "start a, start b, start c",
			exits: []exit{{1, "a", normal, "start a"}, {2, "a", shutdown, "start a"}}, running: []string{"a", "b", "c"}},
		{name: "transient: normal and shutdown are final, uncounted",
			spec:  sup("one_for_one", 0, 5000, `[{"id":"a","restart":"transient"},{"id":"b","restart":"transient"},{"id":"c","restart":"permanent"}]`),
			start: "start a, start b, start c",
			exits: []exit{{1, "a", normal, ""}, {2, "b", shutdown, ""}}, running: []string{"c"}},
		{name: "transient is restarted after a crash",
			spec:  sup("one_for_one", 3, 5000, `[{"id":"a","restart":"transient"}]`),
			start: "start a",
			exits: []exit{{1, "a", crash, "start a"}}, running: []string{"a"}},
		{name: "temporary is removed, uncounted, whatever the reason",
			spec:  sup("one_for_all", 0, 5000, `[{"id":"a","restart":"temporary"},{"id":"b","restart":"temporary"},{"id":"c","restart":"permanent"}]`),
			start: "start a, start b, start c",
			exits: []exit{{1, "a", crash, ""}, {2, "b", normal, ""}}, running: []string{"c"}},
		{name: "one_for_all removes the temporary children it terminates",
			spec:    sup("one_for_all", 3, 5000, `[{"id":"a","restart":"permanent"},{"id":"t","restart":"temporary"},{"id":"c","restart":"permanent"}]`),
			start:   "start a, start t, start c",
			exits:   []exit{{1, "a", crash, "terminate c, terminate t, start a, start c"}, {2, "c", crash, "terminate a, start a, start c"}},
			running: []string{"a", "c"}},
		{name: "one_for_all starts a stopped transient child without terminating it",
			spec:  sup("one_for_all", 3, 5000, `[{"id":"a","restart":"permanent"},{"id":"b","restart":"transient"}]`),
			start: "start a, start b",
			exits: []exit{{1, "b", normal, ""}, {2, "a", crash, "start a, start b"}}, running: []string{"a", "b"}},
		{name: "rest_for_one starts a stopped transient child after the failed one",
			spec:  sup("rest_for_one", 3, 5000, `[{"id":"a","restart":"permanent"},{"id":"b","restart":"transient"},{"id":"c","restart":"permanent"}]`),
			start: "start a, start b, start c",
			exits: []exit{{1, "b", normal, ""}, {2, "a", crash, "terminate c, start a, start b, start c"}}, running: []string{"a", "b", "c"}},
		{name: "rest_for_one leaves a stopped transient child before the failed one",
			spec:  sup("rest_for_one", 3, 5000, `[{"id":"a","restart":"transient"},{"id":"b","restart":"permanent"}]`),
			start: "start a, start b",
			exits: []exit{{1, "a", normal, ""}, {2, "b", crash, "start b"}}, running: []string{"b"}},
		{name: "rest_for_one removes the temporary children it terminates",
			spec:  sup("rest_for_one", 3, 5000, `[{"id":"a","restart":"permanent"},{"id":"t","restart":"temporary"},{"id":"c","restart":"permanent"}]`),
			start: "start a, start t, start c",
			exits: []exit{{1, "a", crash, "terminate c, terminate t, start a, start c"}}, running: []string{"a", "c"}},
		{name: "intensity: a restart exactly period_ms ago still counts",
			spec:  sup("one_for_one", 1, 1000, `[{"id":"a","restart":"permanent"},{"id":"b","restart":"permanent"}]`),
			start: "start a, start b",
			exits: []exit{{0, "a", crash, "start a"}, {1000, "a", crash, "give_up /, terminate b"}}, stopped: true},
		{name: "intensity: one ms later it has left the window",
			spec:    sup("one_for_one", 1, 1000, `[{"id":"a","restart":"permanent"},{"id":"b","restart":"permanent"}]`),
			start:   "start a, start b",
			exits:   []exit{{0, "a", crash, "start a"}, {1001, "a", crash, "start a"}, {2001, "b", crash, "give_up /, terminate a"}},
			stopped: true},
		{name: "intensity counts restarts per supervisor, not per child",
			spec:    sup("one_for_one", 2, 5000, abcPermanent),
			start:   "start a, start b, start c",
			exits:   []exit{{1, "a", crash, "start a"}, {2, "b", crash, "start b"}, {3, "c", crash, "give_up /, terminate b, terminate a"}},
			stopped: true},
		{name: "intensity 0 gives up on the first restart",
			spec:  sup("one_for_one", 0, 1000, abcPermanent),
			start: "start a, start b, start c",
			exits: []exit{{5, "b", crash, "give_up /, terminate c, terminate a"}}, stopped: true},
		{name: "after giving up every exit is ignored",
			spec:    sup("one_for_one", 0, 1000, abcPermanent),
			start:   "start a, start b, start c",
			exits:   []exit{{5, "b", crash, "give_up /, terminate c, terminate a"}, {6, "a", crash, ""}, {7, "nobody", "nonsense", ""}},
			stopped: true},
		{name: "nested start: a supervisor's start before its children's", spec: sup("one_for_one", 1, 5000, nested("permanent")),
			start: "start x, start db, start db/c1, start db/c2", running: []string{"x", "db", "db/c1", "db/c2"}},
		{name: "a nested supervisor gives up and its parent restarts it anew", spec: sup("one_for_one", 1, 5000, nested("permanent")),
			start:   "start x, start db, start db/c1, start db/c2",
			exits:   []exit{{10, "db/c1", crash, "give_up db, terminate db/c2, start db, start db/c1, start db/c2"}},
			running: []string{"x", "db", "db/c1", "db/c2"}},
		{name: "escalation: the parent counts the nested supervisor's restarts and gives up too", spec: sup("one_for_one", 1, 5000, nested("permanent")),
			start: "start x, start db, start db/c1, start db/c2",
			exits: []exit{
				{10, "db/c1", crash, "give_up db, terminate db/c2, start db, start db/c1, start db/c2"},
				{20, "db/c2", crash, "give_up db, terminate db/c1, give_up /, terminate x"},
			}, stopped: true},
		{name: "a transient nested supervisor that gives up stays down", spec: sup("one_for_one", 1, 5000, nested("transient")),
			start: "start x, start db, start db/c1, start db/c2",
			exits: []exit{{10, "db/c2", crash, "give_up db, terminate db/c1"}}, running: []string{"x"}},
		{name: "a temporary nested supervisor that gives up is removed", spec: sup("one_for_one", 1, 5000, nested("temporary")),
			start: "start x, start db, start db/c1, start db/c2",
			exits: []exit{{10, "db/c2", crash, "give_up db, terminate db/c1"}, {11, "x", crash, "start x"}}, running: []string{"x"}},
		{name: "terminating a nested supervisor terminates its children first, in reverse",
			spec: sup("one_for_all", 3, 5000, `[{"id":"db","restart":"permanent","kind":"supervisor","strategy":"one_for_one","intensity":1,"period_ms":100,
				"children":[{"id":"c1","restart":"permanent"},{"id":"c2","restart":"permanent"}]},{"id":"y","restart":"permanent"}]`),
			start:   "start db, start db/c1, start db/c2, start y",
			exits:   []exit{{1, "y", crash, "terminate db/c2, terminate db/c1, terminate db, start db, start db/c1, start db/c2, start y"}},
			running: []string{"db", "db/c1", "db/c2", "y"}},
		{name: "a restarted nested supervisor starts its removed temporary children again",
			spec: sup("one_for_all", 3, 5000, `[{"id":"db","restart":"permanent","kind":"supervisor","strategy":"one_for_one","intensity":5,"period_ms":100,
				"children":[{"id":"t","restart":"temporary"},{"id":"c","restart":"permanent"}]},{"id":"y","restart":"permanent"}]`),
			start:   "start db, start db/t, start db/c, start y",
			exits:   []exit{{1, "db/t", crash, ""}, {2, "y", crash, "terminate db/c, terminate db, start db, start db/t, start db/c, start y"}},
			running: []string{"db", "db/t", "db/c", "y"}},
		{name: "a nested supervisor that gave up is not terminated again by one_for_all",
			spec: sup("one_for_all", 5, 5000, `[{"id":"a","restart":"permanent"},{"id":"db","restart":"permanent","kind":"supervisor","strategy":"one_for_one","intensity":0,"period_ms":100,
				"children":[{"id":"c1","restart":"permanent"}]},{"id":"b","restart":"permanent"}]`),
			start:   "start a, start db, start db/c1, start b",
			exits:   []exit{{1, "db/c1", crash, "give_up db, terminate b, terminate a, start a, start db, start db/c1, start b"}},
			running: []string{"a", "db", "db/c1", "b"}},
		{name: "a restarted nested supervisor has an empty restart history",
			spec: sup("one_for_one", 5, 5000, `[{"id":"db","restart":"permanent","kind":"supervisor","strategy":"one_for_one","intensity":1,"period_ms":1000,
				"children":[{"id":"c","restart":"permanent"}]}]`),
			start: "start db, start db/c",
			exits: []exit{
				{1, "db/c", crash, "start db/c"},
				{2, "db/c", crash, "give_up db, start db, start db/c"},
				{3, "db/c", crash, "start db/c"}, // one restart in the new history: allowed
			}, running: []string{"db", "db/c"}},
		{name: "an empty supervisor starts nothing", spec: sup("one_for_one", 0, 1, `[]`), start: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := mustTree(t, tt.spec)
			log, err := tree.Start(time.UnixMilli(0))
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			if got := logText(log); got != tt.start {
				t.Fatalf("Start: log %q, want %q", got, tt.start)
			}
			for _, e := range tt.exits {
				log, err := tree.Exit(e.path, e.reason, time.UnixMilli(e.ms))
				if err != nil {
					t.Fatalf("Exit(%s, %s) at %d: %v", e.path, e.reason, e.ms, err)
				}
				if got := logText(log); got != e.log {
					t.Fatalf("Exit(%s, %s) at %d: log %q, want %q", e.path, e.reason, e.ms, got, e.log)
				}
			}
			if got := tree.Running(); !slices.Equal(got, tt.running) {
				t.Errorf("Running() = %q, want %q", got, tt.running)
			}
			if tree.Stopped() != tt.stopped {
				t.Errorf("Stopped() = %v, want %v", tree.Stopped(), tt.stopped)
			}
		})
	}
}

// TestTreeExitErrors: an exit of anything but a running worker is refused
// and changes nothing.
func TestTreeExitErrors(t *testing.T) {
	spec := sup("one_for_one", 3, 5000, `[{"id":"t","restart":"temporary"},{"id":"s","restart":"transient"},
		{"id":"db","restart":"permanent","kind":"supervisor","strategy":"one_for_one","intensity":1,"period_ms":10,"children":[{"id":"c","restart":"permanent"}]}]`)
	tests := []struct {
		name   string
		path   string
		reason supervisor.Reason
		ms     int64
		want   string
	}{
		{"unknown path", "nobody", supervisor.Crash, 10, `no child "nobody"`},
		{"empty path", "", supervisor.Crash, 10, `no child ""`},
		{"unknown nested path", "db/nobody", supervisor.Crash, 10, `no child "db/nobody"`},
		{"a supervisor", "db", supervisor.Crash, 10, "a supervisor, not a worker"},
		{"the top", "/", supervisor.Crash, 10, `no child "/"`},
		{"a removed temporary child", "t", supervisor.Crash, 10, `no child "t"`},
		{"a stopped transient child", "s", supervisor.Crash, 10, "not running"},
		{"an unknown reason", "db/c", "kill", 10, `unknown reason "kill"`},
		{"time going back", "db/c", supervisor.Crash, 4, "before the previous event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := mustTree(t, spec)
			if _, err := tree.Start(time.UnixMilli(0)); err != nil {
				t.Fatal(err)
			}
			for _, e := range []exit{{5, "t", supervisor.Normal, ""}, {5, "s", supervisor.Normal, ""}} {
				if _, err := tree.Exit(e.path, e.reason, time.UnixMilli(e.ms)); err != nil {
					t.Fatal(err)
				}
			}
			before := tree.Running()
			_, err := tree.Exit(tt.path, tt.reason, time.UnixMilli(tt.ms))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Exit(%q, %q) = %v, want an error with %q", tt.path, tt.reason, err, tt.want)
			}
			if after := tree.Running(); !slices.Equal(before, after) {
				t.Errorf("a refused exit changed the tree: running %q, then %q", before, after)
			}
		})
	}
}

func TestTreeLifecycle(t *testing.T) {
	tree := mustTree(t, sup("one_for_one", 3, 5000, nested("permanent")))
	if _, err := tree.Exit("x", supervisor.Crash, time.UnixMilli(0)); err == nil {
		t.Error("Exit before Start: want an error")
	}
	if log := tree.Shutdown(); len(log) != 0 {
		t.Errorf("Shutdown before Start: %q, want nothing", logText(log))
	}
	tree = mustTree(t, sup("one_for_one", 3, 5000, nested("permanent")))
	if _, err := tree.Start(time.UnixMilli(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := tree.Start(time.UnixMilli(0)); err == nil {
		t.Error("a second Start: want an error")
	}
	if kind, ok := tree.KindOf("db"); !ok || kind != supervisor.KindSupervisor {
		t.Errorf("KindOf(db) = %q, %v", kind, ok)
	}
	if kind, ok := tree.KindOf("db/c2"); !ok || kind != supervisor.Worker {
		t.Errorf("KindOf(db/c2) = %q, %v", kind, ok)
	}
	if _, ok := tree.KindOf("zz"); ok {
		t.Error("KindOf(zz): want none")
	}
	const want = "terminate db/c2, terminate db/c1, terminate db, terminate x"
	if got := logText(tree.Shutdown()); got != want {
		t.Errorf("Shutdown: %q, want %q", got, want)
	}
	if !tree.Stopped() || len(tree.Running()) != 0 {
		t.Errorf("after Shutdown: stopped %v, running %q", tree.Stopped(), tree.Running())
	}
	if log, err := tree.Exit("x", supervisor.Crash, time.UnixMilli(1)); err != nil || len(log) != 0 {
		t.Errorf("Exit after Shutdown = %q, %v; want nothing", logText(log), err)
	}
}
