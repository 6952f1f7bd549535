// Package inbox is chapter 5's deduplicating consumer. Kafka and the outbox
// relay deliver at least once, so a consumer sees some messages twice; the
// inbox records each message id in the same transaction as the message's
// effect, under a unique key, so a redelivered message finds its id taken
// and changes nothing. Recording the id in another transaction than the
// effect would not do: a crash between the two either loses the effect (id
// first) or applies it twice (effect first).
//
// Python's twinbook.inbox has the same concepts under the same names.
package inbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"twinbook/store"
)

// ErrNoMessageID is what a message without an id gets: it could not be
// deduplicated, so it is refused rather than applied blindly.
var ErrNoMessageID = errors.New("inbox: message has no id")

// ErrNoConsumer is what an empty consumer name gets: ids are kept per
// consumer, so that two consumers of one message each apply it once.
var ErrNoConsumer = errors.New("inbox: no consumer name")

var schema = map[store.Dialect][]string{
	store.SQLite: {`CREATE TABLE IF NOT EXISTS inbox (
		consumer TEXT NOT NULL,
		message_id TEXT NOT NULL,
		received_ms INTEGER NOT NULL,
		PRIMARY KEY (consumer, message_id))`},
	store.Postgres: {
		`SELECT pg_advisory_xact_lock(5051)`, // concurrent CREATE ... IF NOT EXISTS can still collide
		`CREATE TABLE IF NOT EXISTS inbox (
		consumer TEXT NOT NULL,
		message_id TEXT NOT NULL,
		received_ms BIGINT NOT NULL,
		PRIMARY KEY (consumer, message_id))`},
}

// Migrate creates the inbox table when it does not exist.
func Migrate(ctx context.Context, db *store.DB) error {
	stmts, ok := schema[db.Dialect()]
	if !ok {
		return fmt.Errorf("inbox: no schema for dialect %q", db.Dialect())
	}
	return db.InTx(ctx, func(tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("inbox: migrate: %w", err)
			}
		}
		return nil
	})
}

// docs:start inbox-handle

// Handle records messageID for consumer inside tx, the transaction that
// applies the message's effect, and reports whether it is new. When it is
// not (the id is already there, committed), the caller must apply nothing.
// Two transactions handling the same id at once cannot both see it new: the
// second waits on the first's key and finds it taken once the first commits
// (or takes it, if the first rolled back).
func Handle(ctx context.Context, tx *sql.Tx, messageID, consumer string) (bool, error) {
	switch {
	case messageID == "":
		return false, ErrNoMessageID
	case consumer == "":
		return false, ErrNoConsumer
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO inbox
		(consumer, message_id, received_ms) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, consumer, messageID, time.Now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("inbox: record %s: %w", messageID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("inbox: record %s: %w", messageID, err)
	}
	return n == 1, nil
}

// docs:end inbox-handle

// Inbox is one consumer's inbox on a store, counting what it absorbed.
type Inbox struct {
	db       *store.DB
	consumer string

	applied, duplicates atomic.Int64
}

// New returns consumer's inbox on db (Migrate first).
func New(db *store.DB, consumer string) *Inbox {
	return &Inbox{db: db, consumer: consumer}
}

// docs:start inbox-process

// Process applies a message once: in one transaction it records messageID
// and, if the id is new, runs effect. It reports whether effect ran. An
// error from effect rolls back the id too, so a later delivery retries it.
func (in *Inbox) Process(
	ctx context.Context, messageID string, effect func(tx *sql.Tx) error,
) (bool, error) {
	var fresh bool
	err := in.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		fresh, err = Handle(ctx, tx, messageID, in.consumer)
		if err != nil || !fresh {
			return err
		}
		return effect(tx)
	})
	switch {
	case err != nil:
		return false, err
	case fresh:
		in.applied.Add(1)
	default:
		in.duplicates.Add(1)
	}
	return fresh, nil
}

// docs:end inbox-process

// Duplicates is how many redelivered messages this Inbox absorbed (the
// metric "duplicates absorbed").
func (in *Inbox) Duplicates() int64 { return in.duplicates.Load() }

// Applied is how many messages this Inbox applied.
func (in *Inbox) Applied() int64 { return in.applied.Load() }

// Seen is how many message ids consumer's inbox holds in db, across
// processes and restarts.
func Seen(ctx context.Context, db *store.DB, consumer string) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM inbox WHERE consumer = ?`), consumer).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("inbox: count: %w", err)
	}
	return n, nil
}
