package testutil

import (
	"testing"
	"time"

	"twinbook/breaker"
	"twinbook/clock"
)

// MiddlewareBreaker returns the breaker the middleware tests (HTTP and gRPC)
// put in front of their loopback servers, on a manual clock: a count window
// of 4 that opens at 50% failures once 4 calls are in, no slow calls within
// a minute, waitInOpen in the open state and one half-open trial call.
// change, if not nil, adjusts the configuration first.
func MiddlewareBreaker(t testing.TB, waitInOpen time.Duration, change func(*breaker.Config)) (*breaker.Breaker, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(time.Unix(1_000_000, 0))
	cfg := breaker.Config{
		SlidingWindow: breaker.CountWindow, WindowSize: 4, MinimumCalls: 4,
		FailureRateThreshold: 50, SlowCallRateThreshold: 100, SlowCallDuration: time.Minute,
		WaitInOpen: waitInOpen, HalfOpenPermittedCalls: 1, Clock: clk,
	}
	if change != nil {
		change(&cfg)
	}
	cb, err := breaker.New(cfg)
	if err != nil {
		t.Fatalf("middleware breaker: %v", err)
	}
	return cb, clk
}
