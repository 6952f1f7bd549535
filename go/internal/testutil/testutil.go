// Package testutil holds what the library's tests share, written once: a
// gauge of concurrent calls and a loopback listener. It is internal, so only
// the module's own tests import it.
package testutil

import (
	"net"
	"sync/atomic"
	"testing"
)

// Gauge counts the calls running at once and remembers the most it saw, to
// check a concurrency limit from inside the calls it limits. The zero value
// is ready to use, and a Gauge is safe for concurrent use.
type Gauge struct {
	running, peak atomic.Int64
}

// Enter counts a call in.
func (g *Gauge) Enter() {
	n := g.running.Add(1)
	for {
		peak := g.peak.Load()
		if n <= peak || g.peak.CompareAndSwap(peak, n) {
			return
		}
	}
}

// Exit counts a call out.
func (g *Gauge) Exit() { g.running.Add(-1) }

// Running returns how many calls are in now.
func (g *Gauge) Running() int64 { return g.running.Load() }

// Peak returns the most calls that were ever in at once.
func (g *Gauge) Peak() int64 { return g.peak.Load() }

// Loopback returns a TCP listener on a free port of 127.0.0.1, closed when
// the test ends. Servers in tests listen on loopback only: nothing outside
// the machine can reach them, and no port number is hard-coded.
func Loopback(t testing.TB) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	t.Cleanup(func() { _ = lis.Close() })
	return lis
}
