package saga

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"twinbook/store"
)

// Schema is the SQL StoreLog creates, the same on SQLite and PostgreSQL:
// one row per saga (where it is) and its log (every attempt's start and
// result, in order). `created_ns` orders Resume's work oldest first.
const Schema = `
CREATE TABLE IF NOT EXISTS sagas (
	id         TEXT PRIMARY KEY,
	definition TEXT NOT NULL,
	state      TEXT NOT NULL,
	step       INTEGER NOT NULL,
	failures   INTEGER NOT NULL,
	created_ns BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sagas_unfinished ON sagas (definition, state);
CREATE TABLE IF NOT EXISTS saga_log (
	saga_id TEXT NOT NULL REFERENCES sagas (id),
	seq     INTEGER NOT NULL,
	step    TEXT NOT NULL,
	kind    TEXT NOT NULL,
	result  TEXT NOT NULL,
	PRIMARY KEY (saga_id, seq)
);`

// StoreLog is a Log in a store.DB: each method is one transaction, so a
// crash leaves either the whole transition or none of it.
type StoreLog struct {
	db *store.DB
}

// NewStoreLog creates the tables of Schema if they are missing and returns
// a StoreLog on db. Creating them is not safe from two processes at the
// same moment on PostgreSQL (CREATE TABLE IF NOT EXISTS can race); start
// one first.
func NewStoreLog(ctx context.Context, db *store.DB) (*StoreLog, error) {
	if _, err := db.ExecContext(ctx, Schema); err != nil {
		return nil, fmt.Errorf("saga: create tables: %w", err)
	}
	return &StoreLog{db: db}, nil
}

// Begin implements Log.
func (s *StoreLog) Begin(ctx context.Context, p Progress) (Progress, error) {
	var got Progress
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.db.Rebind(`
			INSERT INTO sagas (id, definition, state, step, failures, created_ns)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
			p.SagaID, p.Definition, string(p.State), p.Step, p.Failures, time.Now().UnixNano())
		if err != nil {
			return err
		}
		got, err = load(ctx, s.db, tx, p.SagaID)
		return err
	})
	if err != nil {
		return Progress{}, fmt.Errorf("saga: begin %q: %w", p.SagaID, err)
	}
	return got, nil
}

// Start implements Log.
func (s *StoreLog) Start(ctx context.Context, sagaID, step string, kind Kind) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		// Lock the saga's row first, as Finish does, so that the log's next
		// seq is read after any other writer of this saga committed: on
		// PostgreSQL a killed orchestrator's last COMMIT can land after its
		// successor started.
		lock := s.db.Rebind(`UPDATE sagas SET step = step WHERE id = ?`)
		if _, err := tx.ExecContext(ctx, lock, sagaID); err != nil {
			return fmt.Errorf("saga: lock %q: %w", sagaID, err)
		}
		if _, err := load(ctx, s.db, tx, sagaID); err != nil {
			return err
		}
		return s.append(ctx, tx, sagaID, step, kind, Started)
	})
}

// Finish implements Log.
func (s *StoreLog) Finish(ctx context.Context, sagaID, step string, kind Kind, result Result, next Progress) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE sagas SET state = ?, step = ?, failures = ? WHERE id = ?`),
			string(next.State), next.Step, next.Failures, sagaID)
		if err != nil {
			return fmt.Errorf("saga: finish %q: %w", sagaID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("%w: %q (%v)", ErrUnknownSaga, sagaID, err)
		}
		return s.append(ctx, tx, sagaID, step, kind, result)
	})
}

func (s *StoreLog) append(ctx context.Context, tx *sql.Tx, sagaID, step string, kind Kind, result Result) error {
	_, err := tx.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO saga_log (saga_id, seq, step, kind, result)
		SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM saga_log WHERE saga_id = ?`),
		sagaID, step, string(kind), string(result), sagaID)
	if err != nil {
		return fmt.Errorf("saga: log %q %s:%s %s: %w", sagaID, step, kind, result, err)
	}
	return nil
}

// Load implements Log.
func (s *StoreLog) Load(ctx context.Context, sagaID string) (Progress, error) {
	return load(ctx, s.db, s.db, sagaID)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func load(ctx context.Context, db *store.DB, q querier, sagaID string) (Progress, error) {
	p := Progress{SagaID: sagaID}
	var state string
	err := q.QueryRowContext(ctx, db.Rebind(`SELECT definition, state, step, failures FROM sagas WHERE id = ?`), sagaID).
		Scan(&p.Definition, &state, &p.Step, &p.Failures)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w: %q", ErrUnknownSaga, sagaID)
	}
	if err != nil {
		return p, fmt.Errorf("saga: load %q: %w", sagaID, err)
	}
	p.State = State(state)
	return p, nil
}

// Unfinished implements Log.
func (s *StoreLog) Unfinished(ctx context.Context, definition string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(`
		SELECT id FROM sagas WHERE definition = ? AND state IN (?, ?) ORDER BY created_ns, id`),
		definition, string(Running), string(Compensating))
	if err != nil {
		return nil, fmt.Errorf("saga: unfinished %s: %w", definition, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("saga: unfinished %s: %w", definition, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Entries implements Log.
func (s *StoreLog) Entries(ctx context.Context, sagaID string) ([]Entry, error) {
	if _, err := s.Load(ctx, sagaID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(`SELECT step, kind, result FROM saga_log WHERE saga_id = ? ORDER BY seq`), sagaID)
	if err != nil {
		return nil, fmt.Errorf("saga: entries %q: %w", sagaID, err)
	}
	defer rows.Close()
	var entries []Entry
	for rows.Next() {
		var e Entry
		var kind, result string
		if err := rows.Scan(&e.Step, &kind, &result); err != nil {
			return nil, fmt.Errorf("saga: entries %q: %w", sagaID, err)
		}
		e.Kind, e.Result = Kind(kind), Result(result)
		entries = append(entries, e)
	}
	return entries, rows.Err()
}
