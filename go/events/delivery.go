package events

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Semantics is when a consumer commits a record's offset: before or after
// processing it. That order alone decides what a crash costs.
type Semantics string

// The two orders.
const (
	// AtMostOnce commits, then processes: a crash in between loses the
	// record (the next owner starts after it).
	AtMostOnce Semantics = "at-most-once"
	// AtLeastOnce processes, then commits: a crash in between redelivers
	// the record (the next owner starts at it), so processing must
	// tolerate seeing it twice.
	AtLeastOnce Semantics = "at-least-once"
)

// Handler processes one record. An error stops [Consume] at once, as a
// crash would: nothing after it is processed or committed.
type Handler func(*kgo.Record) error

// Consume polls m until ctx ends or handle fails, committing each record
// before (AtMostOnce) or after (AtLeastOnce) handing it to handle.
func Consume(ctx context.Context, m *Member, sem Semantics, handle Handler) error {
	if sem != AtMostOnce && sem != AtLeastOnce {
		return fmt.Errorf("events: unknown semantics %q", sem)
	}
	for ctx.Err() == nil {
		recs, err := m.Poll(ctx)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := step(ctx, m, sem, handle, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// docs:start events-consume

// step is one record: the commit goes before or after the work, and that
// is the whole difference. One commit per record keeps the lesson exact;
// batching commits widens what a crash loses or repeats to the batch.
func step(ctx context.Context, m *Member, sem Semantics, handle Handler,
	r *kgo.Record) error {
	if sem == AtMostOnce {
		if err := m.Commit(ctx, r); err != nil {
			return err
		}
	}
	if err := handle(r); err != nil {
		return fmt.Errorf("events: %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err)
	}
	if sem == AtLeastOnce {
		return m.Commit(ctx, r)
	}
	return nil
}

// docs:end events-consume
