package supervisor_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"twinbook/clock"
	"twinbook/internal/testutil"
	"twinbook/supervisor"
)

// TestVectorsRuntime replays the same vectors through the runtime: a real
// Supervisor on a manual clock over fake children that end when a step says
// so. What the supervisor does (its events after each exit) must be the
// step's log, and its Running() the step's running.
func TestVectorsRuntime(t *testing.T) {
	testutil.ForEachCase(t, "supervisor", func(t *testing.T, c vectorCase) {
		if c.ExpectError != nil || c.Steps == nil {
			runVectorCase(t, c) // the same checks as TestVectors
			return
		}
		runRuntimeSteps(t, c.Tree, *c.Steps)
	})
}

// fakeChild ends when the test says, or when terminated (shutdown).
type fakeChild struct {
	once   sync.Once
	done   chan struct{}
	reason supervisor.Reason
}

func (f *fakeChild) end(r supervisor.Reason) {
	f.once.Do(func() { f.reason = r; close(f.done) })
}

func (f *fakeChild) Done() <-chan struct{}           { return f.done }
func (f *fakeChild) Reason() supervisor.Reason       { return f.reason }
func (f *fakeChild) Terminate(context.Context) error { f.end(supervisor.Shutdown); return nil }

func runRuntimeSteps(t *testing.T, raw []byte, steps []vectorStep) {
	spec, err := supervisor.ParseSpec(raw)
	if err != nil {
		t.Fatalf("malformed case: tree: %v", err)
	}
	var mu sync.Mutex
	current := map[string]*fakeChild{}
	starts := map[string]supervisor.StartFunc{}
	tree, _ := supervisor.NewTree(spec)
	_, _ = tree.Start(time.UnixMilli(0))
	for _, path := range workersOf(tree) {
		starts[path] = func(context.Context) (supervisor.Child, error) {
			f := &fakeChild{done: make(chan struct{})}
			mu.Lock()
			current[path] = f
			mu.Unlock()
			return f, nil
		}
	}
	clk := clock.NewManual(time.UnixMilli(0))
	events := make(eventLog, 4096)
	s, err := supervisor.New(spec, starts, supervisor.Options{Clock: clk, OnEvent: events.record})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	for i, step := range steps {
		if step.AtMS == nil || step.Expect == nil || step.Expect.Log == nil {
			t.Fatalf("malformed case: step %d", i)
		}
		want := *step.Expect.Log
		var got []string
		switch {
		case i == 0:
			if err := s.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			got = drain(events)
		case step.Exit == nil || step.Exit.Child == nil || step.Exit.Reason == nil:
			t.Fatalf("malformed case: step %d: no exit", i)
		case errors.Is(s.Err(), supervisor.ErrGaveUp):
			// Stopped: the exit is ignored; nothing runs to end.
		default:
			clk.Set(time.UnixMilli(*step.AtMS))
			mu.Lock()
			f := current[*step.Exit.Child]
			mu.Unlock()
			if f == nil {
				t.Fatalf("malformed case: step %d: no worker %q", i, *step.Exit.Child)
			}
			f.end(supervisor.Reason(*step.Exit.Reason))
			exit := (<-events).String()
			if w := "exit " + *step.Exit.Child + " " + *step.Exit.Reason; exit != w {
				t.Fatalf("step %d: event %q, want %q", i, exit, w)
			}
			s.Running() // served by the supervisor's goroutine after the exit's reaction
			got = drain(events)
			if slices.Contains(want, "give_up /") {
				<-s.Done()
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: events %q, want %q", i, got, want)
		}
		if w := step.Expect.Running; w != nil {
			if r := s.Running(); !slices.Equal(r, *w) {
				t.Fatalf("step %d: running %q, want %q", i, r, *w)
			}
		}
		if w := step.Expect.Stopped; w != nil && errors.Is(s.Err(), supervisor.ErrGaveUp) != *w {
			t.Fatalf("step %d: stopped %v, want %v", i, !*w, *w)
		}
	}
}

// drain takes the events recorded so far.
func drain(events eventLog) []string {
	var out []string
	for {
		select {
		case e := <-events:
			out = append(out, e.String())
		default:
			return out
		}
	}
}

// workersOf lists the worker paths of a tree just started (all running).
func workersOf(tree *supervisor.Tree) []string {
	var out []string
	for _, path := range tree.Running() {
		if kind, _ := tree.KindOf(path); kind == supervisor.Worker {
			out = append(out, path)
		}
	}
	return out
}
