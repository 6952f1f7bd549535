package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"twinbook/actor"
	"twinbook/clock"
	"twinbook/supervisor"
)

// counterBehaviour counts the numbers it is asked and replies with the
// total; "crash" is a negative number (a panic), and 0 ends it normally.
func counterBehaviour(ctx context.Context, mb *actor.Mailbox[int, int]) error {
	total := 0
	for env := range mb.All() {
		switch {
		case env.Msg < 0:
			panic(fmt.Sprintf("told %d", env.Msg))
		case env.Msg == 0:
			return nil
		}
		total += env.Msg
		env.Reply(total)
	}
	return nil
}

// eventLog collects a supervisor's events; next waits for the next n.
type eventLog chan supervisor.Event

func (l eventLog) record(e supervisor.Event) { l <- e }

func (l eventLog) next(t *testing.T, n int) string {
	t.Helper()
	got := make([]string, n)
	for i := range got {
		got[i] = (<-l).String()
	}
	return strings.Join(got, ", ")
}

func (l eventLog) expect(t *testing.T, want string) {
	t.Helper()
	if got := l.next(t, strings.Count(want, ",")+1); got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
}

type harness struct {
	sup     *supervisor.Supervisor
	events  eventLog
	clock   *clock.Manual
	workers map[string]*supervisor.ActorWorker[int, int]
}

// startHarness runs spec with a counter actor for every worker path, on a
// manual clock that stays at 0 unless the test moves it.
func startHarness(t *testing.T, spec string, paths ...string) *harness {
	t.Helper()
	s, err := supervisor.ParseSpec([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{events: make(eventLog, 256), clock: clock.NewManual(time.UnixMilli(0)), workers: map[string]*supervisor.ActorWorker[int, int]{}}
	starts := map[string]supervisor.StartFunc{}
	for _, p := range paths {
		w := supervisor.NewActorWorker(counterBehaviour, actor.Options{Capacity: 8})
		h.workers[p] = w
		starts[p] = w.Start
	}
	h.sup, err = supervisor.New(s, starts, supervisor.Options{Clock: h.clock, OnEvent: h.events.record})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.sup.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.sup.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return h
}

func (h *harness) ask(t *testing.T, path string, n int) (int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return h.workers[path].Ask(ctx, n)
}

// crash makes the worker at path panic; its Tell is enough, the panic ends
// the actor, and the events say what the supervisor did about it.
func (h *harness) crash(t *testing.T, path string) {
	t.Helper()
	if err := h.workers[path].Tell(context.Background(), -1); err != nil {
		t.Fatalf("telling %s to crash: %v", path, err)
	}
}

func TestSupervisorRestartsACrashedActor(t *testing.T) {
	h := startHarness(t, sup("one_for_one", 3, 5000, abcPermanent), "a", "b", "c")
	h.events.expect(t, "start a, start b, start c")
	for _, p := range []string{"a", "b"} {
		if v, err := h.ask(t, p, 5); v != 5 || err != nil {
			t.Fatalf("Ask(%s) = %d, %v", p, v, err)
		}
	}
	first := h.workers["b"].Actor()
	h.crash(t, "b")
	h.events.expect(t, "exit b crash, start b")
	if first.Reason() != actor.Crash {
		t.Errorf("the crashed actor's reason: %q", first.Reason())
	}
	if v, err := h.ask(t, "b", 1); v != 1 || err != nil {
		t.Errorf("the new b: Ask = %d, %v; want a fresh total 1", v, err)
	}
	if v, err := h.ask(t, "a", 1); v != 6 || err != nil {
		t.Errorf("a, untouched: Ask = %d, %v; want 6", v, err)
	}
	if got := h.sup.Running(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Running() = %q", got)
	}
	if err := h.sup.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.events.expect(t, "terminate c, terminate b, terminate a")
	for p, w := range h.workers {
		if r := w.Actor().Reason(); r != actor.Shutdown {
			t.Errorf("%s after Stop: reason %q, want shutdown", p, r)
		}
	}
	if h.sup.Err() != nil || h.sup.Running() != nil {
		t.Errorf("after Stop: Err() = %v, Running() = %q", h.sup.Err(), h.sup.Running())
	}
}

func TestSupervisorStrategiesOverActors(t *testing.T) {
	tests := []struct {
		strategy, want string
	}{
		{"one_for_one", "exit b crash, start b"},
		{"one_for_all", "exit b crash, terminate c, terminate a, start a, start b, start c"},
		{"rest_for_one", "exit b crash, terminate c, start b, start c"},
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			h := startHarness(t, sup(tt.strategy, 3, 5000, abcPermanent), "a", "b", "c")
			h.events.expect(t, "start a, start b, start c")
			h.crash(t, "b")
			h.events.expect(t, tt.want)
		})
	}
}

