// wrong: a refused row does not block its aggregate: the next event of the same order is published before it
package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// Row is a row of the outbox table.
type Row struct {
	ID        int64  // in the order the rows were written
	Aggregate string // the entity the event is about: its events keep their order
	Payload   string
	Attempts  int // failed publishes so far
}

// Batch is what one pass of the relay leaves.
type Batch struct {
	Kept      []Row   // the rows left in the outbox, in id order
	Parked    []Row   // the rows parked in this pass, in id order
	Published []int64 // the ids published (and deleted), in the order published
}

// ErrBadConfig is RelayBatch's error for a limit or maxAttempts below 1.
var ErrBadConfig = errors.New("outbox: limit and maxAttempts must be at least 1")

// RelayBatch is one pass of an outbox relay. The outbox rows were written in
// the same transactions as the data they describe; the relay publishes them to
// the broker afterwards. A row is deleted only once the broker acknowledged it
// (publish returned true); a row that keeps failing (poison) is parked so that
// it stops blocking; and the rows of one aggregate are published in id order,
// never one overtaking another.
func RelayBatch(outbox []Row, publish func(Row) bool, limit, maxAttempts int) (Batch, error) {
	if limit < 1 || maxAttempts < 1 {
		return Batch{}, fmt.Errorf("%w: limit %d, maxAttempts %d", ErrBadConfig, limit, maxAttempts)
	}
	rows := slices.Clone(outbox) // the caller's slice stays as it was
	slices.SortFunc(rows, func(a, b Row) int { return cmp.Compare(a.ID, b.ID) })
	var b Batch
	blocked := map[string]bool{} // aggregates with a row not published in this pass
	tried := 0
	for _, row := range rows {
		if tried == limit || blocked[row.Aggregate] {
			b.Kept = append(b.Kept, row)
			continue
		}
		tried++
		if publish(row) {
			b.Published = append(b.Published, row.ID) // acknowledged: delete it
			continue
		}
		row.Attempts++
		if row.Attempts >= maxAttempts {
			b.Parked = append(b.Parked, row)
		} else {
			b.Kept = append(b.Kept, row)
		}
	}
	return b, nil
}
