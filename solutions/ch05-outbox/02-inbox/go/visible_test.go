// Visible tests for the inbox: run them with the check cell.
package main_test

import (
	. "answer"
	"fmt"
	"maps"
	"testing"
)

// inboxRun is the learner's Inbox over a test database (the chapter's obDB: rows, one writer
// at a time, all or nothing); a panic of the learner's code is a test failure naming the call.
type inboxRun struct {
	t     *testing.T
	db    *obDB
	inbox *Inbox
}

func newInboxRun(t *testing.T, db *obDB, retentionMS int64) *inboxRun {
	t.Helper()
	var inbox *Inbox
	obCall(t, fmt.Sprintf("NewInbox(inTx, %d)", retentionMS), func() { inbox = NewInbox(db.inTx, retentionMS) })
	if inbox == nil {
		t.Fatalf("NewInbox(inTx, %d) returned nil", retentionMS)
	}
	return &inboxRun{t: t, db: db, inbox: inbox}
}

func (r *inboxRun) deliver(now int64, id string, e *obEffect) (applied bool, err error) {
	r.t.Helper()
	obCall(r.t, fmt.Sprintf("Deliver(%d, %q, effect)", now, id), func() {
		applied, err = r.inbox.Deliver(now, id, e.apply)
	})
	return applied, err
}

// expect checks that Deliver returns (want, nil).
func (r *inboxRun) expect(now int64, id string, e *obEffect, want bool, why string) {
	r.t.Helper()
	if got, err := r.deliver(now, id, e); got != want || err != nil {
		r.t.Fatalf("Deliver(%d, %q, effect) returned (%v, %v), want (%v, nil): %s", now, id, got, err, want, why)
	}
}

func (r *inboxRun) prune(now int64) (n int, err error) {
	r.t.Helper()
	obCall(r.t, fmt.Sprintf("Prune(%d)", now), func() { n, err = r.inbox.Prune(now) })
	return n, err
}

func (r *inboxRun) expectPrune(now int64, want int, why string) {
	r.t.Helper()
	if got, err := r.prune(now); got != want || err != nil {
		r.t.Fatalf("Prune(%d) returned (%d, %v), want (%d, nil): %s", now, got, err, want, why)
	}
}

// expectRows checks the database's rows.
func (r *inboxRun) expectRows(want map[string]int64, why string) {
	r.t.Helper()
	if got := r.db.snapshot(); !maps.Equal(got, want) {
		r.t.Fatalf("the rows are %s, want %s: %s", obShow(got), obShow(want), why)
	}
}

func credit(db *obDB) *obEffect { return &obEffect{db: db, account: "balance", amount: 10} }

func TestAMessageIsAppliedOnce(t *testing.T) {
	db := newObDB(nil, 0)
	r := newInboxRun(t, db, 1000)
	r.expect(5, "m1", credit(db), true, "m1 is new: Deliver applies it")
	r.expect(6, "m1", credit(db), false, "m1 again: a duplicate")
	r.expectRows(map[string]int64{"balance": 10, "inbox:m1": 5},
		"the effect once, and m1's row with the time it was applied")
}

func TestTheEffectAndTheIDCommitTogether(t *testing.T) {
	db := newObDB(map[string]int64{"balance": 100}, 0)
	r := newInboxRun(t, db, 1000)
	e := credit(db)
	r.expect(0, "m1", e, true, "m1 is new")
	if e.outside != 0 {
		t.Fatalf("the effect ran outside a transaction: run it inside InTx")
	}
	want := map[string]int64{"balance": 110, "inbox:m1": 0}
	if len(db.commits) != 1 || !maps.Equal(db.commits[0], want) {
		t.Fatalf("the commits were %v: want one transaction that writes both the effect and the id %s, "+
			"so that a crash cannot keep one without the other", db.commits, obShow(want))
	}
}

func TestAFailedEffectCommitsNothingAndIsRetried(t *testing.T) {
	db := newObDB(map[string]int64{"balance": 100}, 0)
	r := newInboxRun(t, db, 1000)
	bad := credit(db)
	bad.fail = true
	if got, err := r.deliver(0, "m1", bad); got || !obIsError(err, errEffectFailed) {
		t.Fatalf("Deliver with a failing effect returned (%v, %v): want (false, the effect's error)", got, err)
	}
	r.expectRows(map[string]int64{"balance": 100}, "a failed effect writes nothing, the id neither")
	r.expect(1, "m1", credit(db), true, "the redelivered m1 is applied")
	r.expectRows(map[string]int64{"balance": 110, "inbox:m1": 1}, "m1 applied once")
}

func TestAnEmptyIDIsRefused(t *testing.T) {
	db := newObDB(nil, 0)
	r := newInboxRun(t, db, 1000)
	e := credit(db)
	if got, err := r.deliver(0, "", e); got || !obIsError(err, ErrNoID) {
		t.Fatalf(`Deliver(0, "", effect) returned (%v, %v): want (false, ErrNoID)`, got, err)
	}
	if e.calls != 0 || len(db.commits) != 0 {
		t.Fatalf("a message without an id was applied (%d effect calls, %d commits)", e.calls, len(db.commits))
	}
}

func TestPruneForgetsOldIDs(t *testing.T) {
	db := newObDB(nil, 0)
	r := newInboxRun(t, db, 1000)
	r.expect(0, "m1", credit(db), true, "new")
	r.expect(500, "m2", credit(db), true, "new")
	r.expectPrune(1000, 1, "at 1000 ms, m1 (applied at 0, retention 1000) is forgotten")
	r.expectRows(map[string]int64{"balance": 20, "inbox:m2": 500}, "after Prune(1000)")
	r.expect(1001, "m1", credit(db), true, "m1 was forgotten: it is applied again")
}
