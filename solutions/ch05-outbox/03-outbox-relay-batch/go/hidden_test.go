// Hidden tests for the outbox relay's batch (instructors only).
package main_test

import (
	. "answer"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestHiddenBadLimitsAreRefused(t *testing.T) {
	for _, c := range [][2]int{{0, 3}, {-1, 3}, {3, 0}, {3, -1}} {
		var err error
		obCall(t, fmt.Sprintf("RelayBatch(rows, publish, %d, %d)", c[0], c[1]), func() {
			_, err = RelayBatch([]Row{row(1, "a", 0)}, newBroker().publish, c[0], c[1])
		})
		if !obIsError(err, ErrBadConfig) {
			t.Fatalf("limit %d, maxAttempts %d returned the error %v: want ErrBadConfig", c[0], c[1], err)
		}
	}
	got := relay(t, []Row{row(1, "a", 0), row(2, "b", 0)}, newBroker(), 1, 1)
	if !same(got.Published, []int64{1}) || !same(ids(got.Kept), []int64{2}) {
		t.Fatalf("limit 1 is valid: one row is tried; got %+v", got)
	}
	got = relay(t, []Row{row(1, "a", 0)}, newBroker(1), 1, 1)
	if !same(got.Parked, []Row{row(1, "a", 1)}) {
		t.Fatalf("maxAttempts 1: the first failure parks the row; got %+v", got)
	}
}

func TestHiddenRowsAreTakenInIDOrderAndLeftUnchanged(t *testing.T) {
	outbox := []Row{row(3, "a", 0), row(1, "a", 0), row(2, "b", 0)}
	b := newBroker(3)
	got := relay(t, outbox, b, 10, 3)
	if !same(b.log, []int64{1, 2, 3}) || !same(got.Published, []int64{1, 2}) {
		t.Fatalf("the broker got %v: want the rows in id order, [1 2 3]", b.log)
	}
	if !same(got.Kept, []Row{row(3, "a", 1)}) {
		t.Fatalf("Kept is %+v", got.Kept)
	}
	given, before := slices.Clone(outbox), slices.Clone(outbox)
	obCall(t, "RelayBatch(...)", func() { _, _ = RelayBatch(given, newBroker(3).publish, 10, 3) })
	if !slices.Equal(given, before) {
		t.Fatalf("RelayBatch changed the caller's slice to %+v: work on a copy", given)
	}
}

func TestHiddenSkippedRowsDoNotCountTowardTheLimit(t *testing.T) {
	b := newBroker(1)
	got := relay(t, []Row{row(1, "a", 0), row(2, "a", 0), row(3, "a", 0), row(4, "b", 0), row(5, "c", 0)}, b, 2, 3)
	if !same(b.log, []int64{1, 4}) || !same(got.Published, []int64{4}) {
		t.Fatalf("limit 2: the broker got %v, want [1 4] (rows 2 and 3 wait behind row 1 without using the limit)", b.log)
	}
	if !same(ids(got.Kept), []int64{1, 2, 3, 5}) {
		t.Fatalf("Kept is %+v", got.Kept)
	}
}

func TestHiddenParkedAtExactlyMaxAttempts(t *testing.T) {
	got := relay(t, []Row{row(1, "a", 1), row(2, "b", 2)}, newBroker(1, 2), 10, 3)
	if !same(got.Kept, []Row{row(1, "a", 2)}) || !same(got.Parked, []Row{row(2, "b", 3)}) {
		t.Fatalf("got %+v: a row is parked when its attempts reach maxAttempts", got)
	}
}

// TestHiddenAFlakyBrokerOverManyPasses runs passes until the outbox is empty: every row is
// published once or parked, and each aggregate's published rows keep their id order.
func TestHiddenAFlakyBrokerOverManyPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var outbox []Row
	aggregate := map[int64]string{}
	for i := range int64(40) {
		r := row(i+1, fmt.Sprintf("order-%d", rng.IntN(4)), 0)
		outbox = append(outbox, r)
		aggregate[r.ID] = r.Aggregate
	}
	poison := []int64{7, 23}
	var published, parked []int64
	for range 200 {
		if len(outbox) == 0 {
			break
		}
		b := newBroker(poison...)
		for _, r := range outbox {
			if r.Attempts < 2 && rng.Float64() < 0.3 { // only the poison rows reach 4 attempts
				b.refuse[r.ID] = true
			}
		}
		got := relay(t, outbox, b, 5, 4)
		published = append(published, got.Published...)
		parked = append(parked, ids(got.Parked)...)
		outbox = got.Kept
	}
	if len(outbox) != 0 {
		t.Fatalf("200 passes left %d rows", len(outbox))
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(published), parked...)))
	for i, id := range all {
		if len(all) != 40 || id != int64(i+1) {
			t.Fatalf("published %v and parked %v: want every row once", published, parked)
		}
	}
	if !same(slices.Sorted(slices.Values(parked)), poison) {
		t.Fatalf("parked %v, want the poison rows %v", parked, poison)
	}
	for _, name := range []string{"order-0", "order-1", "order-2", "order-3"} {
		var mine []int64
		for _, id := range published {
			if aggregate[id] == name {
				mine = append(mine, id)
			}
		}
		if !slices.IsSorted(mine) {
			t.Fatalf("%s's rows were published in the order %v", name, mine)
		}
	}
}
