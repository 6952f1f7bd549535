// Visible tests for the exactly-once step: run them with the check cell.
package main_test

import (
	. "answer"
	"fmt"
	"slices"
	"testing"
)

// txRun is the learner's TransactionLog as the tests drive it: a panic of the learner's code
// is a test failure that names the call.
type txRun struct {
	t   *testing.T
	log *TransactionLog
}

func newTxRun(t *testing.T) *txRun {
	t.Helper()
	var log *TransactionLog
	wfCall(t, "NewTransactionLog()", func() { log = NewTransactionLog() })
	if log == nil {
		t.Fatal("NewTransactionLog() returned nil")
	}
	return &txRun{t: t, log: log}
}

func (r *txRun) init(tid string) (epoch int) {
	r.t.Helper()
	wfCall(r.t, fmt.Sprintf("Init(%q)", tid), func() { epoch = r.log.Init(tid) })
	return epoch
}

// do runs one call that returns an error; what names it.
func (r *txRun) do(what string, f func() error) (err error) {
	r.t.Helper()
	wfCall(r.t, what, func() { err = f() })
	return err
}

func (r *txRun) send(tid string, epoch int, value string) error {
	r.t.Helper()
	return r.do(fmt.Sprintf("Send(%q, %d, %q)", tid, epoch, value), func() error { return r.log.Send(tid, epoch, value) })
}

func (r *txRun) sendOffset(tid string, epoch int, offset int64) error {
	r.t.Helper()
	return r.do(fmt.Sprintf("SendOffset(%q, %d, %d)", tid, epoch, offset), func() error { return r.log.SendOffset(tid, epoch, offset) })
}

func (r *txRun) commit(tid string, epoch int) error {
	r.t.Helper()
	return r.do(fmt.Sprintf("Commit(%q, %d)", tid, epoch), func() error { return r.log.Commit(tid, epoch) })
}

func (r *txRun) abort(tid string, epoch int) error {
	r.t.Helper()
	return r.do(fmt.Sprintf("Abort(%q, %d)", tid, epoch), func() error { return r.log.Abort(tid, epoch) })
}

// ok fails the test when a call returned an error.
func (r *txRun) ok(err error, what string) {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("%s returned %v: want it to succeed", what, err)
	}
}

// fenced fails the test unless a call returned an error wrapping ErrFenced.
func (r *txRun) fenced(err error, what, why string) {
	r.t.Helper()
	if !wfIsError(err, ErrFenced) {
		r.t.Fatalf("%s returned %v: want an error wrapping ErrFenced: %s", what, err, why)
	}
}

// expectRead checks ReadCommitted (nil and empty are the same: nothing to read).
func (r *txRun) expectRead(want []string, why string) {
	r.t.Helper()
	var got []string
	wfCall(r.t, "ReadCommitted()", func() { got = r.log.ReadCommitted() })
	if !slices.Equal(got, want) {
		r.t.Fatalf("ReadCommitted() is %q, want %q: %s", got, want, why)
	}
}

// expectOffset checks CommittedOffset; committed false means none yet.
func (r *txRun) expectOffset(want int64, committed bool, why string) {
	r.t.Helper()
	var got int64
	var ok bool
	wfCall(r.t, "CommittedOffset()", func() { got, ok = r.log.CommittedOffset() })
	if ok != committed || (committed && got != want) {
		r.t.Fatalf("CommittedOffset() is (%d, %v), want (%d, %v): %s", got, ok, want, committed, why)
	}
}

func TestACommittedTransactionIsReadWhole(t *testing.T) {
	r := newTxRun(t)
	e := r.init("p")
	r.ok(r.send("p", e, "a"), "Send a")
	r.ok(r.send("p", e, "b"), "Send b")
	r.expectRead(nil, "nothing is committed yet")
	r.ok(r.commit("p", e), "Commit")
	r.expectRead([]string{"a", "b"}, "the commit makes both visible, all at once")
}

func TestAnAbortedTransactionIsNeverRead(t *testing.T) {
	r := newTxRun(t)
	e := r.init("p")
	r.ok(r.send("p", e, "a"), "Send a")
	r.ok(r.abort("p", e), "Abort")
	r.ok(r.send("p", e, "b"), "Send b")
	r.ok(r.commit("p", e), "Commit")
	r.expectRead([]string{"b"}, "a was aborted, b committed after it")
}

func TestAnOpenTransactionHoldsBackWhatFollows(t *testing.T) {
	r := newTxRun(t)
	p, q := r.init("p"), r.init("q")
	r.ok(r.send("p", p, "p1"), "Send p1")
	r.ok(r.send("q", q, "q1"), "Send q1")
	r.ok(r.commit("q", q), "Commit q")
	r.expectRead(nil, "q1 is committed, but it comes after p1, whose transaction is still open "+
		"(a read_committed consumer stops there)")
	r.ok(r.commit("p", p), "Commit p")
	r.expectRead([]string{"p1", "q1"}, "both are committed now")
}

func TestTheOffsetCommitsWithTheTransaction(t *testing.T) {
	r := newTxRun(t)
	e := r.init("p")
	r.expectOffset(0, false, "no offset is committed at first")
	r.ok(r.send("p", e, "out-1"), "Send")
	r.ok(r.sendOffset("p", e, 10), "SendOffset 10")
	r.expectOffset(0, false, "the offset is part of the transaction, which is not committed yet")
	r.ok(r.commit("p", e), "Commit")
	r.expectOffset(10, true, "the commit commits the offset")
}

func TestAZombieIsFenced(t *testing.T) {
	r := newTxRun(t)
	old := r.init("p")
	r.ok(r.send("p", old, "from-the-zombie"), "Send")
	if e := r.init("p"); e != old+1 {
		t.Fatalf("Init(\"p\") again returned %d: want %d, the next epoch", e, old+1)
	}
	r.fenced(r.send("p", old, "late"), "Send with the old epoch", "an older epoch of p: the zombie is fenced off")
	r.fenced(r.commit("p", old), "Commit with the old epoch", "the zombie cannot commit either")
	r.ok(r.send("p", old+1, "from-the-new-one"), "Send")
	r.ok(r.commit("p", old+1), "Commit")
	r.expectRead([]string{"from-the-new-one"}, "the zombie's open transaction was aborted when the new producer called Init")
}
