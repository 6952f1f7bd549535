package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"twinbook/breaker"
)

var errBoom = errors.New("boom")

// trip drives a breaker with specConfig (4 calls, 50%) to Open at the
// clock's current time.
func trip(t *testing.T, b *breaker.Breaker) {
	t.Helper()
	for range 4 {
		mustComplete(t, b, breaker.Failure)
	}
	if s := b.State(); s != breaker.Open {
		t.Fatalf("state %s after 4 failures, want open", s)
	}
}

// mustComplete acquires a permission and completes it at once with o.
func mustComplete(t *testing.T, b *breaker.Breaker, o breaker.Outcome) {
	t.Helper()
	perm, err := b.Acquire()
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	perm.Complete(o)
}

func fail(context.Context) (int, error)    { return 0, errBoom }
func succeed(context.Context) (int, error) { return 7, nil }

func TestExecuteReturnsWhatTheCallReturns(t *testing.T) {
	b, _ := newTestBreaker(t, specConfig())
	v, err := breaker.Execute(context.Background(), b, succeed)
	if v != 7 || err != nil {
		t.Errorf("Execute = %d, %v; want 7, nil", v, err)
	}
	v, err = breaker.Execute(context.Background(), b, fail)
	if v != 0 || !errors.Is(err, errBoom) {
		t.Errorf("Execute = %d, %v; want 0, boom", v, err)
	}
	m := b.Metrics()
	if m.Calls != 2 || m.Failed != 1 {
		t.Errorf("metrics %+v, want 2 calls, 1 failed", m)
	}
}

func TestClassification(t *testing.T) {
	type pathError = fs.PathError
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancelExpired := context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer cancelExpired()
	tests := []struct {
		name   string
		change func(*breaker.Config)
		ctx    context.Context
		err    error
		want   breaker.Outcome
	}{
		{"nil is a success", nil, context.Background(), nil, breaker.Success},
		{"any error is a failure by default", nil, context.Background(), errBoom, breaker.Failure},
		{"IsFailure false means success", func(c *breaker.Config) { c.IsFailure = breaker.ErrorIs(os.ErrNotExist) },
			context.Background(), errBoom, breaker.Success},
		{"IsFailure matches wrapped errors", func(c *breaker.Config) { c.IsFailure = breaker.ErrorIs(os.ErrNotExist, errBoom) },
			context.Background(), fmt.Errorf("read: %w", errBoom), breaker.Failure},
		{"IsIgnored wins over IsFailure", func(c *breaker.Config) {
			c.IsIgnored = breaker.ErrorIs(errBoom)
			c.IsFailure = breaker.ErrorIs(errBoom)
		}, context.Background(), errBoom, breaker.Ignored},
		{"error types with ErrorAs", func(c *breaker.Config) { c.IsIgnored = breaker.ErrorAs[*pathError]() },
			context.Background(), fmt.Errorf("x: %w", &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist}), breaker.Ignored},
		{"ErrorAs does not match other types", func(c *breaker.Config) { c.IsIgnored = breaker.ErrorAs[*pathError]() },
			context.Background(), errBoom, breaker.Failure},
		{"the caller's own cancellation is ignored", nil, canceled, fmt.Errorf("get: %w", context.Canceled), breaker.Ignored},
		{"unless RecordCallerCancellation", func(c *breaker.Config) { c.RecordCallerCancellation = true },
			canceled, context.Canceled, breaker.Failure},
		{"a timeout of the call's own is a failure", nil, context.Background(), context.DeadlineExceeded, breaker.Failure},
		{"the caller's own deadline is a failure too", nil, expired, fmt.Errorf("get: %w", context.DeadlineExceeded), breaker.Failure},
		{"another error while the caller is canceled is a failure", nil, canceled, errBoom, breaker.Failure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := specConfig()
			if tt.change != nil {
				tt.change(&cfg)
			}
			b, _ := newTestBreaker(t, cfg)
			if got := b.Classify(tt.ctx, tt.err); got != tt.want {
				t.Errorf("Classify = %s, want %s", got, tt.want)
			}
			// Execute classifies the same way: check what it recorded.
			breaker.Execute(tt.ctx, b, func(context.Context) (int, error) { return 0, tt.err })
			m := b.Metrics()
			wantCalls, wantFailed := 1, 0
			switch tt.want {
			case breaker.Failure:
				wantFailed = 1
			case breaker.Ignored:
				wantCalls = 0
			}
			if m.Calls != wantCalls || m.Failed != wantFailed {
				t.Errorf("after Execute: %d calls, %d failed; want %d, %d", m.Calls, m.Failed, wantCalls, wantFailed)
			}
		})
	}
}

