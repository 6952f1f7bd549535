package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

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
	tx, err := db.BeginTx(ctx, nil)
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
