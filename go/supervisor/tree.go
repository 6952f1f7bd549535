package supervisor

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Op is what a supervisor did: one entry of the action log.
type Op string

const (
	// OpStart: a supervisor started a child (a worker or a nested supervisor).
	OpStart Op = "start"
	// OpTerminate: a supervisor terminated a running child, as part of a
	// restart, of giving up, or of being stopped.
	OpTerminate Op = "terminate"
	// OpGiveUp: a supervisor exceeded its restart intensity and gave up.
	OpGiveUp Op = "give_up"
)

// TopPath is the top supervisor's path in the action log ("give_up /").
const TopPath = "/"

// Action is one entry of the action log: an operation, the path of the child
// (or supervisor) it applies to, and that one's kind.
type Action struct {
	Op   Op
	Path string
	Kind Kind
}

// String is the log's text form: "start db/conn1", "give_up /".
func (a Action) String() string { return string(a.Op) + " " + a.Path }

// errStarted: a tree starts once; a restart of the whole tree is a new Tree.
var errStarted = errors.New("supervisor tree: already started")

// Tree is the deterministic core of a supervision tree: the rules of the
// spec (restart strategies, restart types, intensity, nesting, giving up) as
// a state machine over the whole tree. It starts no goroutine and reads no
// clock: the caller says what happened and when, and gets back what the
// supervisors did, in order. The runtime Supervisor carries the actions out
// on real children; the conformance vectors compare them entry by entry.
// A Tree is not safe for concurrent use.
type Tree struct {
	top     *node
	started bool
	stopped bool
	last    time.Time
	log     []Action
}

// node is a supervisor (the top one, or a nested one) or a worker.
type node struct {
	spec     ChildSpec // the top's is zero but for its Spec
	path     string
	parent   *node
	running  bool
	removed  bool        // a temporary child that terminated: gone for good
	children []*node     // a supervisor's, in start (specification) order
	restarts []time.Time // a supervisor's restart history, oldest first
}

func (n *node) isSupervisor() bool { return n.spec.Spec != nil }

// NewTree builds the tree of spec, validated, not started yet.
func NewTree(spec Spec) (*Tree, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	s := spec
	return &Tree{top: &node{spec: ChildSpec{Kind: KindSupervisor, Spec: &s}, path: TopPath}}, nil
}

// Start starts the tree at time now: every child in specification order, a
// nested supervisor's children before its next sibling. It returns the
// "start PATH" actions (the top supervisor's own start is not logged).
func (t *Tree) Start(now time.Time) ([]Action, error) {
	if t.started {
		return nil, errStarted
	}
	t.started, t.last = true, now
	t.log = nil
	t.top.running = true
	t.startChildren(t.top)
	return t.take(), nil
}

// Exit tells the tree that the running worker at path terminated with
// reason at time now, and returns what the supervisors did in reaction,
// from the innermost supervisor outwards. Once the top supervisor has given
// up, every exit is ignored: an empty log. An exit of anything but a running
// worker, a reason that is not one of the three, or a time before the last
// event's is an error, and changes nothing.
func (t *Tree) Exit(path string, reason Reason, now time.Time) ([]Action, error) {
	if !t.started {
		return nil, fmt.Errorf("supervisor tree: exit of %q before Start", path)
	}
	if t.stopped {
		return []Action{}, nil
	}
	if reason != Normal && reason != Shutdown && reason != Crash {
		return nil, fmt.Errorf("supervisor tree: exit of %q: unknown reason %q", path, reason)
	}
	if now.Before(t.last) {
		return nil, fmt.Errorf("supervisor tree: exit of %q at %v: before the previous event (%v)", path, now, t.last)
	}
	n, err := t.find(path)
	if err != nil {
		return nil, err
	}
	if n.isSupervisor() {
		return nil, fmt.Errorf("supervisor tree: exit of %q: a supervisor, not a worker", path)
	}
	if !n.running {
		return nil, fmt.Errorf("supervisor tree: exit of %q: not running", path)
	}
	t.last = now
	t.log = nil
	n.running = false
	t.childExited(n, reason, now)
	return t.take(), nil
}

// Shutdown stops the tree as its owner would: every running child
// terminated in reverse start order, nested supervisors' children first.
// The tree is stopped afterwards. It returns the "terminate PATH" actions.
func (t *Tree) Shutdown() []Action {
	if !t.started || t.stopped {
		t.stopped = true
		return nil
	}
	t.log = nil
	t.terminateChildren(t.top)
	t.top.running = false
	t.stopped = true
	return t.take()
}

// Stopped reports whether the top supervisor has given up (or Shutdown
// stopped the tree): the tree does nothing any more.
func (t *Tree) Stopped() bool { return t.stopped }

// Running lists the running workers and nested supervisors by path, in start
// order, depth first (a nested supervisor before its children), without the
// top supervisor.
func (t *Tree) Running() []string {
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		for _, c := range n.children {
			if c.running && !c.removed {
				out = append(out, c.path)
				walk(c)
			}
		}
	}
	if t.top.running {
		walk(t.top)
	}
	return out
}

