package events_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/events"
)

var errPoison = errors.New("transform failed")

// upper is the pipelines' transform; it fails once on "3" when failOnce is
// set, which aborts that step.
func upper(failOnce *bool) events.Transform {
	return func(r *kgo.Record) ([]events.Message, error) {
		if string(r.Value) == "3" && *failOnce {
			*failOnce = false
			return nil, errPoison
		}
		return []events.Message{{Key: string(r.Key), Value: bytes.ToUpper(
			append([]byte("v"), r.Value...))}}, nil
	}
}

// Each mode moves every input record to the output exactly once here (no
// crash); in the transactional modes a failed step is aborted: its output
// is never visible to read_committed consumers, and its input comes again.
func TestPipelineModes(t *testing.T) {
	for _, mode := range []events.Mode{events.Batched, events.PerMessage, events.Plain} {
		t.Run(string(mode), func(t *testing.T) {
			c, ctx := setup(t)
			in, out := topic(t, c, ctx, "in", 1), topic(t, c, ctx, "out", 1)
			var want []string
			for i := range 8 {
				produce(t, c, ctx, in, fmt.Sprint(i))
				want = append(want, fmt.Sprint("V", i))
			}
			cfg := events.PipelineConfig{Config: c, Group: name(t, "group"),
				Input: in, Output: out, TransactionalID: name(t, "txn"), Mode: mode}
			p, err := events.NewPipeline(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			failOnce := mode != events.Plain
			aborted := 0
			for done := 0; done < 8; {
				n, err := p.Step(ctx, upper(&failOnce))
				switch {
				case errors.Is(err, events.ErrAborted) && errors.Is(err, errPoison):
					aborted++
				case err != nil:
					t.Fatal(err)
				}
				done += n
				if ctx.Err() != nil {
					t.Fatalf("%d of 8 records done within the deadline", done)
				}
			}
			if wantAborted := map[bool]int{true: 1}[mode != events.Plain]; aborted != wantAborted {
				t.Errorf("%d steps aborted, want %d", aborted, wantAborted)
			}
			produce(t, c, ctx, out, "end")
			got := values(readUntil(t, c, ctx, out, "end", true))
			if !slices.Equal(got, append(want, "end")) {
				t.Errorf("read_committed output %v, want %v then end", got, want)
			}
			waitCommitted(t, c, ctx, cfg.Group, in, 8)
		})
	}
}

// A Batched step takes at most Batch records, however many are waiting,
// and the records it leaves come in the next steps, each exactly once.
func TestPipelineBatchLimit(t *testing.T) {
	c, ctx := setup(t)
	in, out := topic(t, c, ctx, "in", 1), topic(t, c, ctx, "out", 1)
	var want []string
	for i := range 8 {
		produce(t, c, ctx, in, fmt.Sprint(i))
		want = append(want, fmt.Sprint("V", i))
	}
	cfg := events.PipelineConfig{Config: c, Group: name(t, "group"), Input: in,
		Output: out, TransactionalID: name(t, "txn"), Mode: events.Batched,
		Batch: 3, Linger: 100 * time.Millisecond}
	p, err := events.NewPipeline(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var steps []int
	for done := 0; done < 8; {
		n, err := p.Step(ctx, upper(new(bool)))
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			steps = append(steps, n)
		}
		done += n
		if ctx.Err() != nil {
			t.Fatalf("%d of 8 records done within the deadline", done)
		}
	}
	for _, n := range steps {
		if n > 3 {
			t.Errorf("steps took %v records, want at most 3 each", steps)
		}
	}
	produce(t, c, ctx, out, "end")
	got := values(readUntil(t, c, ctx, out, "end", true))
	if !slices.Equal(got, append(want, "end")) {
		t.Errorf("read_committed output %v, want %v then end", got, want)
	}
	waitCommitted(t, c, ctx, cfg.Group, in, 8)
}

// waitCommitted polls the group's committed offset: real Kafka makes
// offsets committed in a transaction visible a little after the commit.
func waitCommitted(t *testing.T, c events.Config, ctx context.Context, group,
	tp string, want int64) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	var at int64 = -1
	waitFor(t, ctx, fmt.Sprintf("group %s's offset %d", group, want),
		func() bool {
			offsets, err := adm.FetchOffsets(ctx, group)
			if o, ok := offsets.Lookup(tp, 0); err == nil && ok {
				at = o.At
			}
			return at == want
		})
}

// A producer whose transactional id a newer producer took over is a
// zombie: its commit fails with ErrFenced and nothing it wrote is seen.
func TestZombieIsFenced(t *testing.T) {
	c, ctx := setup(t)
	tp := topic(t, c, ctx, "out", 1)
	id := name(t, "txn")
	zombie, err := events.NewTransactionalProducer(ctx, c, id)
	if err != nil {
		t.Fatal(err)
	}
	defer zombie.Close()
	if err := zombie.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if _, err := events.ProduceKeyed(ctx, zombie, tp,
		events.Message{Key: "k", Value: []byte("zombie")}); err != nil {
		t.Fatal(err)
	}

	fresh, err := events.NewTransactionalProducer(ctx, c, id)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if err := fresh.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if _, err := events.ProduceKeyed(ctx, fresh, tp,
		events.Message{Key: "k", Value: []byte("fresh")}); err != nil {
		t.Fatal(err)
	}
	if err := events.EndTransaction(ctx, fresh, true); err != nil {
		t.Fatal(err)
	}

	if err := events.EndTransaction(ctx, zombie, true); !errors.Is(err, events.ErrFenced) {
		t.Fatalf("the zombie's commit: %v, want ErrFenced", err)
	}
	if got := values(readUntil(t, c, ctx, tp, "fresh", true)); !slices.Equal(got,
		[]string{"fresh"}) {
		t.Errorf("read_committed saw %v, want only fresh", got)
	}
	if got := values(readUntil(t, c, ctx, tp, "fresh", false)); !slices.Contains(got,
		"zombie") {
		t.Errorf("read_uncommitted saw %v: the zombie's record should be in the log", got)
	}
}
