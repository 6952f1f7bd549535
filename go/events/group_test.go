package events_test

import (
	"slices"
	"testing"
	"time"

	"twinbook/events"
)

// A second member takes half the partitions; when it leaves, the first
// gets them back; every step is in the shared log.
func TestGroupRebalancesWhenMembersJoinAndLeave(t *testing.T) {
	c, ctx := setup(t)
	tp := topic(t, c, ctx, "in", 4)
	log := &events.RebalanceLog{}
	cfg := events.GroupConfig{Config: c, Group: name(t, "group"), Topics: []string{tp},
		Log: log, SessionTimeout: 6 * time.Second}
	join := func(member string) *events.Member {
		cfg.Member = member
		m, err := events.Join(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	owns := func(m *events.Member) []int32 { return m.Assigned()[tp] }

	a := join("a")
	defer a.Close()
	waitFor(t, ctx, "a owns all four partitions", func() bool {
		return len(owns(a)) == 4
	})

	b := join("b")
	waitFor(t, ctx, "a and b own two partitions each", func() bool {
		return len(owns(a)) == 2 && len(owns(b)) == 2
	})
	if both := slices.Concat(owns(a), owns(b)); len(slices.Compact(slices.Sorted(
		slices.Values(both)))) != 4 {
		t.Fatalf("a owns %v and b owns %v: not a split of four", owns(a), owns(b))
	}

	b.Close()
	waitFor(t, ctx, "a owns all four again", func() bool { return len(owns(a)) == 4 })

	kinds := map[string][]events.RebalanceKind{}
	for _, e := range log.Events() {
		kinds[e.Member] = append(kinds[e.Member], e.Kind)
	}
	if !slices.Contains(kinds["a"], events.Revoked) || kinds["a"][0] != events.Assigned {
		t.Errorf("a's rebalances: %v, want assigned first and a revoke", kinds["a"])
	}
	if !slices.Contains(kinds["b"], events.Assigned) {
		t.Errorf("b's rebalances: %v, want an assignment", kinds["b"])
	}
}
