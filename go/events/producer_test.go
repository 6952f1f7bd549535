package events_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"twinbook/events"
)

// Every key lands on the partition [events.Partition] computes, and the
// records of one key come back in the order they were produced although
// many produce requests were in flight at once.
func TestProduceKeyedKeepsKeysOnTheirPartitionInOrder(t *testing.T) {
	c, ctx := setup(t)
	tp := topic(t, c, ctx, "keys", 6)
	cl, err := events.NewProducer(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	keys := []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace"}
	var msgs []events.Message
	for i := range 40 {
		for _, k := range keys {
			msgs = append(msgs, events.Message{Key: k, Value: []byte(fmt.Sprint(k, ":", i))})
		}
	}
	msgs = append(msgs, events.Message{Key: "alice", Value: []byte("end")})
	got, err := events.ProduceKeyed(ctx, cl, tp, msgs...)
	if err != nil {
		t.Fatal(err)
	}
	used := map[int32]bool{}
	for _, d := range got {
		if want := events.Partition([]byte(d.Key), 6); d.Partition != want {
			t.Fatalf("key %q went to partition %d, want %d", d.Key, d.Partition, want)
		}
		used[d.Partition] = true
	}
	if len(used) < 3 {
		t.Errorf("seven keys used only partitions %v", used)
	}
	if id, _, err := cl.ProducerID(ctx); err != nil || id < 0 {
		t.Errorf("no producer id (idempotence off?): %d, %v", id, err)
	}

	// Read every partition back: per key, the sequence numbers only grow.
	seen := map[string]int{}
	var all []string
	recs := readAll(t, c, ctx, tp, len(msgs))
	for _, r := range recs {
		all = append(all, string(r.Value))
		k, n, _ := strings.Cut(string(r.Value), ":")
		if n == "" {
			continue
		}
		i, _ := strconv.Atoi(n)
		want := 0
		if prev, ok := seen[k]; ok {
			want = prev + 1
		}
		if i != want {
			t.Fatalf("key %s: %d came where %d was due", k, i, want)
		}
		seen[k] = i
	}
	if len(all) != len(msgs) {
		t.Errorf("read %d records, produced %d", len(all), len(msgs))
	}
}

// A broker that is not there is a named error within the timeout.
func TestNoBrokerIsANamedError(t *testing.T) {
	c := events.Config{Bootstrap: "127.0.0.1:1", Timeout: 300 * time.Millisecond}
	ctx := t.Context()
	_, err := events.NewProducer(ctx, c)
	if !errors.Is(err, events.ErrBrokerUnavailable) {
		t.Fatalf("NewProducer: %v, want ErrBrokerUnavailable", err)
	}
	_, err = events.Join(ctx, events.GroupConfig{Config: c, Group: "g", Topics: []string{"t"}})
	if !errors.Is(err, events.ErrBrokerUnavailable) {
		t.Fatalf("Join: %v, want ErrBrokerUnavailable", err)
	}
	err = events.CreateTopic(ctx, c, "t", 1)
	if !errors.Is(err, events.ErrBrokerUnavailable) {
		t.Fatalf("CreateTopic: %v, want ErrBrokerUnavailable", err)
	}
}
