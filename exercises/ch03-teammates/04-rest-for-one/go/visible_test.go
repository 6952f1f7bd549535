// Visible tests for the rest_for_one and one_for_all supervisor: run them with the check cell.
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

// started builds a Tree of strategy over children and starts it at 0 ms.
func started(t *testing.T, strategy string, intensity int, periodMs int64, children string) *oneTree {
	t.Helper()
	o := newOne(t, strategy, intensity, periodMs, children)
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

func TestRestForOneRestartsTheChildAndThoseAfterIt(t *testing.T) {
	o := started(t, "rest_for_one", 3, 1000, "a:permanent b:permanent c:permanent d:permanent")
	o.expectExit("b", "crash", 10, []string{"terminate d", "terminate c", "start b", "start c", "start d"},
		"rest_for_one terminates the running children after b in reverse start order (d, then c), "+
			"then starts b and those after it in start order; a, before b, is not touched")
	svLog(t, "Running()", o.running(), []string{"a", "b", "c", "d"}, "every child runs again")
}

func TestOneForAllRestartsEveryChild(t *testing.T) {
	o := started(t, "one_for_all", 3, 1000, "a:permanent b:permanent c:permanent")
	o.expectExit("b", "crash", 10, []string{"terminate c", "terminate a", "start a", "start b", "start c"},
		"one_for_all terminates every other running child in reverse start order, then starts every "+
			"child in start order (no terminate for b: it has ended already)")
}

func TestTemporaryChildrenTerminatedByARestartAreRemoved(t *testing.T) {
	o := started(t, "one_for_all", 3, 1000, "a:permanent tmp:temporary c:permanent")
	o.expectExit("c", "crash", 10, []string{"terminate tmp", "terminate a", "start a", "start c"},
		"the temporary child is terminated like the others but never started again: it is removed")
	svLog(t, "Running()", o.running(), []string{"a", "c"}, "tmp is gone")
}

func TestAStoppedTransientChildIsStartedAgainWithoutATerminate(t *testing.T) {
	o := started(t, "rest_for_one", 3, 1000, "a:permanent b:permanent t:transient")
	o.expectExit("t", "normal", 10, nil, "a transient child that ended normally stays stopped")
	o.expectExit("b", "crash", 20, []string{"start b", "start t"},
		"t, after b, is started again by the restart, but it was not running: no terminate for it")
}

func TestIntensityStillDecidesAndGivingUpTerminatesInReverse(t *testing.T) {
	o := started(t, "one_for_all", 1, 1000, "a:permanent b:permanent c:permanent d:permanent")
	o.exit("a", "crash", 10)
	o.expectExit("b", "crash", 20, []string{"give_up /", "terminate d", "terminate c", "terminate a"},
		"the 2nd restart within 1000 ms with Intensity 1: the supervisor gives up instead of "+
			"restarting and terminates its running children in reverse start order")
	if got := o.running(); len(got) != 0 || !o.stopped() {
		t.Fatalf("after giving up: Running() is %q and Stopped() %v, want [] and true", got, o.stopped())
	}
}
