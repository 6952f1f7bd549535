package saga_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"twinbook/saga"
)

// recorder is a participant that deduplicates by key, as a real one must,
// and counts what it was asked.
type recorder struct {
	mu      sync.Mutex
	calls   []string
	applied map[string]int
	fail    map[string]int // key -> failures still to return
}

func newRecorder() *recorder { return &recorder{applied: map[string]int{}, fail: map[string]int{}} }

func (r *recorder) call(_ context.Context, c saga.Call) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c.Key)
	if r.fail[c.Key] > 0 {
		r.fail[c.Key]--
		return errors.New("down")
	}
	r.applied[c.Key]++
	return nil
}

func threeSteps(r *recorder, retries int) saga.Definition {
	s := func(name string) saga.Step {
		return saga.Step{Name: name, Retries: retries, Action: r.call, Compensation: r.call}
	}
	return saga.Definition{ID: "order", Steps: []saga.Step{s("reserve"), s("charge"), s("ship")}}
}

func TestRunLogsStartedBeforeAndResultAfterEveryAttempt(t *testing.T) {
	r := newRecorder()
	r.fail["o1:ship:action"] = 1
	log := saga.NewMemoryLog()
	o, err := saga.New(threeSteps(r, 0), log, saga.Options{Backoff: saga.NoBackoff})
	if err != nil {
		t.Fatal(err)
	}
	state, err := o.Run(t.Context(), "o1")
	if err != nil || state != saga.Compensated {
		t.Fatalf("Run: %v %v", state, err)
	}
	entries, err := log.Entries(t.Context(), "o1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%s:%s %s", e.Step, e.Kind, e.Result))
	}
	want := []string{
		"reserve:action started", "reserve:action ok", "charge:action started", "charge:action ok",
		"ship:action started", "ship:action fail", "charge:compensation started", "charge:compensation ok",
		"reserve:compensation started", "reserve:compensation ok",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("log\n got  %v\n want %v", got, want)
	}
	// Running a finished saga again does nothing and answers its outcome.
	if state, err := o.Run(t.Context(), "o1"); err != nil || state != saga.Compensated || len(r.calls) != 5 {
		t.Fatalf("second Run: %v %v, %d calls", state, err, len(r.calls))
	}
}

func TestBackoffIsAskedBeforeEveryRetryAndNotOtherwise(t *testing.T) {
	r := newRecorder()
	r.fail["o1:charge:action"] = 2
	r.fail["o1:reserve:compensation"] = 3
	r.fail["o1:ship:action"] = 1
	def := threeSteps(r, 2)
	def.Steps[2].Retries = 0
	var asked []int
	o, _ := saga.New(def, saga.NewMemoryLog(), saga.Options{Backoff: func(n int) time.Duration {
		asked = append(asked, n)
		return 0
	}})
	state, err := o.Run(t.Context(), "o1")
	if err != nil || state != saga.Compensated {
		t.Fatalf("Run: %v %v", state, err)
	}
	// charge fails twice (retries 1, 2), ship fails for good, charge's
	// compensation is fine, reserve's fails three times (retries 1, 2, 3).
	if want := []int{1, 2, 1, 2, 3}; !slices.Equal(asked, want) {
		t.Fatalf("backoff asked %v, want %v", asked, want)
	}
}

