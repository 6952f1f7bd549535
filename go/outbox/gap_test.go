package outbox_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"twinbook/outbox"
	"twinbook/store"
)

// naiveReader follows the serial id, as a relay that remembers "published
// up to seq N" would: each read returns the rows above the last one seen.
type naiveReader struct {
	db   *store.DB
	last int64
}

func (n *naiveReader) read(t *testing.T, ctx context.Context) []string {
	t.Helper()
	rows, err := n.db.QueryContext(ctx, "SELECT seq, event_id FROM outbox WHERE seq > $1 ORDER BY seq", n.last)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&n.last, &id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	return got
}

// The commit-order gap: transaction A adds event "a" (seq 1), transaction B
// adds "b" (seq 2) and commits first. A reader that follows seq reads b,
// moves past 2, and never sees a once A commits. The relay publishes
// nothing while A is open (b's transaction is newer than the oldest running
// one) and then both, a first. SQLite cannot show it: one writer at a time
// (see claimSQL), so transactions commit in the order they took their seqs.
func TestCommitOrderGap(t *testing.T) {
	db, ctx := setup(t)
	if db.Dialect() == store.SQLite {
		sqliteHasNoGap(t, ctx, db)
		return
	}
	add := func(tx *sql.Tx, id string) {
		t.Helper()
		if _, err := outbox.Add(ctx, tx, outbox.Event{ID: id, Aggregate: "o", Topic: "orders", Type: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	txA, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback()
	add(txA, "a")
	txB, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	add(txB, "b")
	if err := txB.Commit(); err != nil {
		t.Fatal(err)
	}

	naive := &naiveReader{db: db}
	pub := &outbox.MemoryPublisher{}
	relay := outbox.NewRelay(db, pub, outbox.RelayConfig{})
	if got := naive.read(t, ctx); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("the naive reader read %v before A committed, want [b]", got)
	}
	if res, err := relay.RunOnce(ctx); err != nil || res.Claimed != 0 {
		t.Fatalf("the relay claimed %+v (%v) while an older transaction was open", res, err)
	}

	if err := txA.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := naive.read(t, ctx); len(got) != 0 {
		t.Fatalf("the naive reader read %v: no gap reproduced", got)
	}
	if res, err := runOnce(t, ctx, db, relay); err != nil || res.Published != 2 {
		t.Fatalf("relay after A committed: %+v, %v", res, err)
	}
	if got := ids(pub.Published()); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("the relay published %v, want [a b]: nothing skipped, in transaction order", got)
	}
}

// sqliteHasNoGap is the same two writers on SQLite: while A is open, B
// cannot even begin (one writer at a time: the store begins with BEGIN
// IMMEDIATE), so the seqs are taken in commit order and the naive reader
// misses nothing.
func sqliteHasNoGap(t *testing.T, ctx context.Context, db *store.DB) {
	conns := make([]*sql.Conn, 2)
	for i := range conns {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	write := func(tx *sql.Tx, id string) {
		t.Helper()
		ev := outbox.Event{ID: id, Aggregate: "o", Topic: "orders", Type: "t"}
		if _, err := outbox.Add(ctx, tx, ev); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	txA, err := conns[0].BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conns[1].ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	if txB, err := conns[1].BeginTx(ctx, nil); err == nil {
		txB.Rollback()
		t.Fatal("B began while A was open: SQLite should have one writer")
	} else if !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
		t.Fatalf("B could not begin, but not for the write lock: %v", err)
	}
	write(txA, "a")
	txB, err := conns[1].BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	write(txB, "b")
	naive := &naiveReader{db: db}
	if got := naive.read(t, ctx); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("the naive reader read %v, want [a b]: no gap on SQLite", got)
	}
}
