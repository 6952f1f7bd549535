package resilience_test

import (
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// gauge counts the calls running at once and remembers the most it saw.
type gauge struct{ running, peak atomic.Int64 }

func (g *gauge) enter() {
	n := g.running.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (g *gauge) exit() { g.running.Add(-1) }
