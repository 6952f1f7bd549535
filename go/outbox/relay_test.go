package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"twinbook/clock"
	"twinbook/outbox"
	"twinbook/store"
)

// Every event is published once, in the order it was added, with its
// headers, and deleted.
func TestRelayPublishesInOrderAndDeletes(t *testing.T) {
	db, ctx := setup(t)
	want := addEvents(t, ctx, db, "e", 250, 7)
	tp := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		ev := outbox.Event{ID: "traced", Aggregate: "a", Topic: "orders", Type: "t", Headers: map[string]string{"traceparent": tp}}
		_, err := outbox.Add(ctx, tx, ev)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, "traced")
	pub := &outbox.MemoryPublisher{}
	r := outbox.NewRelay(db, pub, outbox.RelayConfig{BatchSize: 100})
	for i, claimed := range []int{100, 100, 51, 0} {
		res, err := runOnce(t, ctx, db, r)
		if err != nil || res.Claimed != claimed || res.Published != claimed {
			t.Fatalf("batch %d: %+v, %v; want %d claimed and published", i, res, err, claimed)
		}
	}
	got := pub.Published()
	if !slices.Equal(ids(got), want) {
		t.Fatalf("published %d events out of order or not once: %v", len(got), ids(got)[:10])
	}
	if last := got[len(got)-1]; last.Headers["traceparent"] != tp || last.Aggregate != "a" {
		t.Errorf("the traced event lost its header: %+v", last)
	}
	if string(got[3].Payload) != want[3] || got[3].Aggregate != "agg-3" || got[3].Type != "t" {
		t.Errorf("event 3 changed on the way: %+v", got[3])
	}
	if n := backlog(t, ctx, db); n != 0 {
		t.Errorf("backlog %d after relaying everything", n)
	}
	if s := r.Stats(); s.Published != 251 || s.Batches != 4 {
		t.Errorf("stats %+v", s)
	}
}

// A publisher that fails part of a batch: only what the broker
// acknowledged leaves the outbox; the rest is published by a later batch.
func TestRelayKeepsWhatWasNotAcknowledged(t *testing.T) {
	db, ctx := setup(t)
	want := addEvents(t, ctx, db, "e", 60, 5)
	var refused sync.Map
	pub := &outbox.MemoryPublisher{Fail: func(ev outbox.Event) error {
		var n int
		fmt.Sscanf(ev.ID, "e-%d", &n)
		if _, again := refused.LoadOrStore(ev.ID, true); !again && n%3 == 0 {
			return errors.New("broker: not enough replicas")
		}
		return nil
	}}
	r := outbox.NewRelay(db, pub, outbox.RelayConfig{BatchSize: 100})
	res, err := runOnce(t, ctx, db, r)
	if !errors.Is(err, outbox.ErrPublish) || res.Published != 40 || res.Failed != 20 {
		t.Fatalf("first batch: %+v, %v; want 40 published, 20 failed, ErrPublish", res, err)
	}
	rows, err := db.QueryContext(ctx, "SELECT event_id FROM outbox ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		left = append(left, id)
	}
	rows.Close()
	for _, id := range left {
		var n int
		fmt.Sscanf(id, "e-%d", &n)
		if n%3 != 0 {
			t.Errorf("%s was acknowledged but is still in the outbox", id)
		}
	}
	if len(left) != 20 {
		t.Fatalf("%d rows left, want the 20 refused", len(left))
	}
	if res, err := runOnce(t, ctx, db, r); err != nil || res.Published != 20 {
		t.Fatalf("second batch: %+v, %v", res, err)
	}
	got := ids(pub.Published())
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("published %v, want each of %d once", got, len(want))
	}
}

