package events

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

type topicPartition struct {
	topic     string
	partition int32
}

// Watermark tracks records that finish out of order and says how far each
// partition may be committed: up to the oldest record not yet done. A
// commit past it would lose that record in a crash. Safe for concurrent use.
type Watermark struct {
	mu    sync.Mutex
	parts map[topicPartition]*progress
}

type progress struct {
	started []int64 // in offset order, as a partition delivers them
	done    map[int64]bool
}

// Start notes that r's processing began; call it in offset order.
func (w *Watermark) Start(r *kgo.Record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.parts == nil {
		w.parts = map[topicPartition]*progress{}
	}
	tp := topicPartition{r.Topic, r.Partition}
	p := w.parts[tp]
	if p == nil {
		p = &progress{done: map[int64]bool{}}
		w.parts[tp] = p
	}
	p.started = append(p.started, r.Offset)
}

// Done notes that r's processing finished.
func (w *Watermark) Done(r *kgo.Record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.parts[topicPartition{r.Topic, r.Partition}].done[r.Offset] = true
}

// docs:start events-watermark

// Committable returns, per topic and partition, the offset to commit: one
// past the longest run of done records from the oldest started one. Those
// records are forgotten; a partition with nothing new done is left out.
func (w *Watermark) Committable() map[string]map[int32]int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]map[int32]int64{}
	for tp, p := range w.parts {
		n := 0
		for n < len(p.started) && p.done[p.started[n]] {
			delete(p.done, p.started[n])
			n++
		}
		if n == 0 {
			continue
		}
		if out[tp.topic] == nil {
			out[tp.topic] = map[int32]int64{}
		}
		out[tp.topic][tp.partition] = p.started[n-1] + 1
		p.started = p.started[n:]
	}
	return out
}

// docs:end events-watermark

// ConsumeConcurrently is at-least-once with up to limit records in
// processing at once. Records with the same key are still handled one
// after another, in order; different keys overlap. After each poll it
// commits only what the [Watermark] allows, so a record that fails (or a
// crash) is redelivered along with every record after it that finished:
// concurrency widens the repeat, never the loss. It returns when ctx ends
// or a handler fails, after the records in flight have finished.
func ConsumeConcurrently(ctx context.Context, m *Member, limit int,
	handle Handler) error {
	var (
		wm     Watermark
		wg     sync.WaitGroup
		slots  = make(chan struct{}, max(limit, 1))
		mu     sync.Mutex
		failed error
		last   = map[string]chan struct{}{} // per key: the latest record's end
	)
	// A failure stops the polling at once, not at the next record.
	polling, stop := context.WithCancel(ctx)
	defer stop()
	defer wg.Wait()
poll:
	for polling.Err() == nil {
		recs, err := m.Poll(polling)
		if err != nil {
			return err
		}
		for _, r := range recs {
			select {
			case slots <- struct{}{}:
			case <-polling.Done():
				break poll
			}
			wm.Start(r)
			prev, end := last[string(r.Key)], make(chan struct{})
			last[string(r.Key)] = end
			wg.Go(func() {
				defer func() { <-slots }()
				inOrder(r, prev, end, handle, &wm, func(err error) {
					mu.Lock()
					failed = errors.Join(failed, err)
					mu.Unlock()
					stop()
				})
			})
		}
		if err := commitOffsets(ctx, m, wm.Committable()); err != nil {
			return err
		}
	}
	wg.Wait()
	if err := commitOffsets(ctx, m, wm.Committable()); err != nil {
		return err
	}
	return failedErr(&mu, &failed)
}

func failedErr(mu *sync.Mutex, failed *error) error {
	mu.Lock()
	defer mu.Unlock()
	return *failed
}

// docs:start events-key-order

// inOrder handles r once the same key's previous record (prev) has ended,
// then marks r done in the watermark, or reports its failure; either way it
// closes end, so the key's next record can go.
func inOrder(r *kgo.Record, prev, end chan struct{}, handle Handler,
	wm *Watermark, fail func(error)) {
	defer close(end)
	if prev != nil {
		<-prev
	}
	if err := handle(r); err != nil {
		fail(fmt.Errorf("events: %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err))
		return
	}
	wm.Done(r)
}

// docs:end events-key-order
