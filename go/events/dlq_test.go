package events_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/events"
)

// A record that does not parse goes to "<topic>.dlq" with its error and
// origin in headers; the records after it are processed all the same.
func TestPoisonGoesToTheDeadLetterTopic(t *testing.T) {
	c, ctx := setup(t)
	tp := topic(t, c, ctx, "in", 1)
	if err := events.CreateTopic(ctx, c, events.DLQTopic(tp), 1); err != nil {
		t.Fatal(err)
	}
	produce(t, c, ctx, tp, "1", "2", "x", "4")
	group := name(t, "group")
	m, err := events.Join(ctx, events.GroupConfig{Config: c, Group: group,
		Topics: []string{tp}, Member: "m"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	run, cancel := context.WithCancel(ctx)
	defer cancel()
	var sum int
	err = events.ConsumeWithDLQ(run, m, func(r *kgo.Record) error {
		if r.Offset == 3 {
			defer cancel()
		}
		n, err := strconv.Atoi(string(r.Value))
		sum += n
		return err
	})
	if err != nil || ctx.Err() != nil {
		t.Fatalf("ConsumeWithDLQ: %v (test context: %v)", err, ctx.Err())
	}
	if sum != 7 {
		t.Errorf("sum of the good records = %d, want 7", sum)
	}

	dead := readUntil(t, c, ctx, events.DLQTopic(tp), "x", false)
	if len(dead) != 1 {
		t.Fatalf("dead letters %v, want the one poison record", values(dead))
	}
	headers := map[string]string{}
	for _, h := range dead[0].Headers {
		headers[h.Key] = string(h.Value)
	}
	if !strings.Contains(headers[events.HeaderError], "invalid syntax") ||
		headers[events.HeaderTopic] != tp || headers[events.HeaderPartition] != "0" ||
		headers[events.HeaderOffset] != "2" || string(dead[0].Key) != "k" {
		t.Errorf("dead letter key %q, headers %v", dead[0].Key, headers)
	}
	waitCommitted(t, c, ctx, group, tp, 4) // the poison record's offset too
}
