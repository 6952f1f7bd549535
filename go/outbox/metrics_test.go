package outbox_test

import (
	"database/sql"
	"testing"
	"time"

	"twinbook/outbox"
)

func TestBacklogAndLag(t *testing.T) {
	db, ctx := setup(t)
	now := time.UnixMilli(1_700_000_000_000)
	if lag, err := outbox.Lag(ctx, db, now); err != nil || lag != 0 {
		t.Fatalf("empty outbox: lag %v, %v", lag, err)
	}
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i, age := range []time.Duration{3 * time.Second, 90 * time.Second, time.Second} {
			ev := outbox.Event{ID: string(rune('a' + i)), Aggregate: "a", Topic: "t", Type: "t", CreatedAt: now.Add(-age)}
			if _, err := outbox.Add(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := backlog(t, ctx, db); n != 3 {
		t.Errorf("backlog %d, want 3", n)
	}
	if lag, err := outbox.Lag(ctx, db, now); err != nil || lag != 90*time.Second {
		t.Errorf("lag %v, %v; want the oldest event's 90s", lag, err)
	}
	r := outbox.NewRelay(db, &outbox.MemoryPublisher{}, outbox.RelayConfig{})
	if _, err := runOnce(t, ctx, db, r); err != nil {
		t.Fatal(err)
	}
	if lag, _ := outbox.Lag(ctx, db, now); lag != 0 || backlog(t, ctx, db) != 0 {
		t.Errorf("after relaying: lag %v, backlog %d", lag, backlog(t, ctx, db))
	}
}
