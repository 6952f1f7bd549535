package concurrency_test

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/concurrency"
)

var _ concurrency.Clock = concurrency.SystemClock{}
var _ concurrency.Clock = (*concurrency.ManualClock)(nil)

func TestManualClockAfter(t *testing.T) {
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
			var clock concurrency.ManualClock
			chans := make([]<-chan time.Time, len(tt.timers))
			for i, d := range tt.timers {
				chans[i] = clock.After(d)
			}
			for i, s := range tt.steps {
				clock.Advance(s.advance)
				now := clock.Now()
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

func TestManualClockNow(t *testing.T) {
	var clock concurrency.ManualClock
	if !clock.Now().IsZero() {
		t.Errorf("zero ManualClock reads %v, want the zero time", clock.Now())
	}
	clock.Advance(90 * time.Minute)
	if got := clock.Now().Sub(time.Time{}); got != 90*time.Minute {
		t.Errorf("after Advance(90m), clock is %v past zero", got)
	}
}

func TestManualClockBlockUntil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var clock concurrency.ManualClock
		fired := make(chan time.Time)
		for range 2 {
			go func() { fired <- <-clock.After(time.Minute) }()
		}
		clock.BlockUntil(2) // both goroutines have set their timers
		clock.Advance(time.Minute)
		for range 2 {
			if got := (<-fired).Sub(time.Time{}); got != time.Minute {
				t.Errorf("timer fired at %v, want 1m", got)
			}
		}
	})
}

func TestManualClockRejectsGoingBack(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Advance(-1s) did not panic")
		}
	}()
	new(concurrency.ManualClock).Advance(-time.Second)
}

func TestSystemClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var clock concurrency.SystemClock
		start := clock.Now()
		at := <-clock.After(3 * time.Second)
		if got := at.Sub(start); got != 3*time.Second {
			t.Errorf("After(3s) fired %v after Now, want 3s", got)
		}
	})
}

func ExampleManualClock() {
	var clock concurrency.ManualClock
	timer := clock.After(time.Minute)
	clock.Advance(59 * time.Second)
	select {
	case <-timer:
		fmt.Println("fired early")
	default:
		fmt.Println("not yet")
	}
	clock.Advance(time.Second)
	fmt.Println("fired after", (<-timer).Sub(time.Time{}))
	// Output:
	// not yet
	// fired after 1m0s
}
