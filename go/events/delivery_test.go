package events_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/events"
)

var errCrash = errors.New("crash injected")

// A member crashes while it processes record 4 of 0..9; a new member of
// the group goes on from the committed offset. Committing first loses the
// record; committing last processes it twice.
func TestACrashLosesOrRepeatsByCommitOrder(t *testing.T) {
	cases := []struct {
		sem         events.Semantics
		lost, twice []string
		resumeAt    int64
	}{
		{events.AtMostOnce, []string{"4"}, nil, 5},
		{events.AtLeastOnce, nil, []string{"4"}, 4},
	}
	for _, tc := range cases {
		t.Run(string(tc.sem), func(t *testing.T) {
			c, ctx := setup(t)
			tp := topic(t, c, ctx, "in", 1)
			var want []string
			for i := range 10 {
				want = append(want, fmt.Sprint(i))
			}
			produce(t, c, ctx, tp, want...)
			cfg := events.GroupConfig{Config: c, Group: name(t, "group"),
				Topics: []string{tp}}

			var done []string // the side effect of processing
			crashing := func(r *kgo.Record) error {
				if r.Offset == 4 && tc.sem == events.AtMostOnce {
					return errCrash // before the work: it never happens
				}
				done = append(done, string(r.Value))
				if r.Offset == 4 {
					return errCrash // after the work, before the commit
				}
				return nil
			}
			cfg.Member = "first"
			first, err := events.Join(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = events.Consume(ctx, first, tc.sem, crashing)
			first.Close()
			if !errors.Is(err, errCrash) {
				t.Fatalf("first member: %v, want the crash", err)
			}

			cfg.Member = "second"
			second, err := events.Join(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer second.Close()
			rest, cancel := context.WithCancel(ctx)
			defer cancel()
			var resumedAt int64 = -1
			err = events.Consume(rest, second, tc.sem, func(r *kgo.Record) error {
				if resumedAt < 0 {
					resumedAt = r.Offset
				}
				done = append(done, string(r.Value))
				if r.Offset == 9 {
					cancel()
				}
				return nil
			})
			if err != nil || ctx.Err() != nil {
				t.Fatalf("second member: %v (test context: %v)", err, ctx.Err())
			}
			if resumedAt != tc.resumeAt {
				t.Errorf("second member resumed at %d, want %d", resumedAt, tc.resumeAt)
			}
			lost, twice := tally(want, done)
			if !slices.Equal(lost, tc.lost) || !slices.Equal(twice, tc.twice) {
				t.Errorf("processed %v: lost %v, twice %v; want lost %v, twice %v",
					done, lost, twice, tc.lost, tc.twice)
			}
		})
	}
}

// tally says which of want were never processed and which more than once.
func tally(want, done []string) (lost, twice []string) {
	count := map[string]int{}
	for _, v := range done {
		count[v]++
	}
	for _, v := range want {
		switch {
		case count[v] == 0:
			lost = append(lost, v)
		case count[v] > 1:
			twice = append(twice, v)
		}
	}
	return lost, twice
}

// Only the two orders exist; anything else is refused before any record.
func TestUnknownSemanticsAreRefused(t *testing.T) {
	c, ctx := setup(t)
	tp := topic(t, c, ctx, "in", 1)
	m, err := events.Join(ctx, events.GroupConfig{Config: c, Group: name(t, "group"),
		Topics: []string{tp}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	err = events.Consume(ctx, m, "exactly-once", func(*kgo.Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "exactly-once") {
		t.Fatalf("Consume with exactly-once: %v, want it refused", err)
	}
}
