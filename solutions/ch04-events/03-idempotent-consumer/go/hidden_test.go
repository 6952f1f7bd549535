// Hidden tests for the idempotent consumer (instructors only).
package main_test

import (
	. "answer"
	"fmt"
	"testing"
)

func TestHiddenAWindowBelowOneIsRefused(t *testing.T) {
	for _, window := range []int{0, -1} {
		var c *Consumer
		var err error
		wfCall(t, fmt.Sprintf("NewConsumer(%d)", window), func() { c, err = NewConsumer(window) })
		if err == nil || c != nil {
			t.Fatalf("NewConsumer(%d) returned (%v, %v): want nil and an error, a window holds at least 1 event", window, c, err)
		}
	}
	r := newRun(t, 1)
	r.expect(0, 0, "a", true, "a window of 1 is valid")
	r.expect(0, 1, "a", false, "it remembers the last event")
	r.expect(0, 2, "b", true, "new")
	r.expect(0, 3, "a", true, "a window of 1 holds only b now")
}

func TestHiddenExactlyWindowEventsAreRemembered(t *testing.T) {
	r := newRun(t, 3)
	for offset, event := range []string{"a", "b", "c"} {
		r.expect(0, int64(offset), event, true, "new")
	}
	r.expect(0, 3, "a", false, "a is one of the last 3 events")
	r.expect(0, 4, "d", true, "new: a leaves the window")
	r.expect(0, 5, "b", false, "b is still one of the last 3 applied: b, c and d")
	r.expect(0, 6, "e", true, "new: b leaves the window")
	r.expect(0, 7, "b", true, "b has left the window: it counts as new")
}

func TestHiddenASkippedDuplicateDoesNotRefreshTheWindow(t *testing.T) {
	r := newRun(t, 3)
	for offset, event := range []string{"a", "b", "c"} {
		r.handle(0, int64(offset), event)
	}
	r.expect(0, 3, "a", false, "a is in the window")
	r.expect(0, 4, "d", true, "new: the window holds the last 3 applied, b, c and d")
	r.expect(0, 5, "a", true, "a was applied first of all; seeing it again skipped did not make it recent")
	r.expect(0, 6, "b", true, "the window is now c, d and a")
	r.expect(0, 7, "d", false, "d is still in the window")
}

func TestHiddenOffsetsMayHaveGaps(t *testing.T) {
	r := newRun(t, 10)
	r.expect(0, 5, "a", true, "a partition's first record may be at any offset")
	r.expect(0, 9, "b", true, "offsets 6 to 8 are gone (compaction, transaction markers)")
	r.expectPositions(map[int32]int64{0: 10}, "the offset after 9")
	r.expect(0, 7, "c", false, "offset 7 is before the position 10: a redelivery")
	r.expect(0, 9, "x", false, "offset 9 again, whatever its event id")
	r.expectPositions(map[int32]int64{0: 10}, "a redelivered record never moves the position back")
}

func TestHiddenARedeliveredOffsetIsSkippedWhateverItsEvent(t *testing.T) {
	r := newRun(t, 1)
	for offset, event := range []string{"a", "b", "c", "d"} {
		r.handle(2, int64(offset), event)
	}
	r.expect(2, 0, "a", false, "a left the window, but offset 0 of partition 2 was handled")
	r.expect(2, 3, "zzz", false, "offset 3 was handled: the offset decides, not the id")
	r.expect(2, 4, "d", false, "offset 4 is new, but d is the last event applied")
}

func TestHiddenEventIDsAreSharedAcrossPartitions(t *testing.T) {
	r := newRun(t, 10)
	r.expect(0, 0, "order-7", true, "new")
	r.expect(3, 0, "order-7", false, "the same event, written again to another partition")
	r.expectPositions(map[int32]int64{0: 1, 3: 1}, "both partitions handled offset 0")
}

func TestHiddenPositionsIsACopy(t *testing.T) {
	r := newRun(t, 10)
	r.handle(0, 0, "a")
	if p := r.positions(); p != nil {
		p[0] = 0
	}
	r.expectPositions(map[int32]int64{0: 1}, "changing the map Positions returned must not change the consumer")
	r.expect(0, 0, "a", false, "offset 0 was handled, whatever the caller did with Positions()")
	newRun(t, 5).expectPositions(map[int32]int64{}, "a new consumer has no positions")
}

func TestHiddenSurvivesACrashAndARetriedSend(t *testing.T) {
	// A partition's log: order-3 was sent twice by a retrying producer (offsets 3 and 4).
	log := []string{"order-1", "order-2", "order-3", "order-3", "order-4", "order-5", "order-6"}
	r := newRun(t, 100)
	var applied []string
	var committed int64
	// the consumer handles offsets 0 to 4, commits after offset 2 only, and crashes: Kafka
	// delivers again from the committed position, 3; the bookkeeping, kept with the data, survived
	for offset := range int64(5) {
		if r.handle(0, offset, log[offset]) {
			applied = append(applied, log[offset])
		}
		if offset == 2 {
			committed = r.positions()[0]
		}
	}
	if committed != 3 {
		t.Fatalf("Positions()[0] after offset 2 is %d, want 3", committed)
	}
	for offset := committed; offset < int64(len(log)); offset++ {
		if r.handle(0, offset, log[offset]) {
			applied = append(applied, log[offset])
		}
	}
	want := fmt.Sprint([]string{"order-1", "order-2", "order-3", "order-4", "order-5", "order-6"})
	if fmt.Sprint(applied) != want {
		t.Fatalf("the events applied are %v: want each once, in order, %s, whatever was delivered twice", applied, want)
	}
	r.expectPositions(map[int32]int64{0: 7}, "every offset of the log is handled")
}