func TestTypedJudgesResults(t *testing.T) {
	type response struct{ status int }
	b, _ := newTestBreaker(t, specConfig())
	typed := breaker.Typed[response]{Breaker: b, IsFailureResult: func(r response) bool { return r.status >= 500 }}
	for _, status := range []int{200, 503, 404, 500} {
		r, err := typed.Execute(context.Background(), func(context.Context) (response, error) { return response{status}, nil })
		if r.status != status || err != nil {
			t.Fatalf("Execute = %v, %v; want the response and no error", r, err)
		}
	}
	// 2 of 4 failed: 50% trips the spec config.
	if s := b.State(); s != breaker.Open {
		t.Errorf("state %s after two 5xx of four, want open", s)
	}
}

func TestPanicIsRecordedAndRepanicked(t *testing.T) {
	b, _ := newTestBreaker(t, specConfig())
	var events []breaker.Event
	b.Subscribe(func(e breaker.Event) { events = append(events, e) })
	func() {
		defer func() {
			if r := recover(); r != "kaboom" {
				t.Errorf("recovered %v, want the call's own panic value", r)
			}
		}()
		breaker.Execute(context.Background(), b, func(context.Context) (int, error) { panic("kaboom") })
		t.Error("Execute returned normally")
	}()
	m := b.Metrics()
	if m.Calls != 1 || m.Failed != 1 {
		t.Errorf("metrics %+v, want the panic recorded as one failure", m)
	}
	if len(events) != 1 || events[0].Type != breaker.EventFailure || !strings.Contains(fmt.Sprint(events[0].Err), "kaboom") {
		t.Errorf("events %v, want one failure carrying the panic", events)
	}
}

func TestGoexitGivesThePermitBack(t *testing.T) {
	cfg := specConfig()
	cfg.HalfOpenPermittedCalls = 1
	b, clock := newTestBreaker(t, cfg)
	trip(t, b)
	clock.Advance(cfg.WaitInOpen)
	var wg sync.WaitGroup
	wg.Go(func() {
		breaker.Execute(context.Background(), b, func(context.Context) (int, error) {
			runtime.Goexit()
			return 0, nil
		})
	})
	wg.Wait()
	// The only permit came back: the next trial call is let through.
	if _, err := b.Acquire(); err != nil {
		t.Errorf("Acquire after a Goexit: %v", err)
	}
}

func TestRejection(t *testing.T) {
	cfg := specConfig()
	cfg.Name = "payments"
	b, clock := newTestBreaker(t, cfg)
	trip(t, b)
	clock.Advance(time.Second + 500*time.Millisecond)

	called := false
	_, err := breaker.Execute(context.Background(), b, func(context.Context) (int, error) {
		called = true
		return 0, nil
	})
	if called {
		t.Error("an open breaker ran the call")
	}
	if !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("err = %v, want one matching ErrOpen", err)
	}
	var oe *breaker.OpenError
	if !errors.As(err, &oe) {
		t.Fatalf("err is %T, want *OpenError", err)
	}
	if oe.State != breaker.Open || oe.RetryAfter != 3500*time.Millisecond || oe.Name != "payments" {
		t.Errorf("OpenError %+v, want open, retry after 3.5s, payments", oe)
	}
	if want := `breaker "payments" is open: call not permitted (retry after 3.5s)`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}

	// Half-open with its permits taken, and forced open: no time is known.
	clock.Advance(3500 * time.Millisecond)
	for range 2 {
		if _, err := b.Acquire(); err != nil {
			t.Fatal(err)
		}
	}
	_, err = b.Acquire()
	if !errors.As(err, &oe) || oe.State != breaker.HalfOpen || oe.RetryAfter != 0 {
		t.Errorf("half-open rejection %v, want HalfOpen with RetryAfter 0", err)
	}
	b.ForceOpen()
	_, err = b.Acquire()
	if !errors.As(err, &oe) || oe.State != breaker.ForcedOpen || oe.RetryAfter != breaker.Forever || !errors.Is(err, breaker.ErrOpen) {
		t.Errorf("forced-open rejection %v, want ForcedOpen, RetryAfter Forever", err)
	}
	if want := `breaker "payments" is forced_open: call not permitted (until closed by hand)`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	if m := b.Metrics(); m.NotPermitted != 3 {
		t.Errorf("NotPermitted = %d, want 3", m.NotPermitted)
	}
}

