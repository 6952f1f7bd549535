package events_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/events"
	"twinbook/kafka"
)

// retryKeys and retryRounds: 5 keys over 3 partitions, 60 records each, so
// that produce requests carry several partitions and keep coming while the
// first ones fail.
var retryKeys = []string{"alice", "bob", "carol", "dave", "erin"}

const retryRounds = 60

// faultyBroker is an embedded broker of this test alone whose first n
// produce requests fail with failure. It is kfake even when TWINBOOK_KAFKA
// names a real broker: a real broker cannot be told to fail on cue.
func faultyBroker(t *testing.T, n int, failure *kerr.Error) (*kafka.Broker, events.Config, context.Context, string) {
	t.Helper()
	b, err := kafka.Start(kafka.Config{FailProduce: n, FailProduceError: failure})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	c := events.Config{Bootstrap: b.Addr(), Timeout: 10 * time.Second}
	return b, c, ctx, topic(t, c, ctx, "retries", 3)
}

// produceRounds writes retryRounds records per key ("key:i") in one go, so
// that many produce requests are in flight, and waits for them all.
func produceRounds(t *testing.T, ctx context.Context, cl *kgo.Client, tp string) {
	t.Helper()
	var msgs []events.Message
	for i := range retryRounds {
		for _, k := range retryKeys {
			msgs = append(msgs, events.Message{Key: k, Value: fmt.Appendf(nil, "%s:%d", k, i)})
		}
	}
	if _, err := events.ProduceKeyed(ctx, cl, tp, msgs...); err != nil {
		t.Fatal(err)
	}
}

// perKey reads tp until at least every record produced is there (and what
// else was already written), and returns each key's sequence numbers in
// log order.
func perKey(t *testing.T, c events.Config, ctx context.Context, tp string) map[string][]int {
	t.Helper()
	got := map[string][]int{}
	for _, r := range readAll(t, c, ctx, tp, len(retryKeys)*retryRounds) {
		k, n, _ := strings.Cut(string(r.Value), ":")
		i, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("unexpected record %q", r.Value)
		}
		got[k] = append(got[k], i)
	}
	return got
}

// The idempotent producer of the chapter keeps every key's records in order,
// each once, although its first produce requests fail and are retried with
// up to five requests in flight: the failed writes happened (the broker
// answered after appending), and the broker recognises each retried batch by
// producer id and sequence number. (A rejection that writes nothing,
// NOT_ENOUGH_REPLICAS, is left out: twice in a row, kgo v1.22.3 drops its
// producer id on this kfake and waits for a new record before asking for
// another, so the buffered records time out; once, it costs a 5 s stall.)
func TestIdempotentProducerKeepsOrderUnderRetries(t *testing.T) {
	for _, tc := range []struct {
		failure *kerr.Error
		n       int
	}{
		{kerr.NotEnoughReplicasAfterAppend, 3},
		{kerr.RequestTimedOut, 3},
	} {
		t.Run(tc.failure.Message, func(t *testing.T) {
			b, c, ctx, tp := faultyBroker(t, tc.n, tc.failure)
			cl, err := events.NewProducer(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			produceRounds(t, ctx, cl, tp)
			got := perKey(t, c, ctx, tp)
			for _, k := range retryKeys {
				if len(got[k]) != retryRounds {
					t.Errorf("key %s: %d records, want %d (duplicates or losses): %v", k, len(got[k]), retryRounds, got[k])
					continue
				}
				for i, n := range got[k] {
					if n != i {
						t.Errorf("key %s: %d came where %d was due: %v", k, n, i, got[k])
						break
					}
				}
			}
			if n := b.ProduceFailures(); n != tc.n {
				t.Errorf("%d produce requests failed, want %d: the test proves nothing", n, tc.n)
			}
		})
	}
}

// Without idempotence the same retries write a batch twice: the broker
// wrote the first attempt before it answered "not enough replicas after
// append", and has no producer id and sequence to recognise the second.
// kfake writes the first attempt every time, so the duplicate is certain.
func TestWithoutIdempotenceRetriesDuplicate(t *testing.T) {
	b, c, ctx, tp := faultyBroker(t, 1, kerr.NotEnoughReplicasAfterAppend)
	cl, err := events.NewProducer(ctx, c, kgo.DisableIdempotentWrite(),
		kgo.MaxProduceRequestsInflightPerBroker(5))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	produceRounds(t, ctx, cl, tp)
	got := perKey(t, c, ctx, tp)
	dups := 0
	for _, k := range retryKeys {
		seen := map[int]bool{}
		for _, n := range got[k] {
			if seen[n] {
				dups++
			}
			seen[n] = true
		}
		if len(seen) != retryRounds {
			t.Errorf("key %s: %d distinct records, want %d", k, len(seen), retryRounds)
		}
	}
	if b.ProduceFailures() != 1 {
		t.Errorf("%d produce requests failed, want 1", b.ProduceFailures())
	}
	if dups == 0 {
		t.Errorf("no duplicate after a retried append: %v", got)
	}
}
