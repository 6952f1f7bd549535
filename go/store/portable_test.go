package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"testing"

	"twinbook/store/storetest"
)

// TestPortableSQL: the SQL the chapter relies on runs on both stores:
// BIGINT, TEXT and BYTEA columns (SQLite takes PostgreSQL's type names),
// INSERT ... ON CONFLICT DO NOTHING with its row count, RETURNING.
func TestPortableSQL(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	const big = int64(1) << 40
	body := []byte("\x00\xffbytes")
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE records (key TEXT PRIMARY KEY, at_ms BIGINT NOT NULL, body BYTEA)"); err != nil {
			return err
		}
		insert := db.Rebind("INSERT INTO records (key, at_ms, body) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
		for _, tt := range []struct {
			at   int64
			body []byte
			rows int64
		}{{big, body, 1}, {1, []byte("other"), 0}} {
			res, err := tx.ExecContext(ctx, insert, "k", tt.at, tt.body)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != tt.rows {
				t.Errorf("insert of at_ms=%d: %d rows (%v), want %d", tt.at, n, err, tt.rows)
			}
		}
		var at int64
		if err := tx.QueryRowContext(ctx, db.Rebind("UPDATE records SET at_ms = at_ms + ? WHERE key = ? RETURNING at_ms"), 1, "k").Scan(&at); err != nil {
			return err
		}
		if at != big+1 {
			t.Errorf("RETURNING at_ms = %d, want %d", at, big+1)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var key string
	var at int64
	var got []byte
	if err := db.QueryRow("SELECT key, at_ms, body FROM records").Scan(&key, &at, &got); err != nil {
		t.Fatal(err)
	}
	if key != "k" || at != big+1 || !bytes.Equal(got, body) {
		t.Fatalf("read back %q, %d, %q; want k, %d, %q", key, at, got, big+1, body)
	}
}