func TestAllowTwoStep(t *testing.T) {
	b, _ := newTestBreaker(t, specConfig())
	done, err := b.Allow()
	if err != nil {
		t.Fatal(err)
	}
	done(breaker.Failure)
	done(breaker.Failure) // a second call does nothing
	if m := b.Metrics(); m.Calls != 1 || m.Failed != 1 {
		t.Errorf("metrics %+v, want exactly one failure", m)
	}
	b.ForceOpen()
	done, err = b.Allow()
	if done != nil || !errors.Is(err, breaker.ErrOpen) {
		t.Errorf("Allow on a forced-open breaker: done != nil is %v, err %v; want nil, ErrOpen", done != nil, err)
	}
	var zero breaker.Permission
	zero.Complete(breaker.Success) // a zero Permission is inert
}

func TestSlowCalls(t *testing.T) {
	cfg := specConfig()
	cfg.FailureRateThreshold = 100
	cfg.SlowCallRateThreshold = 75
	b, clock := newTestBreaker(t, cfg)
	for i, d := range []time.Duration{time.Second, 1001 * time.Millisecond, 2 * time.Second, 5 * time.Second} {
		perm, err := b.Acquire()
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(d)
		perm.Complete(breaker.Success)
		if m := b.Metrics(); i < 3 && m.Slow != i {
			t.Errorf("after a %v call: %d slow, want %d (slow is strictly longer than 1s)", d, m.Slow, i)
		}
	}
	if s := b.State(); s != breaker.Open {
		t.Errorf("state %s with 3 of 4 calls slow at 75%%, want open", s)
	}
}

func TestManualOperations(t *testing.T) {
	b, clock := newTestBreaker(t, specConfig())
	tr := watch(b)

	var heard int
	b.Subscribe(func(e breaker.Event) {
		if e.Type == breaker.EventFailure && e.State == breaker.Disabled {
			heard++
		}
	})
	b.Disable()
	for range 10 {
		mustComplete(t, b, breaker.Failure)
	}
	if heard != 10 {
		t.Errorf("subscribers heard of %d calls while disabled, want 10", heard)
	}
	if m := b.Metrics(); m.State != breaker.Disabled || m.Calls != 0 {
		t.Errorf("disabled: %+v, want nothing recorded", m)
	}
	b.ForceOpen()
	clock.Advance(time.Hour)
	if _, err := b.Acquire(); !errors.Is(err, breaker.ErrOpen) || b.State() != breaker.ForcedOpen {
		t.Errorf("forced open after an hour: %v, %s", err, b.State())
	}
	b.ForceOpen() // already there: nothing happens
	b.Close()
	mustComplete(t, b, breaker.Failure)
	b.Close() // already closed: the window is kept
	if m := b.Metrics(); m.Calls != 1 {
		t.Errorf("Close on a closed breaker emptied the window: %+v", m)
	}
	b.Reset()
	if m := b.Metrics(); m.Calls != 0 || m.NotPermitted != 0 || m.State != breaker.Closed {
		t.Errorf("after Reset: %+v, want a clean closed breaker", m)
	}
	want := []string{"closed->disabled", "disabled->forced_open", "forced_open->closed"}
	if got := tr.take(); !slices.Equal(got, want) {
		t.Errorf("transitions %q, want %q", got, want)
	}
}