func TestSupervisorGivesUp(t *testing.T) {
	h := startHarness(t, sup("one_for_one", 1, 1000, abcPermanent), "a", "b", "c")
	h.events.expect(t, "start a, start b, start c")
	h.crash(t, "a")
	h.events.expect(t, "exit a crash, start a")
	h.clock.Advance(1000 * time.Millisecond) // exactly period_ms later: still counts
	h.crash(t, "a")
	h.events.expect(t, "exit a crash, give_up /, terminate c, terminate b")
	<-h.sup.Done()
	if !errors.Is(h.sup.Err(), supervisor.ErrGaveUp) {
		t.Errorf("Err() = %v, want ErrGaveUp", h.sup.Err())
	}
	if err := h.workers["b"].Tell(context.Background(), 1); !errors.Is(err, actor.ErrStopped) {
		t.Errorf("a worker after give up: Tell = %v, want ErrStopped", err)
	}
}

func TestSupervisorNestedOverActors(t *testing.T) {
	h := startHarness(t, sup("one_for_one", 1, 5000, nested("permanent")), "x", "db/c1", "db/c2")
	h.events.expect(t, "start x, start db, start db/c1, start db/c2")
	h.crash(t, "db/c1")
	h.events.expect(t, "exit db/c1 crash, give_up db, terminate db/c2, start db, start db/c1, start db/c2")
	h.crash(t, "db/c2")
	h.events.expect(t, "exit db/c2 crash, give_up db, terminate db/c1, give_up /, terminate x")
	<-h.sup.Done()
}

func TestSupervisorTransientNormalExit(t *testing.T) {
	h := startHarness(t, sup("one_for_one", 0, 1000, `[{"id":"job","restart":"transient"},{"id":"b","restart":"permanent"}]`), "job", "b")
	h.events.expect(t, "start job, start b")
	if err := h.workers["job"].Tell(context.Background(), 0); err != nil { // returns: normal
		t.Fatal(err)
	}
	h.events.expect(t, "exit job normal")
	if got := h.sup.Running(); !slices.Equal(got, []string{"b"}) {
		t.Errorf("Running() = %q, want [b]", got)
	}
	if c, ok := h.sup.Child("job"); ok {
		t.Errorf("Child(job) = %v, want none", c)
	}
	if _, ok := h.sup.Child("b"); !ok {
		t.Error("Child(b): want the running instance")
	}
}

// flakyStart starts a counter actor the first ok times, then fails.
func flakyStart(ok int32) supervisor.StartFunc {
	var n atomic.Int32
	w := supervisor.NewActorWorker(counterBehaviour, actor.Options{})
	return func(ctx context.Context) (supervisor.Child, error) {
		if n.Add(1) > ok {
			return nil, errors.New("cannot start")
		}
		return w.Start(ctx)
	}
}

func TestSupervisorFailedRestartIsACrash(t *testing.T) {
	spec, _ := supervisor.ParseSpec([]byte(sup("one_for_one", 2, 1000, `[{"id":"a","restart":"permanent"},{"id":"b","restart":"permanent"}]`)))
	events := make(eventLog, 64)
	b := supervisor.NewActorWorker(counterBehaviour, actor.Options{})
	bStarts := 0
	s, err := supervisor.New(spec, map[string]supervisor.StartFunc{
		"a": flakyStart(1),
		"b": func(ctx context.Context) (supervisor.Child, error) { bStarts++; return b.Start(ctx) },
	}, supervisor.Options{Clock: clock.NewManual(time.UnixMilli(0)), OnEvent: events.record})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	events.expect(t, "start a, start b")
	a, _ := s.Child("a")
	if err := a.Terminate(context.Background()); err != nil { // a ends: shutdown, permanent: restart
		t.Fatal(err)
	}
	events.expect(t, "exit a shutdown, start a, exit a crash, start a, exit a crash, give_up /, terminate b")
	<-s.Done()
	if !errors.Is(s.Err(), supervisor.ErrGaveUp) || bStarts != 1 {
		t.Errorf("Err() = %v, b started %d times", s.Err(), bStarts)
	}
}

