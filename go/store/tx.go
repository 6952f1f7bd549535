package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// beginAttempts bounds how many pooled connections BEGIN tries when the
// server has dropped them (database/sql keeps up to 2 idle ones by default).
const beginAttempts = 4

// InTx runs fn in a transaction: it commits when fn returns nil and rolls
// back when fn returns an error (returned as is, so errors.Is sees it) or
// panics (the panic then goes on). On SQLite the transaction is BEGIN
// IMMEDIATE: it holds the database's one write lock from its first
// statement, and the transactions of this process wait their turn for it.
//
// fn must use tx, not db: on SQLite a statement on db inside fn would wait
// for the lock fn holds. fn may run again only if the caller calls InTx again;
// InTx itself never retries.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	unlock, err := db.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) && err != nil {
			err = errors.Join(err, fmt.Errorf("store: rollback: %w", rerr))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// begin starts a transaction. A PostgreSQL server that was restarted (or
// that terminated the backends) has dropped the pool's idle connections, and
// the first statement on each reports it (57P01 "terminating connection");
// nothing of the transaction has run yet, so BEGIN goes on to the next
// connection, which database/sql opens anew once the dead ones are gone.
func (db *DB) begin(ctx context.Context) (*sql.Tx, error) {
	var err error
	for range beginAttempts {
		var tx *sql.Tx
		if tx, err = db.BeginTx(ctx, nil); err == nil {
			return tx, nil
		}
		if db.dialect != Postgres || ctx.Err() != nil || !connectionLost(err) {
			return nil, err
		}
	}
	return nil, err
}

// connectionLost tells whether err says the connection is gone (as opposed
// to a statement the server refused).
func connectionLost(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || pgconn.SafeToRetry(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// class 08: connection exception; 57P01-57P03: admin shutdown, crash
		// shutdown, cannot connect now
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P0")
	}
	return false
}