// KindOf returns the kind of the child at path, present in the
// specification (running or not), and whether there is one.
func (t *Tree) KindOf(path string) (Kind, bool) {
	n, err := t.find(path)
	if err != nil {
		return "", false
	}
	return n.spec.KindOrDefault(), true
}

func (t *Tree) find(path string) (*node, error) {
	n := t.top
	for _, id := range strings.Split(path, "/") {
		i := slices.IndexFunc(n.children, func(c *node) bool { return c.spec.ID == id && !c.removed })
		if i < 0 {
			return nil, fmt.Errorf("supervisor tree: no child %q", path)
		}
		n = n.children[i]
	}
	return n, nil
}

func (t *Tree) take() []Action {
	log := t.log
	t.log = nil
	if log == nil {
		log = []Action{}
	}
	return log
}

func (t *Tree) emit(op Op, n *node) {
	t.log = append(t.log, Action{Op: op, Path: n.path, Kind: n.spec.KindOrDefault()})
}

// startChild starts n anew: a nested supervisor from its specification,
// with every child (temporary and stopped transient ones included) and an
// empty restart history.
func (t *Tree) startChild(n *node) {
	t.emit(OpStart, n)
	n.running = true
	if n.isSupervisor() {
		t.startChildren(n)
	}
}

func (t *Tree) startChildren(sup *node) {
	sup.restarts = nil
	sup.children = sup.children[:0]
	for _, cs := range sup.spec.Spec.Children {
		sup.children = append(sup.children, &node{spec: cs, path: childPath(sup, cs.ID), parent: sup})
	}
	for _, c := range sup.children {
		t.startChild(c)
	}
}

func childPath(sup *node, id string) string {
	if sup.path == TopPath {
		return id
	}
	return sup.path + "/" + id
}

// docs:start terminate

// terminate stops a running child: a nested supervisor's running children
// first, in reverse start order, then the supervisor itself.
func (t *Tree) terminate(n *node) {
	if n.isSupervisor() {
		t.terminateChildren(n)
	}
	t.emit(OpTerminate, n)
	n.running = false
}

func (t *Tree) terminateChildren(sup *node) {
	for _, c := range slices.Backward(sup.children) {
		if c.running && !c.removed {
			t.terminate(c)
		}
	}
}

// docs:end terminate

// wantsRestart is the restart type's rule.
func wantsRestart(r Restart, reason Reason) bool {
	switch r {
	case Permanent:
		return true
	case Transient:
		return reason == Crash
	}
	return false
}

// docs:start child-exited

// childExited is a supervisor's reaction to its child c having terminated
// (a worker's exit, or a nested supervisor giving up).
func (t *Tree) childExited(c *node, reason Reason, now time.Time) {
	sup := c.parent
	if !wantsRestart(c.spec.Restart, reason) {
		if c.spec.Restart == Temporary {
			c.removed = true
		}
		return
	}
	if t.countRestart(sup, now) {
		t.giveUp(sup, now)
		return
	}
	i := slices.Index(sup.children, c)
	switch sup.spec.Spec.Strategy {
	case OneForOne:
		t.startChild(c)
	case OneForAll:
		t.restartFrom(sup, 0, c)
	case RestForOne:
		t.restartFrom(sup, i, c)
	}
}

// docs:end child-exited

// docs:start restart-from

// restartFrom terminates the running children from index first on, but the
// one that failed, in reverse order, removing the temporary ones among them,
// then starts every one left from first on, in order.
func (t *Tree) restartFrom(sup *node, first int, failed *node) {
	rest := sup.children[first:]
	for _, c := range slices.Backward(rest) {
		if c == failed || c.removed {
			continue
		}
		if c.running {
			t.terminate(c)
			if c.spec.Restart == Temporary {
				c.removed = true
			}
		}
	}
	for _, c := range rest {
		if !c.removed {
			t.startChild(c)
		}
	}
}

// docs:end restart-from

// docs:start count-restart

// countRestart records a restart of sup at now and reports whether that
// makes more than its intensity within its period (T - period <= t <= T).
func (t *Tree) countRestart(sup *node, now time.Time) bool {
	spec := sup.spec.Spec
	from := now.Add(-spec.Period)
	kept := sup.restarts[:0]
	for _, at := range sup.restarts {
		if !at.Before(from) && !at.After(now) {
			kept = append(kept, at)
		}
	}
	sup.restarts = append(kept, now)
	return len(sup.restarts) > spec.Intensity
}

// docs:end count-restart

// docs:start give-up

// giveUp: sup terminates its running children in reverse start order and
// terminates itself with reason shutdown, which its parent then handles like
// any child's exit. The top giving up stops the tree.
func (t *Tree) giveUp(sup *node, now time.Time) {
	t.emit(OpGiveUp, sup)
	t.terminateChildren(sup)
	sup.running = false
	if sup == t.top {
		t.stopped = true
		return
	}
	t.childExited(sup, Shutdown, now)
}

// docs:end give-up
