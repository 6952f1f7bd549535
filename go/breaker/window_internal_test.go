package breaker

import (
	"sync/atomic"
	"testing"
)

// Branches of the lock-free windows that only concurrency reaches, driven
// by hand.

func TestBumpTaggedWords(t *testing.T) {
	var w atomic.Uint64
	steps := []struct {
		sec       int64
		ok        bool
		wantCount uint32
	}{
		{5, true, 1},   // empty word: starts second 5
		{5, true, 2},   // same second: counts
		{3, false, 2},  // an older second: too old, nothing changes
		{9, true, 1},   // a newer second: starts again
		{-2, false, 1}, // far older
	}
	for i, s := range steps {
		if ok := bump(&w, s.sec); ok != s.ok {
			t.Errorf("step %d: bump(%d) = %v, want %v", i, s.sec, ok, s.ok)
		}
		if n := uint32(w.Load()); n != s.wantCount {
			t.Errorf("step %d: count %d, want %d", i, n, s.wantCount)
		}
	}
}

func TestCountWindowRecordOvertakenByANewerTicket(t *testing.T) {
	w := newCountWindow(2, thresholds{minimum: 2, failure: 50, slow: 100})
	w.record(0)
	w.record(0)
	// A writer took ticket 3 (slot 0) but stalled; meanwhile ticket 5 landed
	// in slot 0. The stalled record is already out of the window.
	w.head.Store(5)
	w.slots[0].Store(5<<2 | uint64(bitFailed))
	w.agg.Add(packed(bitFailed) - packed(0))
	before := w.snapshot()
	w.head.Store(2) // the stalled writer's ticket will be 3
	if trips := w.record(bitFailed); trips {
		t.Error("a record that fell out of the window tripped the breaker")
	}
	if after := w.snapshot(); after != before {
		t.Errorf("counts %+v, want them unchanged at %+v", after, before)
	}
}

func TestCountWindowFastPathSkipsOnlyWhenFullAndClean(t *testing.T) {
	w := newCountWindow(3, thresholds{minimum: 3, failure: 50, slow: 50})
	for range 3 {
		w.record(0)
	}
	head := w.head.Load()
	w.record(0)
	if w.head.Load() != head {
		t.Error("a success into a full clean window took a ticket")
	}
	w.record(bitSlow)
	if w.head.Load() != head+1 {
		t.Error("a slow call did not take a ticket")
	}
	w.record(0)
	if c := w.snapshot(); c != (counts{calls: 3, slow: 1}) || w.head.Load() != head+2 {
		t.Errorf("counts %+v: a success into a window with a slow call must be recorded", c)
	}
}

func TestTimeStripes(t *testing.T) {
	tests := []struct{ procs, seconds, want int }{
		{1, 10, 4},
		{2, 10, 8},
		{3, 10, 16},
		{64, 10, 16},
		{2, 60, 8},
		{2, 10_000, 4},
		{2, 1_000_000, 1},
	}
	for _, tt := range tests {
		if got := timeStripes(tt.procs, tt.seconds); got != tt.want {
			t.Errorf("timeStripes(%d, %d) = %d, want %d", tt.procs, tt.seconds, got, tt.want)
		}
	}
}

func TestStripeIsStablePerGoroutine(t *testing.T) {
	a := stripe()
	for range 10 {
		if stripe() != a {
			t.Fatal("stripe changed within one goroutine")
		}
	}
	// Goroutines alive at the same time have stacks of their own.
	seen := map[int64]bool{a: true}
	done, release := make(chan int64), make(chan struct{})
	for range 16 {
		go func() {
			done <- stripe()
			<-release
		}()
	}
	for range 16 {
		seen[<-done] = true
	}
	close(release)
	if len(seen) < 4 {
		t.Errorf("17 goroutines share only %d stripe values", len(seen))
	}
}

func TestSecondFloorsNegativeTimes(t *testing.T) {
	for _, tt := range []struct{ ns, want int64 }{{0, 0}, {999_999_999, 0}, {1e9, 1}, {-1, -1}, {-1e9, -1}, {-1e9 - 1, -2}} {
		if got := second(tt.ns); got != tt.want {
			t.Errorf("second(%d) = %d, want %d", tt.ns, got, tt.want)
		}
	}
}
