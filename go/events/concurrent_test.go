package events_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/events"
)

func rec(p int32, o int64) *kgo.Record {
	return &kgo.Record{Topic: "t", Partition: p, Offset: o}
}

// The watermark stops at the oldest record not done, per partition.
func TestWatermark(t *testing.T) {
	var w events.Watermark
	for o := range int64(5) {
		w.Start(rec(0, o))
	}
	w.Start(rec(1, 7))
	steps := []struct {
		done []*kgo.Record
		want map[string]map[int32]int64
	}{
		{[]*kgo.Record{rec(0, 1), rec(0, 2)}, map[string]map[int32]int64{}},
		{[]*kgo.Record{rec(0, 0)}, map[string]map[int32]int64{"t": {0: 3}}},
		{[]*kgo.Record{rec(0, 4), rec(1, 7)}, map[string]map[int32]int64{"t": {1: 8}}},
		{[]*kgo.Record{rec(0, 3)}, map[string]map[int32]int64{"t": {0: 5}}},
		{nil, map[string]map[int32]int64{}},
	}
	for i, s := range steps {
		for _, r := range s.done {
			w.Done(r)
		}
		if got := w.Committable(); !maps.EqualFunc(got, s.want, maps.Equal) {
			t.Fatalf("step %d: committable %v, want %v", i, got, s.want)
		}
	}
}

// Handlers overlap across keys but keep each key's order; a failure stops
// the commits at the failed record, so a new member repeats what finished
// after it and loses nothing.
func TestConsumeConcurrently(t *testing.T) {
	c, ctx := setup(t)
	tp := topic(t, c, ctx, "in", 1)
	// offsets 0..7: keys a, a, b, a, c, d, e, f
	keys := []string{"a", "a", "b", "a", "c", "d", "e", "f"}
	cl, err := events.NewProducer(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var msgs []events.Message
	for i, k := range keys {
		msgs = append(msgs, events.Message{Key: k, Value: []byte(fmt.Sprint(i))})
	}
	if _, err := events.ProduceKeyed(ctx, cl, tp, msgs...); err != nil {
		t.Fatal(err)
	}
	group := name(t, "group")
	cfg := events.GroupConfig{Config: c, Group: group, Topics: []string{tp}}

	var mu sync.Mutex
	var order []int64
	bDone := make(chan struct{}) // offset 2 (key b) finished
	errFail := errors.New("offset 4 fails")
	m, err := events.Join(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = events.ConsumeConcurrently(ctx, m, 8, func(r *kgo.Record) error {
		switch r.Offset {
		case 0:
			<-bDone // a later key ran meanwhile: keys overlap
		case 4:
			return errFail
		}
		mu.Lock()
		order = append(order, r.Offset)
		mu.Unlock()
		if r.Offset == 2 {
			close(bDone)
		}
		return nil
	})
	m.Close()
	if !errors.Is(err, errFail) {
		t.Fatalf("ConsumeConcurrently: %v, want the handler's failure", err)
	}
	var a []int64
	for _, o := range order {
		if keys[o] == "a" {
			a = append(a, o)
		}
	}
	if !slices.Equal(a, []int64{0, 1, 3}) || slices.Index(order, 2) > slices.Index(order, 0) {
		t.Errorf("order %v: key a must run 0, 1, 3; b (2) must not wait for a", order)
	}
	waitCommitted(t, c, ctx, group, tp, 4) // up to the failed record, not past it

	// A new member resumes at the failed record.
	m2, err := events.Join(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	rest, cancel := context.WithCancel(ctx)
	defer cancel()
	var resumed []int64
	err = events.Consume(rest, m2, events.AtLeastOnce, func(r *kgo.Record) error {
		resumed = append(resumed, r.Offset)
		if r.Offset == 7 {
			cancel()
		}
		return nil
	})
	if err != nil || ctx.Err() != nil || len(resumed) == 0 || resumed[0] != 4 {
		t.Fatalf("the next member read %v (%v): want it to start at 4", resumed, err)
	}
}
