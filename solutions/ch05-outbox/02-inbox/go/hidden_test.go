// Hidden tests for the inbox (instructors only).
package main_test

import (
	"fmt"
	"sync"
	"testing"
)

// deliverAtOnce delivers every id of ids from a goroutine of its own, all at once.
func deliverAtOnce(r *inboxRun, ids []string, e *obEffect) (applied []bool, errs []error) {
	applied, errs = make([]bool, len(ids)), make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("Deliver panicked: %v", p)
				}
			}()
			applied[i], errs[i] = r.inbox.Deliver(0, id, e.apply)
		}()
	}
	wg.Wait()
	return applied, errs
}

func TestHiddenManyGoroutinesDeliverOneMessageAtOnce(t *testing.T) {
	const n = 8
	db := newObDB(nil, n)
	r := newInboxRun(t, db, 1000)
	e := credit(db)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "m1"
	}
	applied, errs := deliverAtOnce(r, ids, e)
	count := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: Deliver returned %v", i, errs[i])
		}
		if applied[i] {
			count++
		}
	}
	if count != 1 || e.calls != 1 {
		t.Fatalf("%d goroutines delivered m1 at once: %d got true and the effect ran %d times; want 1 and 1: "+
			"check for a duplicate inside the transaction that applies the effect", n, count, e.calls)
	}
	r.expectRows(map[string]int64{"balance": 10, "inbox:m1": 0}, "m1 applied once")
}

func TestHiddenManyGoroutinesDeliverTheirOwnMessages(t *testing.T) {
	const n = 8
	db := newObDB(nil, n)
	r := newInboxRun(t, db, 1000)
	e := credit(db)
	ids := make([]string, n)
	want := map[string]int64{"balance": 10 * n}
	for i := range ids {
		ids[i] = fmt.Sprintf("m%d", i)
		want["inbox:"+ids[i]] = 0
	}
	applied, errs := deliverAtOnce(r, ids, e)
	for i := range n {
		if !applied[i] || errs[i] != nil {
			t.Fatalf("goroutine %d: Deliver of its own message returned (%v, %v), want (true, nil)", i, applied[i], errs[i])
		}
	}
	r.expectRows(want, "every message applied once")
}

func TestHiddenAFailedCommitIsAnErrorAndAppliesNothing(t *testing.T) {
	db := newObDB(map[string]int64{"balance": 100}, 0)
	r := newInboxRun(t, db, 1000)
	db.failCommit = true
	if got, err := r.deliver(0, "m1", credit(db)); got || !obIsError(err, errCommitFailed) {
		t.Fatalf("Deliver when the commit fails returned (%v, %v): want (false, the commit's error)", got, err)
	}
	if n, err := r.prune(5000); n != 0 || !obIsError(err, errCommitFailed) {
		t.Fatalf("Prune when the commit fails returned (%d, %v): want (0, the commit's error)", n, err)
	}
	db.failCommit = false
	r.expectRows(map[string]int64{"balance": 100}, "nothing was committed")
	r.expect(1, "m1", credit(db), true, "m1 was never committed: it is new")
}

func TestHiddenPruneKeepsYoungIDsAndOtherRows(t *testing.T) {
	db := newObDB(map[string]int64{"balance": 0, "orders": 3}, 0)
	r := newInboxRun(t, db, 100)
	zero := &obEffect{db: db, account: "balance"}
	r.expect(0, "a", zero, true, "new")
	r.expect(1, "b", zero, true, "new")
	r.expectPrune(99, 0, "at 99 ms nothing is 100 ms old")
	r.expectPrune(100, 1, "at 100 ms, a (applied at 0) is exactly 100 ms old")
	r.expectRows(map[string]int64{"balance": 0, "orders": 3, "inbox:b": 1},
		"Prune removes old inbox rows only, never the data's")
	r.expect(2, "b", credit(db), false, "b is still remembered")
	r.expectPrune(1000, 1, "b is old now")
	r.expectPrune(1000, 0, "nothing is left to prune")
}
