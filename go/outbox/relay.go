package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"twinbook/clock"
	"twinbook/store"
)

// ErrPublish is what [Relay.RunOnce] returns when the broker did not
// acknowledge some events of the batch: they stay in the outbox for the next
// attempt, and [Relay.Run] backs off before it.
var ErrPublish = errors.New("outbox: some events were not published")

// RelayConfig says how a [Relay] works; zero fields take the defaults.
type RelayConfig struct {
	// BatchSize is how many rows one transaction claims (default 100). It
	// bounds what a crash can duplicate: at most one batch per crash.
	BatchSize int
	// PollInterval is the pause after a batch that was not full (default
	// 100ms): an outbox that is keeping up is polled, not spun on.
	PollInterval time.Duration
	// MinBackoff and MaxBackoff bound the pause after a failed batch; it
	// doubles with each failure in a row (defaults 50ms and 5s).
	MinBackoff, MaxBackoff time.Duration
	// PublishTimeout bounds the wait for the broker's acknowledgements
	// (default 10s), so a batch never holds its rows forever.
	PublishTimeout time.Duration
	// MaxPayloadBytes parks an event whose payload is larger (default 1 MiB,
	// Kafka's default message.max.bytes) without sending it.
	MaxPayloadBytes int
	// Topics, when not empty, are the only topics the relay publishes to;
	// an event for another is parked (a typo in a topic name would otherwise
	// create that topic on a broker that auto-creates).
	Topics []string
	// Clock times the pauses and parking (default the system clock).
	Clock clock.Clock
	// OnError, when set, hears every failed batch (the relay goes on).
	OnError func(error)
}

func (c RelayConfig) withDefaults() RelayConfig {
	if c.BatchSize <= 0 {
		c.BatchSize = 100
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 100 * time.Millisecond
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 50 * time.Millisecond
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = max(5*time.Second, c.MinBackoff)
	}
	if c.PublishTimeout <= 0 {
		c.PublishTimeout = 10 * time.Second
	}
	if c.MaxPayloadBytes <= 0 {
		c.MaxPayloadBytes = 1 << 20
	}
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	return c
}

// Result is what one batch did.
type Result struct {
	Claimed   int // rows read
	Published int // acknowledged and deleted
	Parked    int // moved to outbox_parked
	Failed    int // left for a later attempt
}

// Stats are a relay's running totals.
type Stats struct {
	Batches, Published, Parked, Failed int64
}

// Relay moves events from the outbox to a [Publisher]. Several relays may
// run on one PostgreSQL store (each claims other rows); on SQLite they take
// turns.
type Relay struct {
	db  *store.DB
	pub Publisher
	cfg RelayConfig

	batches, published, parked, failed atomic.Int64
}

// NewRelay returns a relay from db's outbox to pub.
func NewRelay(db *store.DB, pub Publisher, cfg RelayConfig) *Relay {
	return &Relay{db: db, pub: pub, cfg: cfg.withDefaults()}
}

// Stats returns the relay's totals so far.
func (r *Relay) Stats() Stats {
	return Stats{r.batches.Load(), r.published.Load(), r.parked.Load(), r.failed.Load()}
}

