// Visible tests for the outbox relay's batch: run them with the check cell.
package main_test

import (
	. "answer"
	"fmt"
	"slices"
	"testing"
)

func row(id int64, aggregate string, attempts int) Row {
	return Row{ID: id, Aggregate: aggregate, Payload: fmt.Sprintf("event %d", id), Attempts: attempts}
}

// broker acknowledges every row but those whose id is in refuse; it logs the ids it was given.
type broker struct {
	refuse map[int64]bool
	log    []int64
}

func newBroker(refuse ...int64) *broker {
	b := &broker{refuse: map[int64]bool{}}
	for _, id := range refuse {
		b.refuse[id] = true
	}
	return b
}

func (b *broker) publish(r Row) bool {
	b.log = append(b.log, r.ID)
	return !b.refuse[r.ID]
}

// relay calls RelayBatch on a copy of outbox; a panic or an error fails the test naming the call.
func relay(t *testing.T, outbox []Row, b *broker, limit, maxAttempts int) (batch Batch) {
	t.Helper()
	what := fmt.Sprintf("RelayBatch(<%d rows>, publish, %d, %d)", len(outbox), limit, maxAttempts)
	var err error
	obCall(t, what, func() { batch, err = RelayBatch(slices.Clone(outbox), b.publish, limit, maxAttempts) })
	if err != nil {
		t.Fatalf("%s returned the error %v", what, err)
	}
	return batch
}

func ids(rows []Row) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

// same compares slices, nil and empty alike.
func same[T comparable](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b))
}

func TestAcknowledgedRowsArePublishedAndDeleted(t *testing.T) {
	got := relay(t, []Row{row(1, "order-1", 0), row(2, "order-2", 0)}, newBroker(), 10, 3)
	if !same(got.Published, []int64{1, 2}) || len(got.Kept) != 0 || len(got.Parked) != 0 {
		t.Fatalf("got %+v: every row was acknowledged, so every row is published, in id order, and none is kept", got)
	}
}

func TestARefusedRowStaysWithOneMoreAttempt(t *testing.T) {
	got := relay(t, []Row{row(1, "order-1", 0), row(2, "order-2", 0)}, newBroker(1), 10, 3)
	if !same(got.Kept, []Row{row(1, "order-1", 1)}) || !same(got.Published, []int64{2}) || len(got.Parked) != 0 {
		t.Fatalf("got %+v: row 1 was not acknowledged, so it stays with Attempts 1; row 2 (another aggregate) is published", got)
	}
}

func TestARefusedRowBlocksTheRestOfItsAggregate(t *testing.T) {
	b := newBroker(1)
	got := relay(t, []Row{row(1, "order-1", 0), row(2, "order-1", 0), row(3, "order-2", 0)}, b, 10, 3)
	if !same(b.log, []int64{1, 3}) || !same(got.Published, []int64{3}) {
		t.Fatalf("the broker was given %v: row 2 must wait for row 1, its aggregate's earlier event, or it would overtake it", b.log)
	}
	if want := []Row{row(1, "order-1", 1), row(2, "order-1", 0)}; !same(got.Kept, want) {
		t.Fatalf("Kept is %+v, want %+v: row 1 (one attempt more) and row 2 (not tried), in id order", got.Kept, want)
	}
}

func TestAtMostLimitRowsAreTried(t *testing.T) {
	outbox := []Row{}
	for i := range int64(5) {
		outbox = append(outbox, row(i+1, fmt.Sprintf("order-%d", i+1), 0))
	}
	b := newBroker()
	got := relay(t, outbox, b, 2, 3)
	if !same(b.log, []int64{1, 2}) || !same(got.Published, []int64{1, 2}) {
		t.Fatalf("with limit 2 the broker was given %v: want the 2 oldest rows, [1 2]", b.log)
	}
	if !same(ids(got.Kept), []int64{3, 4, 5}) {
		t.Fatalf("Kept is %+v: the rest waits", got.Kept)
	}
}

func TestAPoisonRowIsParked(t *testing.T) {
	got := relay(t, []Row{row(1, "order-1", 2), row(2, "order-2", 0)}, newBroker(1), 10, 3)
	if !same(got.Parked, []Row{row(1, "order-1", 3)}) || len(got.Kept) != 0 || !same(got.Published, []int64{2}) {
		t.Fatalf("got %+v: row 1 failed its third attempt of 3, so it is parked, out of the outbox", got)
	}
}
