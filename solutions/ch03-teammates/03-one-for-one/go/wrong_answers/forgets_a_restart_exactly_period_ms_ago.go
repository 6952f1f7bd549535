// wrong: forgets a restart exactly PeriodMs ago (at > nowMs-PeriodMs): the boundary must still count
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
	Strategy  string // "one_for_one" in this exercise
	Intensity int
	PeriodMs  int64
	Children  []ChildSpec
}

// Tree is a one_for_one supervisor's rules, driven by the caller's events
// and times: no clock, no goroutine. The fields are a suggestion: change
// them as you like.
type Tree struct {
	spec     Spec
	running  map[string]bool // the running children, by id
	restarts []int64         // the times of the restarts still in the period
	stopped  bool
}

// NewTree returns the supervisor of spec, not started yet.
func NewTree(spec Spec) *Tree {
	return &Tree{spec: spec, running: map[string]bool{}}
}

// Start starts every child in start order and returns the log: a
// "start ID" for each.
func (t *Tree) Start(nowMs int64) []string {
	var log []string
	for _, c := range t.spec.Children {
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
	i := slices.IndexFunc(t.spec.Children, func(c ChildSpec) bool { return c.ID == id })
	restart := t.spec.Children[i].Restart
	if restart == "temporary" || restart == "transient" && reason != "crash" {
		return nil // no restart, so nothing is counted
	}
	// the restarts from nowMs - PeriodMs on still count (that boundary included)
	kept := t.restarts[:0]
	for _, at := range t.restarts {
		if at > nowMs-t.spec.PeriodMs {
			kept = append(kept, at)
		}
	}
	t.restarts = append(kept, nowMs)
	if len(t.restarts) > t.spec.Intensity {
		return t.giveUp()
	}
	t.running[id] = true
	return []string{"start " + id}
}

// giveUp terminates the running children in reverse start order and stops
// the tree for good; it returns the log.
func (t *Tree) giveUp() []string {
	log := []string{"give_up /"}
	for _, c := range slices.Backward(t.spec.Children) {
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
	for _, c := range t.spec.Children {
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
