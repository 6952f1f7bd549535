// wrong: looks for the id in one transaction and applies in another: two consumers that get the message at once both find it new and both apply it
package main

import (
	"errors"
	"strings"
)

// Prefix starts the inbox's rows: "inbox:<message id>" -> when it was applied (ms).
const Prefix = "inbox:"

// ErrNoID is Deliver's error for a message without an id.
var ErrNoID = errors.New("inbox: a message needs an id")

// InTx runs fn in a transaction of the database, whose rows are tx: one writer
// at a time, and everything fn writes is rolled back when fn returns an error
// (returned by InTx) or the commit fails (an error too).
type InTx func(fn func(tx map[string]int64) error) error

// Inbox is a deduplicating consumer: it applies each message's effect once. A
// broker delivers at least once, so a message can come twice, and two
// consumers can get the same message at once. The inbox records each applied
// message id in the same transaction as the message's effect: either both are
// committed or neither is. Many goroutines call it. The fields are a
// suggestion: change them as you like.
type Inbox struct {
	inTx      InTx
	retention int64
}

// NewInbox returns the inbox of the database that inTx writes; it remembers
// ids retentionMS.
func NewInbox(inTx InTx, retentionMS int64) *Inbox {
	return &Inbox{inTx: inTx, retention: retentionMS}
}

// Deliver applies effect unless messageID was applied: true if applied now.
// An error of effect or of the transaction is returned, and nothing of this
// delivery is committed.
func (in *Inbox) Deliver(now int64, messageID string, effect func(tx map[string]int64) error) (bool, error) {
	if messageID == "" {
		return false, ErrNoID
	}
	key := Prefix + messageID
	applied := false
	seen := false
	if err := in.inTx(func(tx map[string]int64) error {
		_, seen = tx[key]
		return nil
	}); err != nil || seen {
		return false, err
	}
	err := in.inTx(func(tx map[string]int64) error {
		if err := effect(tx); err != nil {
			return err
		}
		tx[key] = now
		applied = true
		return nil
	})
	if err != nil {
		return false, err
	}
	return applied, nil
}

// Prune forgets the ids applied retentionMS ago or earlier, and returns how
// many.
func (in *Inbox) Prune(now int64) (int, error) {
	removed := 0
	err := in.inTx(func(tx map[string]int64) error {
		for key, at := range tx {
			if strings.HasPrefix(key, Prefix) && now-at >= in.retention {
				delete(tx, key)
				removed++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return removed, nil
}
