package idempotency

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"twinbook/store"
)

// Table is the table the store records live in.
const Table = "idempotency_keys"

// schema is the table, the same for Go and Python (twinbook.idempotency's
// StoreRecords): one row per scoped key, in progress (owner and lease_at
// set) or completed (status, body and stored_at set). Times are Unix
// milliseconds, the spec's unit, so expiry is an exact integer comparison.
func schema(d store.Dialect) string {
	blob := "BLOB"
	if d == store.Postgres {
		blob = "BYTEA"
	}
	return `CREATE TABLE IF NOT EXISTS ` + Table + ` (
	method       TEXT NOT NULL,
	path         TEXT NOT NULL,
	idem_key     TEXT NOT NULL,
	fingerprint  TEXT NOT NULL,
	state        TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
	owner        TEXT,
	lease_at     BIGINT NOT NULL,
	status       INTEGER,
	content_type TEXT,
	body         ` + blob + `,
	stored_at    BIGINT,
	PRIMARY KEY (method, path, idem_key)
)`
}

// SQL is [Records] in a store's table idempotency_keys, shared by every
// process that opens the same database. Begin runs in one transaction that
// inserts the mark or locks the existing row (FOR UPDATE on PostgreSQL;
// SQLite's single writer locks the whole database), so of many requests
// that begin one key at once, one is Acquired. Complete and Release compare
// the owner token in their WHERE clause: a request whose mark was taken
// over changes nothing.
type SQL struct {
	db *store.DB
	q  queries
}

type queries struct {
	insert, selectRow, takeOver, complete, release, purge string
}

// NewSQL returns the records in db, creating their table if it is missing.
func NewSQL(ctx context.Context, db *store.DB) (*SQL, error) {
	if _, err := db.ExecContext(ctx, schema(db.Dialect())); err != nil {
		return nil, fmt.Errorf("%w: creating table %s: %w", ErrRecords, Table, err)
	}
	forUpdate := ""
	if db.Dialect() == store.Postgres {
		forUpdate = " FOR UPDATE"
	}
	const where = ` WHERE method = ? AND path = ? AND idem_key = ?`
	return &SQL{db: db, q: queries{
		insert: db.Rebind(`INSERT INTO ` + Table + ` (method, path, idem_key, fingerprint, state, owner, lease_at)
			VALUES (?, ?, ?, ?, 'in_progress', ?, ?) ON CONFLICT (method, path, idem_key) DO NOTHING`),
		selectRow: db.Rebind(`SELECT fingerprint, state, owner, lease_at, status, content_type, body, stored_at FROM ` +
			Table + where + forUpdate),
		takeOver: db.Rebind(`UPDATE ` + Table + ` SET fingerprint = ?, state = 'in_progress', owner = ?, lease_at = ?,
			status = NULL, content_type = NULL, body = NULL, stored_at = NULL` + where),
		complete: db.Rebind(`UPDATE ` + Table + ` SET state = 'completed', owner = NULL, status = ?, content_type = ?,
			body = ?, stored_at = ?` + where + ` AND state = 'in_progress' AND owner = ?`),
		release: db.Rebind(`DELETE FROM ` + Table + where + ` AND state = 'in_progress' AND owner = ?`),
		purge:   db.Rebind(`DELETE FROM ` + Table + ` WHERE state = 'completed' AND stored_at <= ?`),
	}}, nil
}

// errVanished: the row the INSERT collided with was deleted (released)
// before it could be read; Begin tries again.
var errVanished = errors.New("record vanished")

// Begin implements [Records].
func (s *SQL) Begin(ctx context.Context, sc Scope, fingerprint string, now time.Time, ttl, lease time.Duration) (Decision, error) {
	for range 5 {
		var d Decision
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			d, err = s.begin(ctx, tx, sc, fingerprint, now, ttl, lease)
			return err
		})
		if errors.Is(err, errVanished) {
			continue
		}
		if err != nil {
			return Decision{}, fmt.Errorf("%w: begin: %w", ErrRecords, err)
		}
		return d, nil
	}
	return Decision{}, fmt.Errorf("%w: begin: the record kept vanishing", ErrRecords)
}

func (s *SQL) begin(ctx context.Context, tx *sql.Tx, sc Scope, fingerprint string, now time.Time, ttl, lease time.Duration) (Decision, error) {
	token := newToken()
	res, err := tx.ExecContext(ctx, s.q.insert, sc.Method, sc.Path, sc.Key, fingerprint, token, now.UnixMilli())
	if err != nil {
		return Decision{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return Decision{}, err
	} else if n == 1 {
		return Decision{Verdict: Acquired, Token: token}, nil
	}
	var (
		fp, state        string
		owner, ctype     sql.NullString
		leaseAt          int64
		status, storedAt sql.NullInt64
		body             []byte
	)
	err = tx.QueryRowContext(ctx, s.q.selectRow, sc.Method, sc.Path, sc.Key).
		Scan(&fp, &state, &owner, &leaseAt, &status, &ctype, &body, &storedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Decision{}, errVanished
	}
	if err != nil {
		return Decision{}, err
	}
	switch {
	case state == "completed" && !expired(time.UnixMilli(storedAt.Int64), now, ttl):
		if fp != fingerprint {
			return Decision{Verdict: Mismatch}, nil
		}
		if body == nil {
			body = []byte{}
		}
		return Decision{Verdict: Replay, Response: Response{Status: int(status.Int64), ContentType: ctype.String, Body: body}}, nil
	case state == "in_progress" && !leaseRunOut(time.UnixMilli(leaseAt), now, lease):
		return Decision{Verdict: Conflict}, nil
	}
	if _, err := tx.ExecContext(ctx, s.q.takeOver, fingerprint, token, now.UnixMilli(), sc.Method, sc.Path, sc.Key); err != nil {
		return Decision{}, err
	}
	return Decision{Verdict: Acquired, Token: token}, nil
}

// Complete implements [Records].
func (s *SQL) Complete(ctx context.Context, sc Scope, token string, resp Response, now time.Time) (bool, error) {
	body := resp.Body
	if body == nil {
		body = []byte{}
	}
	return s.change(ctx, "complete", s.q.complete, resp.Status, resp.ContentType, body, now.UnixMilli(),
		sc.Method, sc.Path, sc.Key, token)
}

// Release implements [Records].
func (s *SQL) Release(ctx context.Context, sc Scope, token string) (bool, error) {
	return s.change(ctx, "release", s.q.release, sc.Method, sc.Path, sc.Key, token)
}

// change runs one guarded UPDATE or DELETE and reports whether it touched
// the row (it did not when another request's mark has replaced ours).
func (s *SQL) change(ctx context.Context, what, query string, args ...any) (bool, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("%w: %s: %w", ErrRecords, what, err)
	}
	return n == 1, nil
}

// Purge deletes the completed records that have expired at now (stored
// ttl or more ago) and returns how many. Expired records are already
// absent to the rules; a service calls Purge now and then (a cron, a
// ticker) so that the table does not grow for ever. Marks are kept: a
// request whose lease ran out may still store its answer.
func (s *SQL) Purge(ctx context.Context, now time.Time, ttl time.Duration) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.purge, now.Add(-ttl).UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%w: purge: %w", ErrRecords, err)
	}
	return n, nil
}
