package outbox

import (
	"context"
	"database/sql"
	"fmt"

	"twinbook/store"
)

// The tables, per dialect. On PostgreSQL every row also records the id of
// the transaction that wrote it (txid, watermill-sql's way): see claimSQL in
// relay.go for why.
var schema = map[store.Dialect][]string{
	store.SQLite: {
		`CREATE TABLE IF NOT EXISTS outbox (
			seq INTEGER PRIMARY KEY AUTOINCREMENT,
			event_id TEXT NOT NULL UNIQUE,
			aggregate TEXT NOT NULL,
			topic TEXT NOT NULL,
			type TEXT NOT NULL,
			payload BLOB NOT NULL,
			headers TEXT NOT NULL,
			created_ms INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS outbox_parked (
			seq INTEGER PRIMARY KEY,
			event_id TEXT, aggregate TEXT, topic TEXT, type TEXT,
			payload BLOB, headers TEXT, created_ms INTEGER,
			error TEXT NOT NULL,
			parked_ms INTEGER NOT NULL)`,
	},
	store.Postgres: {
		`SELECT pg_advisory_xact_lock(5050)`, // concurrent CREATE ... IF NOT EXISTS can still collide
		`CREATE TABLE IF NOT EXISTS outbox (
			seq BIGSERIAL PRIMARY KEY,
			event_id TEXT NOT NULL UNIQUE,
			aggregate TEXT NOT NULL,
			topic TEXT NOT NULL,
			type TEXT NOT NULL,
			payload BYTEA NOT NULL,
			headers TEXT NOT NULL,
			created_ms BIGINT NOT NULL,
			txid xid8 NOT NULL DEFAULT pg_current_xact_id())`,
		`CREATE INDEX IF NOT EXISTS outbox_txid_seq ON outbox (txid, seq)`,
		`CREATE TABLE IF NOT EXISTS outbox_parked (
			seq BIGINT PRIMARY KEY,
			event_id TEXT, aggregate TEXT, topic TEXT, type TEXT,
			payload BYTEA, headers TEXT, created_ms BIGINT,
			error TEXT NOT NULL,
			parked_ms BIGINT NOT NULL)`,
	},
}

// Migrate creates the outbox tables when they do not exist; it is safe to
// call from many processes at once.
func Migrate(ctx context.Context, db *store.DB) error {
	stmts, ok := schema[db.Dialect()]
	if !ok {
		return fmt.Errorf("outbox: no schema for dialect %q", db.Dialect())
	}
	return db.InTx(ctx, func(tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("outbox: migrate: %w", err)
			}
		}
		return nil
	})
}
