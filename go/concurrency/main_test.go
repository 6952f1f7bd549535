package concurrency_test

import (
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test, example or benchmark leaves a
// goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// gauge counts the calls running at once and remembers the most it saw, to
// check a concurrency limit from inside the calls it limits.
type gauge struct {
	running, peak atomic.Int64
}

func (g *gauge) enter() {
	n := g.running.Add(1)
	for {
		peak := g.peak.Load()
		if n <= peak || g.peak.CompareAndSwap(peak, n) {
			return
		}
	}
}

func (g *gauge) exit() { g.running.Add(-1) }
