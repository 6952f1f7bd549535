// Visible tests for the one_for_one supervisor: run them with the check cell.
package main_test

import (
	. "answer"
	"strings"
	"testing"
)

// newOne builds a Tree of strategy over children ("id:restart" words) without starting it.
func newOne(t *testing.T, strategy string, intensity int, periodMs int64, children string) *oneTree {
	t.Helper()
	spec := Spec{Strategy: strategy, Intensity: intensity, PeriodMs: periodMs}
	for _, word := range strings.Fields(children) {
		id, restart, _ := strings.Cut(word, ":")
		spec.Children = append(spec.Children, ChildSpec{ID: id, Restart: restart})
	}
	var tree *Tree
	svCall(t, "NewTree", func() { tree = NewTree(spec) })
	if tree == nil {
		t.Fatal("NewTree returned nil")
	}
	o := &oneTree{t: t, tree: tree}
	return o
}

// oneForOne builds a one_for_one Tree over children and starts it at 0 ms.
func oneForOne(t *testing.T, intensity int, periodMs int64, children string) *oneTree {
	t.Helper()
	o := newOne(t, "one_for_one", intensity, periodMs, children)
	o.start(0)
	return o
}

func newOneDriver(v svTree) svDriver {
	spec := Spec{Strategy: v.Strategy, Intensity: v.Intensity, PeriodMs: v.PeriodMs}
	for _, c := range v.Children {
		spec.Children = append(spec.Children, ChildSpec{ID: c.ID, Restart: c.Restart})
	}
	return oneDriver{NewTree(spec)}
}

func TestStartStartsEveryChildInStartOrder(t *testing.T) {
	o := newOne(t, "one_for_one", 3, 1000, "a:permanent b:transient c:temporary")
	svLog(t, "Start(0) logged", o.start(0), []string{"start a", "start b", "start c"},
		"every child is started, in the order of the spec")
	svLog(t, "Running() after the start", o.running(), []string{"a", "b", "c"}, "every child runs")
	if o.stopped() {
		t.Fatal("Stopped() is true: a tree that has just started has not given up")
	}
}

func TestACrashedChildIsRestartedAlone(t *testing.T) {
	o := oneForOne(t, 3, 5000, "a:permanent b:permanent c:permanent")
	o.expectExit("b", "crash", 100, []string{"start b"},
		"one_for_one restarts only the child that ended, and terminates nobody")
	svLog(t, "Running()", o.running(), []string{"a", "b", "c"},
		"the restarted child keeps its place in start order")
}

func TestTheRestartTypeDecidesAfterEachReason(t *testing.T) {
	o := oneForOne(t, 10, 1000, "p:permanent t:transient tmp:temporary")
	o.expectExit("p", "normal", 10, []string{"start p"},
		"a permanent child is restarted whatever the reason, even after a normal exit")
	o.expectExit("t", "normal", 20, nil, "a transient child that ended normally is not restarted")
	o.expectExit("tmp", "crash", 30, nil, "a temporary child is never restarted, even after a crash")
	svLog(t, "Running()", o.running(), []string{"p"}, "t ended normally and tmp is gone: only p runs")
}

func TestOneRestartMoreThanIntensityGivesUp(t *testing.T) {
	o := oneForOne(t, 2, 1000, "a:permanent b:permanent c:permanent")
	o.expectExit("b", "crash", 100, []string{"start b"}, "restart 1 of 2 is allowed")
	o.expectExit("b", "crash", 200, []string{"start b"}, "restart 2 of 2 is allowed")
	o.expectExit("b", "crash", 300, []string{"give_up /", "terminate c", "terminate a"},
		"a 3rd restart within 1000 ms with Intensity 2: the supervisor gives up (give_up /) "+
			"and terminates its running children in reverse start order (b has ended already)")
	if got := o.running(); len(got) != 0 || !o.stopped() {
		t.Fatalf("after giving up: Running() is %q and Stopped() %v, want [] and true", got, o.stopped())
	}
}

func TestARestartExactlyPeriodMsAgoStillCounts(t *testing.T) {
	o := oneForOne(t, 1, 1000, "a:permanent b:permanent")
	o.exit("a", "crash", 100)
	o.expectExit("a", "crash", 1100, []string{"give_up /", "terminate b"},
		"restarts at 100 and 1100 ms, PeriodMs 1000, Intensity 1: the one at 100 ms is exactly "+
			"PeriodMs ago and still counts (nowMs - PeriodMs <= t), so this is 2 restarts in the period: give up")
}
