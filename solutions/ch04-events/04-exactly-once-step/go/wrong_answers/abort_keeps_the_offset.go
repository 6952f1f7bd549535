// wrong: Abort drops the records but keeps the pending offset, which the next commit then commits
package main

import (
	"errors"
	"fmt"
)

// ErrFenced is the error of a producer whose epoch is not its transactional
// id's newest: a zombie.
var ErrFenced = errors.New("fenced: not the newest epoch of this transactional id")

// record is one record of the log and the state of its transaction.
type record struct {
	value, tid, state string // state: "open", "committed" or "aborted"
}

// TransactionLog is one partition's log and one consumer group's committed
// offset, written by transactional producers, as a Kafka broker keeps them.
// A producer calls Init once (it gets an epoch), then for each transaction:
// Send for its outputs, SendOffset for the input position it has consumed
// up to, and Commit or Abort. The fields are a suggestion: change them as
// you like.
type TransactionLog struct {
	log       []record
	epochs    map[string]int   // tid -> its newest epoch
	pending   map[string]int64 // tid -> the offset its open transaction will commit
	offset    int64            // the group's committed offset, when committed is true
	committed bool
}

// NewTransactionLog returns an empty log.
func NewTransactionLog() *TransactionLog {
	return &TransactionLog{epochs: map[string]int{}, pending: map[string]int64{}}
}

// Init registers a producer for tid and returns its new epoch (0, then 1,
// 2, ...). What an older epoch left open is aborted, and that producer is
// fenced.
func (l *TransactionLog) Init(tid string) int {
	epoch := 0
	if last, ok := l.epochs[tid]; ok {
		epoch = last + 1
	}
	l.epochs[tid] = epoch
	l.end(tid, "aborted")
	return epoch
}

// Send appends value to the log, inside tid's open transaction.
func (l *TransactionLog) Send(tid string, epoch int, value string) error {
	if err := l.check(tid, epoch); err != nil {
		return err
	}
	l.log = append(l.log, record{value: value, tid: tid, state: "open"})
	return nil
}

// SendOffset makes the group's offset offset if, and when, the transaction
// commits.
func (l *TransactionLog) SendOffset(tid string, epoch int, offset int64) error {
	if err := l.check(tid, epoch); err != nil {
		return err
	}
	l.pending[tid] = offset
	return nil
}

// Commit makes the transaction's records and offset visible, all at once.
func (l *TransactionLog) Commit(tid string, epoch int) error {
	if err := l.check(tid, epoch); err != nil {
		return err
	}
	if offset, ok := l.pending[tid]; ok {
		l.offset, l.committed = offset, true
	}
	l.end(tid, "committed")
	return nil
}

// Abort drops the transaction: its records are never read, its offset
// never committed.
func (l *TransactionLog) Abort(tid string, epoch int) error {
	if err := l.check(tid, epoch); err != nil {
		return err
	}
	for i := range l.log {
		if l.log[i].tid == tid && l.log[i].state == "open" {
			l.log[i].state = "aborted"
		}
	}
	return nil
}

// ReadCommitted returns what a read_committed consumer reads: the values of
// committed records, in log order, up to the first record of a transaction
// still open.
func (l *TransactionLog) ReadCommitted() []string {
	var values []string
	for _, r := range l.log {
		if r.state == "open" {
			break // the last stable offset: nothing after it is decided yet
		}
		if r.state == "committed" {
			values = append(values, r.value)
		}
	}
	return values
}

// CommittedOffset returns the group's committed offset, and false before the
// first commit with one.
func (l *TransactionLog) CommittedOffset() (int64, bool) {
	return l.offset, l.committed
}

// check returns an error wrapping ErrFenced unless epoch is tid's newest.
func (l *TransactionLog) check(tid string, epoch int) error {
	if newest, ok := l.epochs[tid]; !ok || epoch != newest {
		return fmt.Errorf("%w: %s epoch %d", ErrFenced, tid, epoch)
	}
	return nil
}

// end ends tid's open transaction, if any: its records take state.
func (l *TransactionLog) end(tid, state string) {
	for i := range l.log {
		if l.log[i].tid == tid && l.log[i].state == "open" {
			l.log[i].state = state
		}
	}
	delete(l.pending, tid)
}
