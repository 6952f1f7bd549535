package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"twinbook/outbox"
	"twinbook/store"
	"twinbook/store/storetest"
)

// relayBin is go/cmd/twinbook-relay, built once for the kill -9 tests.
var relayBin string

// TestMain builds the relay program, runs the tests, and fails the run if
// a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "outbox-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	relayBin = filepath.Join(dir, "twinbook-relay")
	build := exec.Command("go", "build", "-o", relayBin, "twinbook/cmd/twinbook-relay")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building twinbook-relay:", err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// deadline bounds every wait of a test.
const deadline = 60 * time.Second

// setup returns a fresh store with the outbox tables and a business table
// "orders", and a context that ends with the test.
func setup(t *testing.T) (*store.DB, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	db := storetest.Open(t)
	if err := outbox.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE orders (id TEXT PRIMARY KEY, total INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db, ctx
}

// placeOrder writes an order and its event in one transaction, as a
// service does; fail makes the transaction roll back after both writes.
func placeOrder(ctx context.Context, db *store.DB, id string, fail bool) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, total) VALUES ($1, $2)`, id, 100); err != nil {
			return err
		}
		if _, err := outbox.Add(ctx, tx, orderPlaced(id)); err != nil {
			return err
		}
		if fail {
			return fmt.Errorf("the service failed after both writes")
		}
		return nil
	})
}

func orderPlaced(id string) outbox.Event {
	return outbox.Event{ID: "ev-" + id, Aggregate: id, Topic: "orders", Type: "order.placed", Payload: []byte(`{"order":"` + id + `"}`)}
}

// addEvents adds n events in one transaction, ids "<prefix>-0000".., over
// aggregates ids%aggregates.
func addEvents(t *testing.T, ctx context.Context, db *store.DB, prefix string, n, aggregates int) []string {
	t.Helper()
	ids := make([]string, n)
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			ids[i] = fmt.Sprintf("%s-%04d", prefix, i)
			ev := outbox.Event{ID: ids[i], Aggregate: fmt.Sprintf("agg-%d", i%aggregates), Topic: "orders", Type: "t", Payload: []byte(ids[i])}
			if _, err := outbox.Add(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// drain runs the relay until the outbox is empty, failing the test when it
// does not empty within the deadline.
func drain(t *testing.T, ctx context.Context, db *store.DB, r *outbox.Relay) {
	t.Helper()
	for {
		if n := backlog(t, ctx, db); n == 0 {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("the outbox did not empty: %v", ctx.Err())
		}
		_, _ = r.RunOnce(ctx)
	}
}

func backlog(t *testing.T, ctx context.Context, db *store.DB) int64 {
	t.Helper()
	n, err := outbox.Backlog(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func ids(evs []outbox.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

// waitFor polls cond until it holds or the test's deadline passes.
func waitFor(t testing.TB, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// settle waits until every outbox row is visible to a relay. On PostgreSQL
// the relay reads only rows below the oldest transaction still running in
// the whole cluster (see claimSQL), and the tests share one cluster with
// other tests and packages: a row committed here stays out of a relay's
// reach while a write transaction of another test is open. SQLite: no wait.
func settle(t testing.TB, ctx context.Context, db *store.DB) {
	t.Helper()
	if db.Dialect() != store.Postgres {
		return
	}
	waitFor(t, ctx, "the outbox rows to be visible to the relay", func() bool {
		var n int
		err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox
			WHERE txid >= pg_snapshot_xmin(pg_current_snapshot())`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
}

// runOnce is r.RunOnce once every row of the outbox is within its reach.
func runOnce(t *testing.T, ctx context.Context, db *store.DB, r *outbox.Relay) (outbox.Result, error) {
	t.Helper()
	settle(t, ctx, db)
	return r.RunOnce(ctx)
}
