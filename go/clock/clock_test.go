package clock_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/clock"
)

var _ clock.Clock = clock.System{}
var _ clock.Clock = (*clock.Manual)(nil)

func TestManualAfter(t *testing.T) {
	type step struct {
		advance time.Duration
		fired   []int // indexes of the timers that fire on this step
	}
	tests := []struct {
		name   string
		timers []time.Duration
		steps  []step
	}{
		{"zero and negative fire at once", []time.Duration{0, -time.Second}, []step{{0, []int{0, 1}}}},
		{"fires when due, not before", []time.Duration{time.Second}, []step{
			{999 * time.Millisecond, nil},
			{time.Millisecond, []int{0}},
			{time.Hour, nil},
		}},
		{"one advance fires many", []time.Duration{3 * time.Second, time.Second, 2 * time.Second, 5 * time.Second}, []step{
			{2 * time.Second, []int{1, 2}},
			{10 * time.Second, []int{0, 3}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var clk clock.Manual
			chans := make([]<-chan time.Time, len(tt.timers))
			for i, d := range tt.timers {
				chans[i] = clk.After(d)
			}
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				now := clk.Now()
				for j, ch := range chans {
					select {
					case got := <-ch:
						if !slices.Contains(s.fired, j) {
							t.Errorf("step %d: timer %d fired, want it not to", i, j)
						}
						if !got.Equal(now) {
							t.Errorf("step %d: timer %d sent %v, want the clock's now %v", i, j, got, now)
						}
					default:
						if slices.Contains(s.fired, j) {
							t.Errorf("step %d: timer %d did not fire", i, j)
						}
					}
				}
			}
		})
	}
}

func TestManualNow(t *testing.T) {
	var clk clock.Manual
	if !clk.Now().IsZero() {
		t.Errorf("zero Manual reads %v, want the zero time", clk.Now())
	}
	clk.Advance(90 * time.Minute)
	if got := clk.Now().Sub(time.Time{}); got != 90*time.Minute {
		t.Errorf("after Advance(90m), clock is %v past zero", got)
	}
}

func TestManualWaitForSleepers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var clk clock.Manual
		fired := make(chan time.Time)
		for range 2 {
			go func() { fired <- <-clk.After(time.Minute) }()
		}
		clk.WaitForSleepers(2) // both goroutines have set their timers
		clk.Advance(time.Minute)
		for range 2 {
			if got := (<-fired).Sub(time.Time{}); got != time.Minute {
				t.Errorf("timer fired at %v, want 1m", got)
			}
		}
	})
}

func TestManualRejectsGoingBack(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Advance(-1s) did not panic")
		}
	}()
	new(clock.Manual).Advance(-time.Second)
}

func TestSystemClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var clk clock.System
		start := clk.Now()
		at := <-clk.After(3 * time.Second)
		if got := at.Sub(start); got != 3*time.Second {
			t.Errorf("After(3s) fired %v after Now, want 3s", got)
		}
	})
}

func ExampleManual() {
	var clk clock.Manual
	timer := clk.After(time.Minute)
	clk.Advance(59 * time.Second)
	select {
	case <-timer:
		fmt.Println("fired early")
	default:
		fmt.Println("not yet")
	}
	clk.Advance(time.Second)
	fmt.Println("fired after", (<-timer).Sub(time.Time{}))
	// Output:
	// not yet
	// fired after 1m0s
}

func TestManualSet(t *testing.T) {
	start := time.Unix(1_000, 0)
	tests := []struct {
		name  string
		to    time.Time
		fired bool
	}{
		{"forward past the timer fires it", start.Add(2 * time.Second), true},
		{"forward short of the timer does not", start.Add(time.Second - 1), false},
		{"backwards does not", start.Add(-time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(start)
			timer := clk.After(time.Second)
			clk.Set(tt.to)
			if got := clk.Now(); !got.Equal(tt.to) {
				t.Errorf("Now() = %v after Set(%v)", got, tt.to)
			}
			select {
			case <-timer:
				if !tt.fired {
					t.Error("timer fired, want it pending")
				}
			default:
				if tt.fired {
					t.Error("timer did not fire")
				}
			}
			if want := map[bool]int{true: 0, false: 1}[tt.fired]; clk.Sleepers() != want {
				t.Errorf("Sleepers() = %d, want %d", clk.Sleepers(), want)
			}
		})
	}
}

// TestManualConcurrentUse has many goroutines sleep on one clock while
// others read it and one advances it: every sleeper wakes once, at or after
// its deadline, and the race detector sees no unguarded state.
func TestManualConcurrentUse(t *testing.T) {
	const sleepers = 64
	clk := clock.NewManual(time.Unix(0, 0))
	var wg sync.WaitGroup
	late := make(chan time.Duration, sleepers)
	for i := range sleepers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := time.Duration(i%8+1) * time.Second
			start := clk.Now()
			at := <-clk.After(d)
			if at.Sub(start) < d {
				late <- at.Sub(start)
			}
		}()
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
					_ = clk.Now()
					_ = clk.Sleepers()
				}
			}
		}()
	}
	clk.WaitForSleepers(sleepers)
	for range 8 {
		clk.Advance(time.Second)
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(late)
	for d := range late {
		t.Errorf("a sleeper woke %v after it started, before its deadline", d)
	}
	if n := clk.Sleepers(); n != 0 {
		t.Errorf("%d timers left after every deadline passed", n)
	}
}
