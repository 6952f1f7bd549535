// Helpers the tests of this chapter's exercises share. The checker places this file beside an
// exercise's tests, in the same package, so the tests call these names directly. It names
// nothing of any answer: each exercise's visible tests adapt its answer to these helpers.
package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// --- 03-one-for-one, 04-rest-for-one ---

// svCall runs f, turning a panic of the learner's code into a test failure that names the call.
func svCall(t *testing.T, what string, f func()) {
	t.Helper()
	if err := svRecover(what, f); err != nil {
		t.Fatal(err)
	}
}

// svRecover runs f and returns a panic of it as an error naming the call.
func svRecover(what string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s panicked: %v", what, r)
		}
	}()
	f()
	return nil
}

// svLog compares an action log (or a list of running ids) with the one wanted; nil and empty
// are the same: nothing happened. why says which rule the difference breaks.
func svLog(t *testing.T, what string, got, want []string, why string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: %q, want %q: %s", what, svOrEmpty(got), svOrEmpty(want), why)
	}
}

func svOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// svChild is a child of a conformance vector's tree (always a worker in these exercises).
type svChild struct {
	ID      string `json:"id"`
	Restart string `json:"restart"`
	Kind    string `json:"kind"`
}

// svTree is a conformance vector's (flat) supervisor.
type svTree struct {
	Strategy  string    `json:"strategy"`
	Intensity int       `json:"intensity"`
	PeriodMs  int64     `json:"period_ms"`
	Children  []svChild `json:"children"`
}

// svStep is one step of a conformance vector: the start (no Exit), or a child's exit.
type svStep struct {
	AtMs int64 `json:"at_ms"`
	Exit *struct {
		Child  string `json:"child"`
		Reason string `json:"reason"`
	} `json:"exit"`
	Expect struct {
		Log     []string  `json:"log"`
		Running *[]string `json:"running"`
		Stopped *bool     `json:"stopped"`
	} `json:"expect"`
}

// svCase is one conformance vector: a tree and its steps.
type svCase struct {
	Name  string   `json:"name"`
	Tree  svTree   `json:"tree"`
	Steps []svStep `json:"steps"`
}

// svDriver is an exercise's adapter around the learner's Tree, as the replayer drives it.
type svDriver interface {
	start(nowMs int64) []string
	exit(child, reason string, nowMs int64) []string
	running() []string
	stopped() bool
}

// svReplay replays one case step by step on the driver newDriver builds for its tree; a panic
// of the learner's code is an error, not a crash.
func svReplay(c svCase, newDriver func(svTree) svDriver) error {
	var d svDriver
	if err := svRecover(c.Name+": NewTree", func() { d = newDriver(c.Tree) }); err != nil {
		return err
	}
	for i, s := range c.Steps {
		what := fmt.Sprintf("start at %d ms", s.AtMs)
		if s.Exit != nil {
			what = fmt.Sprintf("%s ended (%s) at %d ms", s.Exit.Child, s.Exit.Reason, s.AtMs)
		}
		where := fmt.Sprintf("%s: step %d (%s)", c.Name, i, what)
		var log, running []string
		var stopped bool
		err := svRecover(where, func() {
			if s.Exit != nil {
				log = d.exit(s.Exit.Child, s.Exit.Reason, s.AtMs)
			} else {
				log = d.start(s.AtMs)
			}
			running, stopped = d.running(), d.stopped()
		})
		switch {
		case err != nil:
			return err
		case !slices.Equal(log, s.Expect.Log):
			return fmt.Errorf("%s: log is %q, want %q", where, svOrEmpty(log), svOrEmpty(s.Expect.Log))
		case s.Expect.Running != nil && !slices.Equal(running, *s.Expect.Running):
			return fmt.Errorf("%s: running is %q, want %q", where, svOrEmpty(running), svOrEmpty(*s.Expect.Running))
		case s.Expect.Stopped != nil && stopped != *s.Expect.Stopped:
			return fmt.Errorf("%s: stopped is %v, want %v", where, stopped, *s.Expect.Stopped)
		}
	}
	return nil
}

// svRun replays every case of vectorsJSON (an exercise's embedded vectors), one subtest each.
// A key the replayer does not know fails the test: a vector is never half-checked.
func svRun(t *testing.T, vectorsJSON string, newDriver func(svTree) svDriver) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(vectorsJSON)))
	dec.DisallowUnknownFields()
	var cases []svCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("the embedded vectors do not parse: %v", err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if err := svReplay(c, newDriver); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// svLearnerTree is what exercises 03 and 04 ask of the learner's Tree.
type svLearnerTree interface {
	Start(nowMs int64) []string
	Exited(id, reason string, nowMs int64) []string
	Running() []string
	Stopped() bool
}

// oneTree is the learner's Tree under test: every call goes through svCall, so a panic is a
// test failure that names the call.
type oneTree struct {
	t    *testing.T
	tree svLearnerTree
}

func (o *oneTree) start(nowMs int64) (log []string) {
	o.t.Helper()
	svCall(o.t, fmt.Sprintf("Start(%d)", nowMs), func() { log = o.tree.Start(nowMs) })
	return log
}

func (o *oneTree) exit(id, reason string, nowMs int64) (log []string) {
	o.t.Helper()
	svCall(o.t, fmt.Sprintf("Exited(%q, %q, %d)", id, reason, nowMs), func() { log = o.tree.Exited(id, reason, nowMs) })
	return log
}

func (o *oneTree) running() (ids []string) {
	o.t.Helper()
	svCall(o.t, "Running()", func() { ids = o.tree.Running() })
	return ids
}

func (o *oneTree) stopped() (stopped bool) {
	o.t.Helper()
	svCall(o.t, "Stopped()", func() { stopped = o.tree.Stopped() })
	return stopped
}

// expectExit checks the log of one exit; why says which rule it is about.
func (o *oneTree) expectExit(id, reason string, nowMs int64, want []string, why string) {
	o.t.Helper()
	got := o.exit(id, reason, nowMs)
	svLog(o.t, fmt.Sprintf("%s ended (%s) at %d ms: the log is", id, reason, nowMs), got, want, why)
}

// oneDriver is the learner's Tree as the chapter's vector replayer drives it.
type oneDriver struct{ tree svLearnerTree }

func (d oneDriver) start(nowMs int64) []string { return d.tree.Start(nowMs) }
func (d oneDriver) exit(id, reason string, nowMs int64) []string {
	return d.tree.Exited(id, reason, nowMs)
}
func (d oneDriver) running() []string { return d.tree.Running() }
func (d oneDriver) stopped() bool     { return d.tree.Stopped() }

// --- 01-bounded-mailbox, 02-ask-timeout ---

// svIsError reports whether target is err, or is in the chain that err's Unwrap methods give,
// compared by identity: unlike errors.Is it never asks an error's own Is method (a learner's
// error type could claim to be any error).
func svIsError(err, target error) bool {
	for range 64 {
		if err == nil {
			return false
		}
		if err == target {
			return true
		}
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				if svIsError(inner, target) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		default:
			return false
		}
	}
	return false
}
