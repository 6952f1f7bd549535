package resilience_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/breaker"
	"twinbook/resilience"
)

// stackFixture is a Stack with every layer, and a trace of what each layer
// did, so a test can read the order off the trace.
type stackFixture struct {
	mu    sync.Mutex
	trace []string
	cb    *breaker.Breaker
	bh    *resilience.Bulkhead
	stack resilience.Stack[string]
}

func (f *stackFixture) log(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trace = append(f.trace, s)
}

func (f *stackFixture) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.trace
	f.trace = nil
	return t
}

func newStackFixture(t *testing.T) *stackFixture {
	t.Helper()
	f := new(stackFixture)
	cfg := breaker.Config{
		SlidingWindow: breaker.CountWindow, WindowSize: 4, MinimumCalls: 4,
		FailureRateThreshold: 50, SlowCallRateThreshold: 100, SlowCallDuration: time.Minute,
		WaitInOpen: time.Minute, HalfOpenPermittedCalls: 1,
	}
	var err error
	if f.cb, err = breaker.New(cfg); err != nil {
		t.Fatal(err)
	}
	f.cb.Subscribe(func(e breaker.Event) { f.log("breaker: " + e.Type.String() + " " + e.String()) })
	if f.bh, err = resilience.NewBulkhead(1, 0); err != nil {
		t.Fatal(err)
	}
	retry, err := resilience.NewRetry(resilience.RetryConfig{
		MaxAttempts: 3, InitialBackoff: 20 * time.Millisecond, MaxBackoff: time.Second, Multiplier: 2,
		Rand: func() float64 { return 0.5 },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.stack = resilience.Stack[string]{
		Fallback: func(_ context.Context, err error) (string, error) {
			f.log("fallback: " + err.Error())
			return "cached", nil
		},
		Retry:    retry,
		Breaker:  f.cb,
		Bulkhead: f.bh,
		Timeout:  100 * time.Millisecond,
	}
	return f
}

func TestStackOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newStackFixture(t)
		// The dependency hangs until its context is done, and says what it sees.
		dependency := func(ctx context.Context) (string, error) {
			deadline, _ := ctx.Deadline()
			f.log("call: slot taken=" + itoa(f.bh.InUse()) + " deadline in " + time.Until(deadline).String())
			<-ctx.Done()
			return "", ctx.Err()
		}
		call := f.stack.Wrap(dependency)

		// First call: three attempts, each a breaker call that times out after
		// 100ms inside a bulkhead slot; the fallback sees the last timeout.
		start := time.Now()
		v, err := call(context.Background())
		if v != "cached" || err != nil {
			t.Fatalf("= %q, %v; want the fallback's answer", v, err)
		}
		if d := time.Since(start); d != 3*100*time.Millisecond+10*time.Millisecond+20*time.Millisecond {
			t.Errorf("took %v: three timeouts and two backoffs (10ms, 20ms) expected", d)
		}
		attempt := []string{"call: slot taken=1 deadline in 100ms", "breaker: failure failure (100ms)"}
		want := slices.Concat(attempt, attempt, attempt,
			[]string{"fallback: resilience: timed out after 100ms: context deadline exceeded"})
		if got := f.take(); !slices.Equal(got, want) {
			t.Errorf("first call:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}

		// Second call: the fourth failure opens the breaker; the retry that
		// follows is refused, is not retried, and the fallback answers.
		v, err = call(context.Background())
		if v != "cached" || err != nil {
			t.Fatalf("= %q, %v; want the fallback's answer", v, err)
		}
		want = slices.Concat(attempt, []string{
			"breaker: transition closed->open",
			"breaker: not_permitted not_permitted",
			"fallback: breaker is open: call not permitted (retry after 59.99s)",
		})
		if got := f.take(); !slices.Equal(got, want) {
			t.Errorf("second call:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		if m := f.cb.Metrics(); m.NotPermitted != 1 {
			t.Errorf("breaker metrics %+v", m)
		}
	})
}

func TestStackRetriesAFullBulkhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newStackFixture(t)
		f.stack.Fallback = nil
		release := make(chan struct{})
		hold := resilience.WithBulkhead(func(context.Context) (string, error) {
			<-release
			return "", nil
		}, f.bh)
		go hold(context.Background())
		synctest.Wait()
		time.AfterFunc(5*time.Millisecond, func() { close(release) }) // free during the first backoff (10ms)
		calls := 0
		v, err := f.stack.Wrap(func(context.Context) (string, error) { calls++; return "fresh", nil })(context.Background())
		if v != "fresh" || err != nil || calls != 1 {
			t.Errorf("= %q, %v after %d calls; want the dependency's answer once the slot is free", v, err, calls)
		}
		m := f.cb.Metrics()
		if m.Calls != 2 || m.Failed != 1 {
			t.Errorf("breaker saw %d calls, %d failed; want the full bulkhead as one failure, then a success", m.Calls, m.Failed)
		}
	})
}

func TestStackLayersAreOptional(t *testing.T) {
	calls := 0
	v, err := resilience.Stack[int]{}.Wrap(func(context.Context) (int, error) { calls++; return 3, nil })(context.Background())
	if v != 3 || err != nil || calls != 1 {
		t.Errorf("an empty Stack changed the call: %d, %v, %d calls", v, err, calls)
	}
	cb, _ := breaker.New(breaker.DefaultConfig())
	s := resilience.Stack[int]{Breaker: cb, IsFailureResult: func(v int) bool { return v < 0 }}
	s.Wrap(func(context.Context) (int, error) { return -1, nil })(context.Background())
	if m := cb.Metrics(); m.Failed != 1 {
		t.Errorf("IsFailureResult did not reach the breaker: %+v", m)
	}
}

func TestWithFallback(t *testing.T) {
	var seen error
	fb := func(_ context.Context, err error) (string, error) {
		seen = err
		if errors.Is(err, breaker.ErrOpen) {
			return "stale", nil
		}
		return "", err // decline
	}
	ok := resilience.WithFallback(func(context.Context) (string, error) { return "fresh", nil }, fb)
	if v, err := ok(context.Background()); v != "fresh" || err != nil || seen != nil {
		t.Errorf("a success went to the fallback: %q, %v, %v", v, err, seen)
	}
	open := resilience.WithFallback(func(context.Context) (string, error) { return "", &breaker.OpenError{State: breaker.Open} }, fb)
	if v, err := open(context.Background()); v != "stale" || err != nil {
		t.Errorf("= %q, %v; want the fallback's stale answer", v, err)
	}
	other := resilience.WithFallback(func(context.Context) (string, error) { return "", errBoom }, fb)
	if _, err := other(context.Background()); !errors.Is(err, errBoom) {
		t.Errorf("a declined fallback returned %v, want the original error", err)
	}
}

func itoa(n int) string { return string(rune('0' + n)) }
