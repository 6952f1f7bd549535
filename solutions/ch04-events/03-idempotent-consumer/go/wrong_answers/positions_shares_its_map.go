// wrong: Positions returns the consumer's own map, so a caller that changes it changes the consumer
package main

import (
	"fmt"
	"maps"
	"slices"
)

// Consumer is an idempotent consumer's bookkeeping: which records to apply,
// which to skip, and which offsets to commit. Kafka delivers at least once:
// after a crash or a rebalance, the records after the last committed offset
// come again, and a producer that retried a send may have written the same
// event twice, at two offsets. One consumer loop calls it, record by record,
// in each partition's order. The fields are a suggestion: change them as you
// like.
type Consumer struct {
	window int
	recent []string        // the ids of the events applied, oldest first
	next   map[int32]int64 // partition -> the offset after the last one handled
}

// NewConsumer returns a consumer that remembers the ids of the last window
// events applied; window must be at least 1.
func NewConsumer(window int) (*Consumer, error) {
	if window < 1 {
		return nil, fmt.Errorf("window must be at least 1, got %d", window)
	}
	return &Consumer{window: window, next: map[int32]int64{}}, nil
}

// Handle reports whether to apply the record at offset of partition, whose
// event is eventID: false means skip it, a duplicate.
func (c *Consumer) Handle(partition int32, offset int64, eventID string) bool {
	if offset < c.next[partition] {
		return false // redelivered: this partition is past that offset already
	}
	c.next[partition] = offset + 1
	if slices.Contains(c.recent, eventID) {
		return false // the same event at a new offset: a producer's retry
	}
	c.recent = append(c.recent, eventID)
	if len(c.recent) > c.window {
		c.recent = c.recent[1:]
	}
	return true
}

// Positions returns, for each partition, the offset to commit: the one after
// the last handled. The map is the caller's.
func (c *Consumer) Positions() map[int32]int64 {
	return c.next
}
