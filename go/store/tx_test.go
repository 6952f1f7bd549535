package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"twinbook/store"
	"twinbook/store/storetest"
)

func count(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM items").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func withItems(t *testing.T) *store.DB {
	t.Helper()
	db := storetest.Open(t)
	if _, err := db.Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	return db
}

var errBoom = errors.New("boom")

func TestInTx(t *testing.T) {
	tests := []struct {
		name      string
		fn        func(tx *sql.Tx, insert func() error) error
		wantErr   error
		wantPanic any
		wantRows  int
	}{
		{"commits when fn returns nil", func(tx *sql.Tx, insert func() error) error { return insert() }, nil, nil, 1},
		{"rolls back when fn returns an error", func(tx *sql.Tx, insert func() error) error {
			if err := insert(); err != nil {
				return err
			}
			return fmt.Errorf("after the insert: %w", errBoom)
		}, errBoom, nil, 0},
		{"rolls back and panics on when fn panics", func(tx *sql.Tx, insert func() error) error {
			if err := insert(); err != nil {
				return err
			}
			panic("boom")
		}, nil, "boom", 0},
		{"an error from a statement rolls back the earlier ones", func(tx *sql.Tx, insert func() error) error {
			if err := insert(); err != nil {
				return err
			}
			_, err := tx.Exec("INSERT INTO missing_table VALUES (1)")
			return err
		}, nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := withItems(t)
			var gotErr error
			var gotPanic any
			func() {
				defer func() { gotPanic = recover() }()
				gotErr = db.InTx(context.Background(), func(tx *sql.Tx) error {
					return tt.fn(tx, func() error {
						_, err := tx.Exec(db.Rebind("INSERT INTO items (id, name) VALUES (?, ?)"), 1, "one")
						return err
					})
				})
			}()
			if gotPanic != tt.wantPanic {
				t.Fatalf("panic = %v, want %v", gotPanic, tt.wantPanic)
			}
			switch {
			case tt.wantErr != nil && !errors.Is(gotErr, tt.wantErr):
				t.Fatalf("InTx = %v, want it to wrap %v", gotErr, tt.wantErr)
			case tt.wantRows == 1 && gotErr != nil:
				t.Fatalf("InTx = %v, want nil", gotErr)
			case tt.wantRows == 0 && tt.wantPanic == nil && gotErr == nil:
				t.Fatal("InTx = nil, want the error that rolled it back")
			}
			if n := count(t, db); n != tt.wantRows {
				t.Fatalf("%d rows after InTx, want %d", n, tt.wantRows)
			}
			// the store is usable afterwards: the lock and the connection came back
			if err := db.InTx(context.Background(), func(tx *sql.Tx) error {
				_, err := tx.Exec(db.Rebind("INSERT INTO items (id, name) VALUES (?, ?)"), 2, "two")
				return err
			}); err != nil {
				t.Fatalf("InTx after: %v", err)
			}
		})
	}
}

// TestInTxManyWritersAtOnce: read-modify-write transactions from many
// goroutines at once all succeed (no SQLITE_BUSY, no deadlock on upgrading a
// read lock) and none is lost. On PostgreSQL the row lock (FOR UPDATE)
// serialises them.
func TestInTxManyWritersAtOnce(t *testing.T) {
	db := storetest.Open(t)
	if _, err := db.Exec("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO counter (id, n) VALUES (1, 0)"); err != nil {
		t.Fatal(err)
	}
	lock := ""
	if db.Dialect() == store.Postgres {
		lock = " FOR UPDATE"
	}
	const writers, each = 16, 20
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	start := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			<-start
			for i := range each {
				errs <- db.InTx(ctx, func(tx *sql.Tx) error {
					var n int
					if err := tx.QueryRowContext(ctx, "SELECT n FROM counter WHERE id = 1"+lock).Scan(&n); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, db.Rebind("INSERT INTO items_log (writer, i) VALUES (?, ?)"), w, i); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, db.Rebind("UPDATE counter SET n = ? WHERE id = 1"), n+1)
					return err
				})
			}
		})
	}
	if _, err := db.Exec("CREATE TABLE items_log (writer INTEGER NOT NULL, i INTEGER NOT NULL, PRIMARY KEY (writer, i))"); err != nil {
		t.Fatal(err)
	}
	close(start)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
			if failed == 1 {
				t.Errorf("a transaction failed: %v", err)
			}
		}
	}
	var n, logged int
	if err := db.QueryRow("SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM items_log").Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if failed != 0 || n != writers*each || logged != writers*each {
		t.Fatalf("%d failed, counter %d, %d logged; want 0, %d, %d", failed, n, logged, writers*each, writers*each)
	}
}

// TestInTxWaitIsBounded: on SQLite a transaction waits for the one this
// process already runs, for as long as its context allows; on PostgreSQL it
// does not wait (each has its own connection and nothing is locked).
func TestInTxWaitIsBounded(t *testing.T) {
	db := withItems(t)
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.InTx(context.Background(), func(tx *sql.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := db.InTx(ctx, func(tx *sql.Tx) error { return nil })
	close(release)
	if first := <-done; first != nil {
		t.Fatalf("the first transaction: %v", first)
	}
	if db.Dialect() == store.SQLite {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("InTx while another holds SQLite's write lock = %v, want the context's deadline", err)
		}
	} else if err != nil {
		t.Fatalf("InTx beside another on PostgreSQL = %v, want nil", err)
	}
}
