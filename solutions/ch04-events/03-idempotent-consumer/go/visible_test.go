// Visible tests for the idempotent consumer: run them with the check cell.
package main_test

import (
	. "answer"
	"fmt"
	"maps"
	"testing"
)

// run is the learner's Consumer as the tests drive it: a panic of the learner's code is a
// test failure that names the call.
type run struct {
	t *testing.T
	c *Consumer
}

func newRun(t *testing.T, window int) *run {
	t.Helper()
	var c *Consumer
	var err error
	wfCall(t, fmt.Sprintf("NewConsumer(%d)", window), func() { c, err = NewConsumer(window) })
	if err != nil || c == nil {
		t.Fatalf("NewConsumer(%d) returned (%v, %v): want a consumer and no error", window, c, err)
	}
	return &run{t: t, c: c}
}

func (r *run) handle(partition int32, offset int64, eventID string) (got bool) {
	r.t.Helper()
	wfCall(r.t, fmt.Sprintf("Handle(%d, %d, %q)", partition, offset, eventID), func() {
		got = r.c.Handle(partition, offset, eventID)
	})
	return got
}

// expect checks Handle against want; why is the rule that says so.
func (r *run) expect(partition int32, offset int64, eventID string, want bool, why string) {
	r.t.Helper()
	if got := r.handle(partition, offset, eventID); got != want {
		r.t.Fatalf("Handle(%d, %d, %q) is %v, want %v: %s", partition, offset, eventID, got, want, why)
	}
}

func (r *run) positions() (got map[int32]int64) {
	r.t.Helper()
	wfCall(r.t, "Positions()", func() { got = r.c.Positions() })
	return got
}

// expectPositions checks Positions against want (a nil map is an empty one).
func (r *run) expectPositions(want map[int32]int64, why string) {
	r.t.Helper()
	if got := r.positions(); !maps.Equal(got, want) {
		r.t.Fatalf("Positions() is %v, want %v: %s", got, want, why)
	}
}

func TestNewEventsAreAppliedAndPositionsAdvance(t *testing.T) {
	r := newRun(t, 10)
	for offset, event := range []string{"a", "b", "c"} {
		r.expect(0, int64(offset), event, true, "a new event at the next offset is applied")
	}
	r.expectPositions(map[int32]int64{0: 3}, "the offset after the last handled (the next one to read)")
}

func TestARedeliveredOffsetIsSkipped(t *testing.T) {
	r := newRun(t, 10)
	for offset, event := range []string{"a", "b", "c"} {
		r.handle(0, int64(offset), event)
	}
	for offset, event := range []string{"a", "b", "c"} {
		r.expect(0, int64(offset), event, false, "offset already handled: Kafka delivered it again")
	}
	r.expect(0, 3, "d", true, "offset 3 is new")
	r.expectPositions(map[int32]int64{0: 4}, "offsets 0 to 3 are handled")
}

func TestTheSameEventAtANewOffsetIsSkipped(t *testing.T) {
	r := newRun(t, 10)
	r.expect(0, 0, "order-1", true, "a new event")
	r.expect(0, 1, "order-1", false, "order-1 again at offset 1: a producer retried its send")
	r.expectPositions(map[int32]int64{0: 2}, "a skipped duplicate is handled too, so the position moves past it")
}

func TestTheWindowForgetsTheOldestEvent(t *testing.T) {
	r := newRun(t, 2)
	r.expect(0, 0, "a", true, "new")
	r.expect(0, 1, "b", true, "new")
	r.expect(0, 2, "c", true, "new: the window of 2 now holds b and c, and a is forgotten")
	r.expect(0, 3, "a", true, "a left the window of the last 2 events, so it counts as new")
	r.expect(0, 4, "c", false, "c is still in the window")
}

func TestPartitionsKeepTheirOwnPositions(t *testing.T) {
	r := newRun(t, 10)
	r.expect(0, 0, "a", true, "new")
	r.expect(1, 0, "b", true, "offset 0 of partition 1 is not offset 0 of partition 0")
	r.expect(1, 1, "c", true, "new")
	r.expect(0, 0, "a", false, "partition 0's offset 0 again")
	r.expectPositions(map[int32]int64{0: 1, 1: 2}, "each partition keeps its own position")
}
