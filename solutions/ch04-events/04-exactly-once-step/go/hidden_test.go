// Hidden tests for the exactly-once step (instructors only).
package main_test

import (
	"fmt"
	"testing"
)

func TestHiddenEpochsCountPerTransactionalID(t *testing.T) {
	r := newTxRun(t)
	got := []int{r.init("a"), r.init("b"), r.init("a"), r.init("a"), r.init("b")}
	if fmt.Sprint(got) != "[0 0 1 2 1]" {
		t.Fatalf("Init a, b, a, a, b returned %v: want [0 0 1 2 1]", got)
	}
}

func TestHiddenEveryCallWithAStaleOrUnknownEpochIsFenced(t *testing.T) {
	r := newTxRun(t)
	r.init("p")
	current := r.init("p")
	for _, c := range []struct {
		epoch int
		why   string
	}{{current - 1, "an older epoch"}, {current + 1, "an epoch p never had"}} {
		r.fenced(r.send("p", c.epoch, "x"), fmt.Sprintf("Send with epoch %d", c.epoch), c.why)
		r.fenced(r.sendOffset("p", c.epoch, 5), fmt.Sprintf("SendOffset with epoch %d", c.epoch), c.why)
		r.fenced(r.commit("p", c.epoch), fmt.Sprintf("Commit with epoch %d", c.epoch), c.why)
		r.fenced(r.abort("p", c.epoch), fmt.Sprintf("Abort with epoch %d", c.epoch), c.why)
	}
	r.fenced(r.send("nobody", 0, "x"), `Send("nobody", 0, "x")`, "a transactional id that never called Init")
	r.fenced(r.commit("nobody", 0), `Commit("nobody", 0)`, "a transactional id that never called Init")
	r.expectRead(nil, "a fenced call changes nothing")
	r.expectOffset(0, false, "a fenced call changes nothing")
}

func TestHiddenAFencedCallChangesNothing(t *testing.T) {
	r := newTxRun(t)
	old := r.init("p")
	e := r.init("p")
	r.ok(r.send("p", e, "kept"), "Send")
	r.ok(r.sendOffset("p", e, 3), "SendOffset 3")
	r.fenced(r.sendOffset("p", old, 99), "the zombie's SendOffset", "an older epoch")
	r.fenced(r.abort("p", old), "the zombie's Abort", "the zombie cannot abort the new transaction")
	r.ok(r.commit("p", e), "Commit")
	r.expectRead([]string{"kept"}, "the new producer's transaction is intact")
	r.expectOffset(3, true, "the new producer's offset, not the zombie's")
}

func TestHiddenInitAbortsWhatTheOldEpochLeftOpen(t *testing.T) {
	r := newTxRun(t)
	old := r.init("p")
	r.ok(r.send("p", old, "half-done"), "Send")
	r.ok(r.sendOffset("p", old, 7), "SendOffset 7")
	e := r.init("p")
	r.expectRead(nil, "the old epoch's records were aborted, and nothing is open any more")
	r.ok(r.commit("p", e), "Commit")
	r.expectOffset(0, false, "the aborted transaction's offset 7 must not be committed by the next one")
	r.expectRead(nil, "nothing was committed")
}

func TestHiddenInitLeavesOtherIDsAlone(t *testing.T) {
	r := newTxRun(t)
	q := r.init("q")
	r.ok(r.send("q", q, "q1"), "Send q1")
	r.init("p")
	r.init("p")
	r.ok(r.commit("q", q), "Commit q")
	r.expectRead([]string{"q1"}, "p's Init must not abort q's transaction")
}

func TestHiddenLogOrderNotCommitOrder(t *testing.T) {
	r := newTxRun(t)
	p, q := r.init("p"), r.init("q")
	r.ok(r.send("p", p, "p1"), "Send p1")
	r.ok(r.send("q", q, "q1"), "Send q1")
	r.ok(r.send("p", p, "p2"), "Send p2")
	r.ok(r.commit("p", p), "Commit p")
	r.expectRead([]string{"p1"}, "p2 is committed, but q1 before it is open")
	r.ok(r.commit("q", q), "Commit q")
	r.expectRead([]string{"p1", "q1", "p2"}, "records come in log order, not in commit order")
}

func TestHiddenAnAbortedTransactionReleasesWhatFollows(t *testing.T) {
	r := newTxRun(t)
	p, q := r.init("p"), r.init("q")
	r.ok(r.send("p", p, "p1"), "Send p1")
	r.ok(r.send("q", q, "q1"), "Send q1")
	r.ok(r.commit("q", q), "Commit q")
	r.ok(r.abort("p", p), "Abort p")
	r.expectRead([]string{"q1"}, "p1 was aborted, q1 stands")
}

func TestHiddenOffsetsOnlyMoveWhenATransactionCommits(t *testing.T) {
	r := newTxRun(t)
	e := r.init("p")
	r.ok(r.sendOffset("p", e, 5), "SendOffset 5")
	r.ok(r.commit("p", e), "Commit")
	r.ok(r.sendOffset("p", e, 9), "SendOffset 9")
	r.ok(r.abort("p", e), "Abort")
	r.expectOffset(5, true, "the aborted 9 never counts")
	r.ok(r.send("p", e, "no offset this time"), "Send")
	r.ok(r.commit("p", e), "Commit")
	r.expectOffset(5, true, "a commit without an offset keeps 5")
	r.ok(r.sendOffset("p", e, 12), "SendOffset 12")
	r.ok(r.sendOffset("p", e, 15), "SendOffset 15")
	r.ok(r.commit("p", e), "Commit")
	r.expectOffset(15, true, "the last offset sent counts")
}

func TestHiddenAnOffsetOf0IsCommittedToo(t *testing.T) {
	r := newTxRun(t)
	e := r.init("p")
	r.ok(r.sendOffset("p", e, 0), "SendOffset 0")
	r.ok(r.commit("p", e), "Commit")
	r.expectOffset(0, true, "0 is an offset like any other: committed")
}

func TestHiddenAConsumeTransformProduceLoopSurvivesACrash(t *testing.T) {
	inputs := []string{"a", "b", "c", "d", "e"}
	r := newTxRun(t)
	step := func(epoch int, start, end int64) {
		for offset := start; offset < end; offset++ {
			r.ok(r.send("app", epoch, fmt.Sprint(inputs[offset], "!")), "Send")
		}
		r.ok(r.sendOffset("app", epoch, end), "SendOffset")
	}
	first := r.init("app")
	step(first, 0, 2)
	r.ok(r.commit("app", first), "Commit")
	step(first, 2, 4)       // then the process dies before it commits
	second := r.init("app") // its replacement: the zombie's transaction is aborted
	var start int64
	wfCall(t, "CommittedOffset()", func() { start, _ = r.log.CommittedOffset() })
	if start != 2 {
		t.Fatalf("CommittedOffset() after the crash is %d, want 2", start)
	}
	step(second, start, 5)
	r.ok(r.commit("app", second), "Commit")
	r.fenced(r.commit("app", first), "the first process's Commit", "it wakes up a zombie")
	r.expectRead([]string{"a!", "b!", "c!", "d!", "e!"}, "each input transformed exactly once, in order")
	r.expectOffset(5, true, "every input consumed")
}