func TestSupervisorStartFails(t *testing.T) {
	spec, _ := supervisor.ParseSpec([]byte(sup("one_for_one", 2, 1000, abcPermanent)))
	a := supervisor.NewActorWorker(counterBehaviour, actor.Options{})
	events := make(eventLog, 64)
	s, err := supervisor.New(spec, map[string]supervisor.StartFunc{
		"a": a.Start, "b": flakyStart(0), "c": flakyStart(1),
	}, supervisor.Options{OnEvent: events.record})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err == nil || !strings.Contains(err.Error(), `"b"`) {
		t.Fatalf("Start = %v, want b's failure", err)
	}
	events.expect(t, "start a, start b, terminate a")
	<-s.Done()
	if a.Actor().Reason() != actor.Shutdown || s.Err() == nil {
		t.Errorf("a: %q, Err() = %v", a.Actor().Reason(), s.Err())
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Errorf("Stop after a failed start = %v", err)
	}
}

func TestSupervisorNew(t *testing.T) {
	spec, _ := supervisor.ParseSpec([]byte(sup("one_for_one", 1, 5000, nested("permanent"))))
	noop := func(context.Context) (supervisor.Child, error) { return nil, errors.New("unused") }
	tests := []struct {
		name    string
		spec    supervisor.Spec
		workers []string
		want    string
	}{
		{"every worker", spec, []string{"x", "db/c1", "db/c2"}, ""},
		{"a worker missing", spec, []string{"x", "db/c1"}, `no StartFunc for worker "db/c2"`},
		{"a supervisor is no worker", spec, []string{"x", "db", "db/c1", "db/c2"}, `"db", which is not a worker`},
		{"an invalid spec", supervisor.Spec{Strategy: "x"}, nil, "strategy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			starts := map[string]supervisor.StartFunc{}
			for _, p := range tt.workers {
				starts[p] = noop
			}
			s, err := supervisor.New(tt.spec, starts, supervisor.Options{})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("New = %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("New = %v, want %q", err, tt.want)
			case err == nil:
				if err := s.Stop(context.Background()); err != nil { // never started
					t.Error(err)
				}
				if s.Running() != nil {
					t.Error("Running() of a stopped supervisor")
				}
			}
		})
	}
}

// TestSupervisorKillsAnActorThatWillNotDrain: terminating an actor that
// never takes its messages ends, after the shutdown timeout, in a kill.
func TestSupervisorKillsAnActorThatWillNotDrain(t *testing.T) {
	spec, _ := supervisor.ParseSpec([]byte(sup("one_for_one", 1, 1000, `[{"id":"stuck","restart":"permanent"}]`)))
	stuck := supervisor.NewActorWorker(func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		<-ctx.Done() // never receives: only a kill ends it
		return ctx.Err()
	}, actor.Options{})
	s, err := supervisor.New(spec, map[string]supervisor.StartFunc{"stuck": stuck.Start},
		supervisor.Options{ShutdownTimeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := stuck.Actor().Reason(); r != actor.Shutdown {
		t.Errorf("killed actor: reason %q, want shutdown", r)
	}
}

// TestSupervisorConcurrentCrashes: workers crashing at once are handled one
// at a time; each exit is followed by its own restart, whatever the order.
func TestSupervisorConcurrentCrashes(t *testing.T) {
	h := startHarness(t, sup("one_for_one", 100, 1000, abcPermanent), "a", "b", "c")
	h.events.expect(t, "start a, start b, start c")
	var wg sync.WaitGroup
	for _, p := range []string{"a", "b", "c"} {
		wg.Go(func() {
			if err := h.workers[p].Tell(context.Background(), -1); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for range 3 {
		exit, start := <-h.events, <-h.events
		if exit.Op != supervisor.OpExit || start.Op != supervisor.OpStart || exit.Path != start.Path || seen[exit.Path] {
			t.Fatalf("events %v, %v: want an exit and the same child's start", exit, start)
		}
		seen[exit.Path] = true
	}
	if got := h.sup.Running(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Running() = %q", got)
	}
}
