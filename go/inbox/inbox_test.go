package inbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"twinbook/inbox"
	"twinbook/store"
	"twinbook/store/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// setup returns a store with the inbox and a table of effects: one row per
// message, n counting how often its effect was applied.
func setup(t *testing.T) (*store.DB, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	db := storetest.Open(t)
	if err := inbox.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE effects (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db, ctx
}

func apply(ctx context.Context, id string) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO effects (id, n) VALUES ($1, 1)
			ON CONFLICT (id) DO UPDATE SET n = effects.n + 1`, id)
		return err
	}
}

func effects(t *testing.T, ctx context.Context, db *store.DB) map[string]int {
	t.Helper()
	rows, err := db.QueryContext(ctx, "SELECT id, n FROM effects")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

func TestARedeliveredMessageChangesNothing(t *testing.T) {
	db, ctx := setup(t)
	in := inbox.New(db, "payments")
	for i, want := range []bool{true, false, false} {
		applied, err := in.Process(ctx, "m1", apply(ctx, "m1"))
		if err != nil || applied != want {
			t.Fatalf("delivery %d: applied %v, %v; want %v", i, applied, err, want)
		}
	}
	if got := effects(t, ctx, db); got["m1"] != 1 {
		t.Errorf("effects %v, want m1 once", got)
	}
	if in.Duplicates() != 2 || in.Applied() != 1 {
		t.Errorf("duplicates %d, applied %d; want 2 and 1", in.Duplicates(), in.Applied())
	}
	// Another consumer of the same message applies it once too.
	other := inbox.New(db, "shipping")
	if applied, err := other.Process(ctx, "m1", func(*sql.Tx) error { return nil }); err != nil || !applied {
		t.Errorf("another consumer: applied %v, %v", applied, err)
	}
	for consumer, want := range map[string]int64{"payments": 1, "shipping": 1, "nobody": 0} {
		if n, err := inbox.Seen(ctx, db, consumer); err != nil || n != want {
			t.Errorf("Seen(%s) = %d, %v; want %d", consumer, n, err, want)
		}
	}
}

// An effect that fails rolls its message id back with it: the next
// delivery applies it.
func TestAFailedEffectIsRetriedOnRedelivery(t *testing.T) {
	db, ctx := setup(t)
	in := inbox.New(db, "payments")
	boom := errors.New("the payment provider is down")
	if _, err := in.Process(ctx, "m1", func(tx *sql.Tx) error {
		if err := apply(ctx, "m1")(tx); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Process: %v, want the effect's error", err)
	}
	if got := effects(t, ctx, db); len(got) != 0 {
		t.Fatalf("a failed effect left %v", got)
	}
	if applied, err := in.Process(ctx, "m1", apply(ctx, "m1")); err != nil || !applied {
		t.Fatalf("redelivery: applied %v, %v", applied, err)
	}
	if got := effects(t, ctx, db); got["m1"] != 1 {
		t.Errorf("effects %v", got)
	}
}

func TestBadMessagesAreRefused(t *testing.T) {
	db, ctx := setup(t)
	for _, tc := range []struct {
		name, id, consumer string
		want               error
	}{
		{"no message id", "", "payments", inbox.ErrNoMessageID},
		{"no consumer", "m1", "", inbox.ErrNoConsumer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := inbox.New(db, tc.consumer).Process(ctx, tc.id, apply(ctx, "x"))
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if got := effects(t, ctx, db); len(got) != 0 {
				t.Errorf("a refused message applied %v", got)
			}
		})
	}
}

// Many consumers receive the same messages at once (a rebalance hands a
// partition over while the old owner still processes): each effect is
// applied once, and every other delivery is counted as a duplicate.
func TestConcurrentDeliveriesApplyOnce(t *testing.T) {
	db, ctx := setup(t)
	const workers, messages = 8, 40
	in := inbox.New(db, "payments")
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range messages {
				id := fmt.Sprintf("m%02d", i)
				if _, err := in.Process(ctx, id, apply(ctx, id)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got := effects(t, ctx, db)
	for i := range messages {
		if id := fmt.Sprintf("m%02d", i); got[id] != 1 {
			t.Errorf("%s applied %d times", id, got[id])
		}
	}
	if in.Applied() != messages || in.Duplicates() != (workers-1)*messages {
		t.Errorf("applied %d, duplicates %d", in.Applied(), in.Duplicates())
	}
}
