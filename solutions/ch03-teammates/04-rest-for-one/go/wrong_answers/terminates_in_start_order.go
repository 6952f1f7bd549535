// wrong: terminates the children a restart touches in start order, not in reverse start order
package main

import "slices"

// ChildSpec is one child of the supervisor.
type ChildSpec struct {
	ID      string
	Restart string // "permanent", "transient" or "temporary"
}

// Spec is the supervisor: its strategy, how many restarts it allows within
// PeriodMs milliseconds, and its children in start order.
type Spec struct {
	Strategy  string // "rest_for_one" or "one_for_all"
	Intensity int
	PeriodMs  int64
	Children  []ChildSpec
}

// Tree is a rest_for_one or one_for_all supervisor's rules, driven by the
// caller's events and times: no clock, no goroutine. The fields are a
// suggestion: change them as you like.
type Tree struct {
	spec     Spec
	children []ChildSpec     // in start order; a removed temporary child is gone
	running  map[string]bool // the running children, by id
	restarts []int64         // the times of the restarts still in the period
	stopped  bool
}

// NewTree returns the supervisor of spec, not started yet.
func NewTree(spec Spec) *Tree {
	// a copy: removing a temporary child must not change the caller's spec
	return &Tree{spec: spec, children: slices.Clone(spec.Children), running: map[string]bool{}}
}

// Start starts every child in start order and returns the log: a
// "start ID" for each.
func (t *Tree) Start(nowMs int64) []string {
	var log []string
	for _, c := range t.children {
		t.running[c.ID] = true
		log = append(log, "start "+c.ID)
	}
	return log
}

// Exited tells the supervisor that the running child id ended with reason
// ("normal", "shutdown" or "crash") at nowMs, and returns what it did.
func (t *Tree) Exited(id, reason string, nowMs int64) []string {
	if t.stopped {
		return nil // a supervisor that gave up does nothing any more
	}
	delete(t.running, id)
	i := slices.IndexFunc(t.children, func(c ChildSpec) bool { return c.ID == id })
	switch restart := t.children[i].Restart; {
	case restart == "temporary":
		t.children = slices.Delete(t.children, i, i+1) // gone for good
		return nil
	case restart == "transient" && reason != "crash":
		return nil // it stays in the tree, not running; nothing is counted
	}
	// the restarts from nowMs - PeriodMs on still count (that boundary included)
	kept := t.restarts[:0]
	for _, at := range t.restarts {
		if at >= nowMs-t.spec.PeriodMs {
			kept = append(kept, at)
		}
	}
	t.restarts = append(kept, nowMs)
	if len(t.restarts) > t.spec.Intensity {
		return t.giveUp()
	}
	if t.spec.Strategy == "one_for_all" {
		i = 0
	}
	return t.restart(slices.Clone(t.children[i:]))
}

// restart terminates the running children of affected in reverse order,
// then starts those left in the tree in order; it returns the log.
func (t *Tree) restart(affected []ChildSpec) []string {
	var log []string
	for _, c := range affected {
		if t.running[c.ID] {
			log = append(log, "terminate "+c.ID)
			if c.Restart == "temporary" { // not started again
				t.children = slices.DeleteFunc(t.children, func(x ChildSpec) bool { return x.ID == c.ID })
			}
		}
	}
	for _, c := range affected {
		if slices.Contains(t.children, c) {
			t.running[c.ID] = true
			log = append(log, "start "+c.ID)
		}
	}
	return log
}

// giveUp terminates the running children in reverse start order and stops
// the tree for good; it returns the log.
func (t *Tree) giveUp() []string {
	log := []string{"give_up /"}
	for _, c := range slices.Backward(t.children) {
		if t.running[c.ID] {
			log = append(log, "terminate "+c.ID)
		}
	}
	clear(t.running)
	t.stopped = true
	return log
}

// Running returns the ids of the running children, in start order.
func (t *Tree) Running() []string {
	var ids []string
	for _, c := range t.children {
		if t.running[c.ID] {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// Stopped reports whether the supervisor has given up: then the tree does
// nothing any more.
func (t *Tree) Stopped() bool {
	return t.stopped
}