// claimSQL reads the next batch, oldest first.
//
// PostgreSQL: FOR UPDATE SKIP LOCKED lets relays claim disjoint batches
// without waiting for each other. And a serial id does not give commit
// order: transaction A takes seq 1, transaction B takes seq 2 and commits
// first, so a reader that has read up to 2 never goes back for 1 (the
// commit-order gap); a relay that picks "whatever is there" would publish 2
// before 1. Each row therefore records its writer's transaction id (txid),
// and the relay only reads rows below pg_snapshot_xmin(pg_current_snapshot()),
// the oldest transaction still running: every writer below it has finished,
// so no row can still appear before what the relay reads, and (txid, seq)
// is an order that never changes behind the reader (watermill-sql's
// PostgreSQL schema does the same). The price: transaction ids are the
// server's, not one database's, so a long-running write transaction in any
// database of the server holds the relay back until it ends.
//
// SQLite has no gap: it has one writer at a time (BEGIN IMMEDIATE takes the
// database's write lock), so transactions commit in the order they took
// their ids, and a row that is visible has no invisible row before it.
//
// docs:start outbox-claim-sql
var claimSQL = map[store.Dialect]string{
	store.SQLite: `SELECT ` + columns + `
		FROM outbox ORDER BY seq LIMIT $1`,
	store.Postgres: `SELECT ` + columns + `
		FROM outbox WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
		ORDER BY txid, seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
}

// docs:end outbox-claim-sql

// columns are the outbox's columns in the order [decode] reads them.
const columns = "seq, event_id, aggregate, topic, type, payload, headers, created_ms"

// row is one claimed outbox row: its event, or why it is not one.
type row struct {
	seq     int64
	raw     [8]any
	ev      Event
	corrupt error
}

// docs:start outbox-relay-once

// RunOnce relays one batch in one transaction: claim the oldest rows,
// publish them, wait for the broker, delete the acknowledged ones and park
// the poison ones, commit. A crash anywhere before the commit leaves every
// row in place (the batch is published again: duplicates, never loss); a
// row is deleted only after the broker acknowledged it. It returns
// [ErrPublish] when some events were not acknowledged (they stay).
func (r *Relay) RunOnce(ctx context.Context) (Result, error) {
	var res Result
	err := r.db.InTx(ctx, func(tx *sql.Tx) error {
		rows, err := r.claim(ctx, tx)
		if err != nil {
			return err
		}
		res.Claimed = len(rows)
		done, err := r.deliver(ctx, tx, rows, &res)
		if err != nil {
			return err
		}
		return deleteRows(ctx, tx, done)
	})
	if err != nil { // nothing committed: whatever was published goes again
		r.failed.Add(int64(res.Claimed))
		res = Result{Claimed: res.Claimed, Failed: res.Claimed}
		return res, fmt.Errorf("outbox: relay batch: %w", err)
	}
	return res, r.count(res)
}

// docs:end outbox-relay-once

// count adds a committed batch to the totals, and returns [ErrPublish] when
// some of its events were not acknowledged.
func (r *Relay) count(res Result) error {
	r.batches.Add(1)
	r.published.Add(int64(res.Published))
	r.parked.Add(int64(res.Parked))
	r.failed.Add(int64(res.Failed))
	if res.Failed > 0 {
		return fmt.Errorf("%w: %d of %d", ErrPublish, res.Failed, res.Claimed)
	}
	return nil
}

// deliver parks the claimed rows that cannot be sent, publishes the others
// and waits for the broker's verdicts; it returns the seqs to delete (the
// acknowledged and the parked ones) and counts them in res.
//
// A batch that fails in part can reorder one aggregate's events: a later
// event acknowledged, an earlier one left for the next batch. Consumers
// that need the order per aggregate get it from Kafka's producer, whose
// idempotence keeps a partition's records in order and fails a timed-out
// batch as a whole, not from the relay; an inbox removes the duplicates.
func (r *Relay) deliver(ctx context.Context, tx *sql.Tx, rows []*row, res *Result) ([]int64, error) {
	var send []Event
	var sendRows []*row
	var done []int64
	for _, rw := range rows {
		if err := r.screen(rw); err != nil {
			if err := r.park(ctx, tx, rw, err); err != nil {
				return nil, err
			}
			done = append(done, rw.seq)
			res.Parked++
			continue
		}
		send = append(send, rw.ev)
		sendRows = append(sendRows, rw)
	}
	if len(send) == 0 {
		return done, nil
	}
	pctx, cancel := context.WithTimeout(ctx, r.cfg.PublishTimeout)
	errs := r.pub.Publish(pctx, send)
	cancel()
	for i, rw := range sendRows {
		switch err := errs[i]; {
		case err == nil:
			done = append(done, rw.seq)
			res.Published++
		case errors.Is(err, ErrPoison):
			if err := r.park(ctx, tx, rw, err); err != nil {
				return nil, err
			}
			done = append(done, rw.seq)
			res.Parked++
		default:
			res.Failed++
		}
	}
	return done, nil
}

func (r *Relay) claim(ctx context.Context, tx *sql.Tx) ([]*row, error) {
	q, ok := claimSQL[r.db.Dialect()]
	if !ok {
		return nil, fmt.Errorf("outbox: no relay for dialect %q", r.db.Dialect())
	}
	rs, err := tx.QueryContext(ctx, q, r.cfg.BatchSize)
	if err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	defer rs.Close()
	var out []*row
	for rs.Next() {
		rw := &row{}
		ptrs := make([]any, len(rw.raw))
		for i := range rw.raw {
			ptrs[i] = &rw.raw[i]
		}
		// Scanned as raw values and decoded by hand: a row of the wrong
		// shape is then a corrupt row to park, not a scan error that
		// would stall every batch behind it.
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("outbox: claim: %w", err)
		}
		rw.seq, rw.ev, rw.corrupt = decode(rw.raw)
		out = append(out, rw)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	return out, nil
}

// decode turns a row's raw columns into an event, or says why it cannot.
func decode(raw [8]any) (int64, Event, error) {
	seq, ok := asInt(raw[0])
	if !ok {
		return 0, Event{}, fmt.Errorf("%w: seq %v", ErrCorruptRow, raw[0])
	}
	var ev Event
	texts := []*string{&ev.ID, &ev.Aggregate, &ev.Topic, &ev.Type}
	names := []string{"event_id", "aggregate", "topic", "type"}
	for i, p := range texts {
		s, ok := asText(raw[1+i])
		if !ok || s == "" {
			return seq, Event{}, fmt.Errorf("%w: seq %d: %s is %#v", ErrCorruptRow, seq, names[i], raw[1+i])
		}
		*p = s
	}
	switch p := raw[5].(type) {
	case []byte:
		ev.Payload = append([]byte{}, p...)
	case string: // SQLite keeps what it is given: text where a blob belongs
		ev.Payload = []byte(p)
	default:
		return seq, Event{}, fmt.Errorf("%w: seq %d: payload is %T", ErrCorruptRow, seq, raw[5])
	}
	hs, ok := asText(raw[6])
	if !ok {
		return seq, Event{}, fmt.Errorf("%w: seq %d: headers is %T", ErrCorruptRow, seq, raw[6])
	}
	if err := json.Unmarshal([]byte(hs), &ev.Headers); err != nil {
		return seq, Event{}, fmt.Errorf("%w: seq %d: headers %q: %w", ErrCorruptRow, seq, hs, err)
	}
	ms, ok := asInt(raw[7])
	if !ok {
		return seq, Event{}, fmt.Errorf("%w: seq %d: created_ms is %#v", ErrCorruptRow, seq, raw[7])
	}
	ev.CreatedAt = time.UnixMilli(ms)
	return seq, ev, nil
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func asText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

// screen says why rw must be parked before it is even sent, or nil.
func (r *Relay) screen(rw *row) error {
	if rw.corrupt != nil {
		return rw.corrupt
	}
	if n := len(rw.ev.Payload); n > r.cfg.MaxPayloadBytes {
		return fmt.Errorf("%w: %s: payload of %d bytes (at most %d)", ErrPoison, rw.ev.ID, n, r.cfg.MaxPayloadBytes)
	}
	if len(r.cfg.Topics) > 0 {
		for _, t := range r.cfg.Topics {
			if t == rw.ev.Topic {
				return nil
			}
		}
		return fmt.Errorf("%w: %s: topic %q is not one the relay publishes to", ErrPoison, rw.ev.ID, rw.ev.Topic)
	}
	return nil
}

// park copies rw, as it was read, into outbox_parked with its error; the
// caller deletes it from the outbox in the same transaction.
func (r *Relay) park(ctx context.Context, tx *sql.Tx, rw *row, why error) error {
	args := append([]any{rw.seq}, rw.raw[1:]...)
	args = append(args, why.Error(), r.cfg.Clock.Now().UnixMilli())
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox_parked
		(seq, event_id, aggregate, topic, type, payload, headers, created_ms, error, parked_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, args...)
	if err != nil {
		return fmt.Errorf("outbox: park seq %d: %w", rw.seq, err)
	}
	return nil
}

func deleteRows(ctx context.Context, tx *sql.Tx, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	marks := make([]string, len(seqs))
	args := make([]any, len(seqs))
	for i, s := range seqs {
		marks[i] = "$" + strconv.Itoa(i+1)
		args[i] = s
	}
	q := "DELETE FROM outbox WHERE seq IN (" + strings.Join(marks, ",") + ")"
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("outbox: delete published: %w", err)
	}
	return nil
}

// Run relays until ctx ends, then returns ctx's error. A failed batch (the
// broker down, the database gone) is retried after a pause that doubles
// with each failure in a row, from MinBackoff to MaxBackoff; a batch that
// was not full is followed by PollInterval's pause.
func (r *Relay) Run(ctx context.Context) error {
	// docs:start outbox-relay-run
	failures := 0
	for {
		res, err := r.RunOnce(ctx)
		var pause time.Duration
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			failures++
			if r.cfg.OnError != nil {
				r.cfg.OnError(err)
			}
			pause = r.backoff(failures)
		case res.Claimed < r.cfg.BatchSize:
			failures = 0
			pause = r.cfg.PollInterval
		default:
			failures = 0
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.cfg.Clock.After(pause):
		}
	}
	// docs:end outbox-relay-run
}

// backoff is the pause after the n-th failure in a row.
func (r *Relay) backoff(n int) time.Duration {
	d := r.cfg.MinBackoff
	for i := 1; i < n && d < r.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, r.cfg.MaxBackoff)
}
