package outbox_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"twinbook/outbox"
	"twinbook/store"
)

// cutPublisher publishes, then takes the database away from the relay
// while its batch's transaction is still open.
type cutPublisher struct {
	outbox.MemoryPublisher
	cut  func()
	cuts atomic.Int32
}

func (c *cutPublisher) Publish(ctx context.Context, evs []outbox.Event) []error {
	errs := c.MemoryPublisher.Publish(ctx, evs)
	if c.cuts.Add(1) == 1 {
		c.cut()
	}
	return errs
}

// The database goes away after the broker acknowledged a batch and before
// the relay's delete committed: the rows stay, the batch is published again
// (duplicates, never loss), and the relay goes on once the database is back.
// PostgreSQL: the relay's server session is terminated. SQLite has no
// session to cut; the relay's context ends instead, which fails its commit
// the same way.
func TestDatabaseGoneMidBatch(t *testing.T) {
	db, ctx := setup(t)
	want := addEvents(t, ctx, db, "e", 30, 3)
	relayCtx, cutRelay := context.WithCancel(ctx)
	pub := &cutPublisher{}
	pub.cut = func() {
		if db.Dialect() != store.Postgres {
			cutRelay()
			return
		}
		_, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()`)
		if err != nil {
			t.Error(err)
		}
	}
	r := outbox.NewRelay(db, pub, outbox.RelayConfig{BatchSize: 10})
	settle(t, ctx, db)
	if _, err := r.RunOnce(relayCtx); err == nil {
		t.Fatal("the batch committed although the database went away")
	}
	if n := backlog(t, ctx, db); n != 30 {
		t.Fatalf("backlog %d after the failed batch, want all 30", n)
	}
	drain(t, ctx, db, r)
	got := ids(pub.Published())
	if !slices.Equal(got[:10], want[:10]) || !slices.Equal(got[10:], want) {
		t.Errorf("published %v: want the first batch, then everything again from it", got)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		t.Error("the test's own context ended")
	}
}