// Poison events (too large, a forbidden topic, a broker's permanent
// refusal) are parked with their error; the rest flows.
func TestRelayParksPoisonEvents(t *testing.T) {
	db, ctx := setup(t)
	addEvents(t, ctx, db, "e", 10, 3)
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for _, ev := range []outbox.Event{
			{ID: "big", Aggregate: "a", Topic: "orders", Type: "t", Payload: make([]byte, 2000)},
			{ID: "typo", Aggregate: "a", Topic: "ordres", Type: "t"},
			{ID: "refused", Aggregate: "a", Topic: "orders", Type: "t"},
		} {
			if _, err := outbox.Add(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pub := &outbox.MemoryPublisher{Fail: func(ev outbox.Event) error {
		if ev.ID == "refused" {
			return fmt.Errorf("%w: MESSAGE_TOO_LARGE", outbox.ErrPoison)
		}
		return nil
	}}
	r := outbox.NewRelay(db, pub, outbox.RelayConfig{MaxPayloadBytes: 1000, Topics: []string{"orders"}})
	res, err := runOnce(t, ctx, db, r)
	if err != nil || res.Published != 10 || res.Parked != 3 {
		t.Fatalf("%+v, %v; want 10 published and 3 parked", res, err)
	}
	parked := parkedErrors(t, ctx, db)
	for id, want := range map[string]string{"big": "2000 bytes", "typo": `"ordres"`, "refused": "MESSAGE_TOO_LARGE"} {
		if !strings.Contains(parked[id], want) || !strings.Contains(parked[id], "poison") {
			t.Errorf("%s parked with %q, want it to say %q", id, parked[id], want)
		}
	}
	if n, _ := outbox.Parked(ctx, db); n != 3 {
		t.Errorf("Parked() = %d", n)
	}
	if n := backlog(t, ctx, db); n != 0 {
		t.Errorf("backlog %d", n)
	}
}

func parkedErrors(t *testing.T, ctx context.Context, db *store.DB) map[string]string {
	t.Helper()
	rows, err := db.QueryContext(ctx, "SELECT COALESCE(event_id, ''), error FROM outbox_parked")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, why string
		if err := rows.Scan(&id, &why); err != nil {
			t.Fatal(err)
		}
		out[id] = why
	}
	return out
}

// A corrupt row (written by something else than Add) gets a named error and
// is parked as it was; nothing is lost and the rows behind it flow.
func TestRelayParksCorruptRows(t *testing.T) {
	db, ctx := setup(t)
	addEvents(t, ctx, db, "e", 5, 2)
	for _, q := range []string{
		`INSERT INTO outbox (event_id, aggregate, topic, type, payload, headers, created_ms)
			VALUES ('bad-headers', 'a', 'orders', 't', '', '{not json', 0)`,
		`INSERT INTO outbox (event_id, aggregate, topic, type, payload, headers, created_ms)
			VALUES ('no-topic', 'a', '', 't', '', '{}', 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	addEvents(t, ctx, db, "f", 5, 2)
	pub := &outbox.MemoryPublisher{}
	r := outbox.NewRelay(db, pub, outbox.RelayConfig{})
	res, err := runOnce(t, ctx, db, r)
	if err != nil || res.Published != 10 || res.Parked != 2 {
		t.Fatalf("%+v, %v; want 10 published, 2 parked", res, err)
	}
	parked := parkedErrors(t, ctx, db)
	for _, id := range []string{"bad-headers", "no-topic"} {
		if !strings.Contains(parked[id], outbox.ErrCorruptRow.Error()) {
			t.Errorf("%s parked with %q, want ErrCorruptRow", id, parked[id])
		}
	}
	var headers string
	if err := db.QueryRowContext(ctx, "SELECT headers FROM outbox_parked WHERE event_id = 'bad-headers'").Scan(&headers); err != nil || headers != "{not json" {
		t.Errorf("the corrupt row was not parked as it was: %q, %v", headers, err)
	}
}

// recordingClock is the system clock, but every pause is noted and lasts a
// millisecond: the test reads the pauses the relay asked for instead of
// timing them.
type recordingClock struct {
	clock.System
	mu     sync.Mutex
	pauses []time.Duration
}

func (c *recordingClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pauses = append(c.pauses, d)
	return time.After(time.Millisecond)
}

// The broker is down: the relay backs off (pauses that double), marks
// nothing published, and resumes when the broker is back.
func TestRelayBacksOffWhileTheBrokerIsDown(t *testing.T) {
	db, ctx := setup(t)
	want := addEvents(t, ctx, db, "e", 30, 3)
	// On the shared PostgreSQL cluster another test's open transaction can hold the
	// rows out of the relay's reach for a moment: an idle round would pause for
	// PollInterval, not back off.
	settle(t, ctx, db)
	var down atomic.Bool
	down.Store(true)
	pub := &outbox.MemoryPublisher{Fail: func(outbox.Event) error {
		if down.Load() {
			return errors.New("broker: connection refused")
		}
		return nil
	}}
	var failures atomic.Int32
	clk := &recordingClock{}
	r := outbox.NewRelay(db, pub, outbox.RelayConfig{
		BatchSize: 10, MinBackoff: 2 * time.Millisecond, MaxBackoff: 16 * time.Millisecond, PollInterval: time.Second,
		Clock: clk,
		OnError: func(err error) {
			if !errors.Is(err, outbox.ErrPublish) {
				t.Errorf("a failed batch said %v", err)
			}
			failures.Add(1)
		},
	})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	waitFor(t, ctx, "six failed batches", func() bool { return failures.Load() >= 6 })
	if n := backlog(t, ctx, db); n != 30 || len(pub.Published()) != 0 {
		t.Fatalf("while the broker is down: backlog %d, published %d", n, len(pub.Published()))
	}
	down.Store(false)
	waitFor(t, ctx, "the outbox to drain", func() bool { return backlog(t, ctx, db) == 0 })
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
	clk.mu.Lock()
	defer clk.mu.Unlock()
	wantPauses := []time.Duration{2, 4, 8, 16, 16, 16}
	for i, w := range wantPauses {
		if clk.pauses[i] != w*time.Millisecond {
			t.Errorf("pauses %v, want %v ms first", clk.pauses[:6], wantPauses)
			break
		}
	}
	if got := ids(pub.Published()); !slices.Equal(got, want) {
		t.Errorf("published %d events after the broker came back, want %d in order", len(got), len(want))
	}
}

// Relays running at once (several processes in production) publish every
// event exactly once between them while writers add more.
func TestConcurrentRelaysPublishEachEventOnce(t *testing.T) {
	db, ctx := setup(t)
	const writers, perWriter = 4, 250
	pub := &outbox.MemoryPublisher{}
	runCtx, stop := context.WithCancel(ctx)
	var relays sync.WaitGroup
	for range 3 {
		r := outbox.NewRelay(db, pub, outbox.RelayConfig{BatchSize: 50, PollInterval: time.Millisecond, MinBackoff: time.Millisecond})
		relays.Go(func() { _ = r.Run(runCtx) })
	}
	var writing sync.WaitGroup
	for w := range writers {
		writing.Go(func() {
			for i := range perWriter / 10 {
				err := db.InTx(ctx, func(tx *sql.Tx) error {
					for j := range 10 {
						ev := outbox.Event{ID: fmt.Sprintf("w%d-%03d", w, i*10+j), Aggregate: fmt.Sprint(w), Topic: "orders", Type: "t"}
						if _, err := outbox.Add(ctx, tx, ev); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	writing.Wait()
	waitFor(t, ctx, "every event published", func() bool { return len(pub.Published()) >= writers*perWriter })
	stop()
	relays.Wait()
	got := pub.Published()
	seen := map[string]bool{}
	last := map[string]string{}
	for _, ev := range got {
		if seen[ev.ID] {
			t.Errorf("%s published twice", ev.ID)
		}
		seen[ev.ID] = true
		// One writer's events are one aggregate, added in order.
		if ev.ID < last[ev.Aggregate] && db.Dialect() == store.SQLite {
			t.Errorf("%s published after %s", ev.ID, last[ev.Aggregate])
		}
		last[ev.Aggregate] = ev.ID
	}
	if len(seen) != writers*perWriter {
		t.Errorf("%d distinct events published, want %d", len(seen), writers*perWriter)
	}
}