func TestDefaultBackoffDoublesUpToOneSecond(t *testing.T) {
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
	for i, w := range want {
		if got := saga.DefaultBackoff(i + 1); got != w {
			t.Fatalf("DefaultBackoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := saga.DefaultBackoff(40); got != time.Second {
		t.Fatalf("DefaultBackoff(40) = %v", got)
	}
}

func TestACancelledRunLeavesTheAttemptUnrecordedAndResumeRepeatsIt(t *testing.T) {
	r := newRecorder()
	log := saga.NewMemoryLog()
	ctx, cancel := context.WithCancel(t.Context())
	def := threeSteps(r, 0)
	def.Steps[1].Action = func(ctx context.Context, c saga.Call) error {
		cancel() // shut down mid-call: the participant gives up with ctx's error
		return ctx.Err()
	}
	o, _ := saga.New(def, log, saga.Options{Backoff: saga.NoBackoff})
	if _, err := o.Run(ctx, "o1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: want context.Canceled, got %v", err)
	}
	p, _ := log.Load(t.Context(), "o1")
	if p.State != saga.Running || p.Step != 1 || p.Failures != 0 {
		t.Fatalf("progress after the cancel: %+v", p)
	}
	def.Steps[1].Action = r.call
	o2, _ := saga.New(def, log, saga.Options{Backoff: saga.NoBackoff})
	if n, err := o2.Resume(t.Context()); n != 1 || err != nil {
		t.Fatalf("Resume: %d %v", n, err)
	}
	if p, _ := log.Load(t.Context(), "o1"); p.State != saga.Completed {
		t.Fatalf("after Resume: %+v", p)
	}
}

func TestACancelledBackoffStopsTheRun(t *testing.T) {
	r := newRecorder()
	r.fail["o1:reserve:compensation"] = 1 << 30 // a participant down for good
	r.fail["o1:charge:action"] = 1
	ctx, cancel := context.WithCancel(t.Context())
	var waits atomic.Int32
	o, _ := saga.New(threeSteps(r, 0), saga.NewMemoryLog(), saga.Options{Backoff: func(int) time.Duration {
		if waits.Add(1) == 3 {
			go cancel() // the hour below is cut short by the context only
			return time.Hour
		}
		return 0
	}})
	if _, err := o.Run(ctx, "o1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if waits.Load() != 3 {
		t.Fatalf("%d waits", waits.Load())
	}
}

func TestRunRefusesAnEmptyIDAndAnIDOfAnotherDefinition(t *testing.T) {
	r := newRecorder()
	log := saga.NewMemoryLog()
	o, _ := saga.New(threeSteps(r, 0), log, saga.Options{})
	if _, err := o.Run(t.Context(), ""); !errors.Is(err, saga.ErrEmptyID) {
		t.Fatalf("empty id: %v", err)
	}
	if _, err := o.Run(t.Context(), "o1"); err != nil {
		t.Fatal(err)
	}
	other, _ := saga.New(saga.Definition{ID: "refund", Steps: []saga.Step{step("a")}}, log, saga.Options{})
	if _, err := other.Run(t.Context(), "o1"); !errors.Is(err, saga.ErrOtherDefinition) {
		t.Fatalf("want ErrOtherDefinition, got %v", err)
	}
	if n, err := other.Resume(t.Context()); n != 0 || err != nil {
		t.Fatalf("another definition's Resume: %d %v", n, err)
	}
}

// TestManySagasFromManyGoroutinesAtOnce: 40 goroutines run 20 sagas, each
// saga twice at once; every saga ends, and each effect is applied once.
func TestManySagasFromManyGoroutinesAtOnce(t *testing.T) {
	r := newRecorder()
	for i := range 20 {
		if i%3 == 0 {
			r.fail[fmt.Sprintf("o%d:ship:action", i)] = 5
		}
	}
	o, _ := saga.New(threeSteps(r, 1), saga.NewMemoryLog(), saga.Options{Backoff: saga.NoBackoff})
	var wg sync.WaitGroup
	states := make([]saga.State, 40)
	errs := make([]error, 40)
	for g := range 40 {
		wg.Go(func() { states[g], errs[g] = o.Run(t.Context(), fmt.Sprintf("o%d", g%20)) })
	}
	wg.Wait()
	for g := range 40 {
		want := saga.Completed
		if (g%20)%3 == 0 {
			want = saga.Compensated
		}
		if errs[g] != nil || states[g] != want {
			t.Errorf("saga o%d: %v %v, want %v", g%20, states[g], errs[g], want)
		}
	}
	for key, n := range r.applied {
		if n != 1 {
			t.Errorf("%s applied %d times", key, n)
		}
	}
}