func TestEvents(t *testing.T) {
	cfg := specConfig()
	cfg.Name = "inventory"
	b, clock := newTestBreaker(t, cfg)
	var got []string
	cancel := b.Subscribe(func(e breaker.Event) {
		if e.Name != "inventory" {
			t.Errorf("event %v without the breaker's name", e)
		}
		got = append(got, fmt.Sprintf("%s@%d", e, e.At.UnixMilli()))
	})
	perm, _ := b.Acquire()
	clock.Advance(1500 * time.Millisecond)
	perm.Complete(breaker.Success)
	breaker.Execute(context.Background(), b, fail)
	breaker.Execute(context.Background(), b, func(ctx context.Context) (int, error) { return 0, errBoom })
	mustComplete(t, b, breaker.Ignored)
	late, _ := b.Acquire()
	breaker.Execute(context.Background(), b, fail) // 3 of 4 failed: open
	b.Acquire()                                    // rejected
	late.Complete(breaker.Success)                 // from before the trip: discarded
	clock.Advance(5 * time.Second)
	b.State()
	b.Reset()
	cancel()
	mustComplete(t, b, breaker.Failure) // nobody listens any more
	want := []string{
		"success (1.5s, slow)@1500",
		"failure (0s)@1500",
		"failure (0s)@1500",
		"ignored (0s)@1500",
		"failure (0s)@1500",
		"closed->open@1500",
		"not_permitted@1500",
		"discarded (0s)@1500",
		"open->half_open@6500",
		"half_open->closed@6500",
		"reset@6500",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSubscriberMayUseTheBreaker(t *testing.T) {
	b, _ := newTestBreaker(t, specConfig())
	var got []string
	b.Subscribe(func(e breaker.Event) {
		if e.Type != breaker.EventTransition {
			return
		}
		got = append(got, e.String())
		if e.State == breaker.Open {
			b.ForceOpen() // a transition from inside a transition's delivery
		}
		_ = b.Metrics()
	})
	for range 4 {
		mustComplete(t, b, breaker.Failure)
	}
	want := []string{"closed->open", "open->forced_open"}
	if !slices.Equal(got, want) || b.State() != breaker.ForcedOpen {
		t.Errorf("transitions %q (state %s), want %q", got, b.State(), want)
	}
}

func TestTimeDrivenTransitionsAreExact(t *testing.T) {
	cfg := specConfig()
	cfg.MaxWaitInHalfOpen = 2 * time.Second
	b, clock := newTestBreaker(t, cfg)
	tr := watch(b)
	trip(t, b) // open at 0: half-open at 5s, open at 7s, half-open at 12s, open at 14s
	clock.Set(time.UnixMilli(12999))
	if s := b.State(); s != breaker.HalfOpen {
		t.Fatalf("state %s at 12.999s, want half_open", s)
	}
	want := []string{"closed->open", "open->half_open", "half_open->open", "open->half_open"}
	if got := tr.take(); !slices.Equal(got, want) {
		t.Errorf("transitions %q, want %q", got, want)
	}
	perm, err := b.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(time.UnixMilli(14000)) // the max wait is due: the result is late
	perm.Complete(breaker.Success)
	var oe *breaker.OpenError
	if _, err := b.Acquire(); !errors.As(err, &oe) || oe.State != breaker.Open || oe.RetryAfter != 5*time.Second {
		t.Errorf("Acquire at 14s = %v, want open for the whole 5s wait that began at 14s", err)
	}
}

func TestManyIdleCyclesAreCheap(t *testing.T) {
	cfg := specConfig()
	cfg.WaitInOpen = 0
	cfg.MaxWaitInHalfOpen = time.Millisecond
	b, clock := newTestBreaker(t, cfg)
	tr := watch(b)
	// At 0 the breaker opens and, its wait being 0, is half-open at once; at
	// every whole millisecond after that it opens again and is half-open
	// again. A month of that is 5.2e9 transitions: a consultation reports the
	// first ten thousand one by one and skips the rest in one step.
	for range 4 {
		mustComplete(t, b, breaker.Failure)
	}
	clock.Set(time.UnixMilli(30 * 24 * 3600 * 1000))
	if s := b.State(); s != breaker.HalfOpen {
		t.Errorf("state %s at a whole millisecond, want half_open", s)
	}
	if n := len(tr.take()); n < 10_000 || n > 10_010 {
		t.Errorf("%d transitions reported, want about 10000", n)
	}
	clock.Advance(0)
	if _, err := b.Acquire(); err != nil {
		t.Errorf("half-open refused its first trial call: %v", err)
	}
}

func TestSystemClock(t *testing.T) {
	cfg := specConfig()
	cfg.SlowCallDuration = time.Hour
	b, err := breaker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		breaker.Execute(context.Background(), b, succeed)
	}
	breaker.Execute(context.Background(), b, fail)
	m := b.Metrics()
	if m.Calls != 4 || m.Failed != 1 || m.Slow != 0 || m.FailureRate != 25 {
		t.Errorf("metrics %+v, want 4 calls, 1 failed, 25%%", m)
	}
	var at time.Time
	b.Subscribe(func(e breaker.Event) { at = e.At })
	breaker.Execute(context.Background(), b, succeed)
	if d := time.Since(at); d < 0 || d > time.Minute {
		t.Errorf("event time %v is %v away from now", at, d)
	}
}
