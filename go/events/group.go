package events

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// RebalanceKind is what a rebalance did to a member's partitions.
type RebalanceKind string

// The three things a rebalance does to a member, as kgo's callbacks and
// librdkafka's rebalance callback report them.
const (
	Assigned RebalanceKind = "assigned" // given to the member
	Revoked  RebalanceKind = "revoked"  // taken away, cleanly
	Lost     RebalanceKind = "lost"     // taken away without notice
)

// RebalanceEvent is one callback: which member, what happened, and to
// which partitions of which topics.
type RebalanceEvent struct {
	Member     string
	Kind       RebalanceKind
	Partitions map[string][]int32
}

// RebalanceLog collects the rebalance events of every member that shares
// it, in the order they happened; it is safe for concurrent use.
type RebalanceLog struct {
	mu     sync.Mutex
	events []RebalanceEvent
}

// Events returns a copy of the events so far.
func (l *RebalanceLog) Events() []RebalanceEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func (l *RebalanceLog) add(e RebalanceEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

// GroupConfig is a member's configuration.
type GroupConfig struct {
	Config
	Group  string
	Topics []string
	// Member names the member in the log (kgo's member id is the broker's).
	Member string
	// Log receives the member's rebalance events; nil discards them.
	Log *RebalanceLog
	// ReadCommitted hides records of aborted and open transactions.
	ReadCommitted bool
	// SessionTimeout is how long the group waits for a silent member
	// before it rebalances without it (kgo's 45 s when 0). Heartbeats go
	// at a tenth of it, and a heartbeat is how a member learns that a
	// rebalance began: short in tests, so rebalances finish quickly.
	SessionTimeout time.Duration
}

// Member is one consumer in a group. It commits only when told to.
type Member struct {
	name     string
	timeout  time.Duration
	cl       *kgo.Client
	mu       sync.Mutex
	assigned map[string][]int32
}

// docs:start events-join

// Join makes a member of cfg.Group reading cfg.Topics from the oldest
// record. Each rebalance callback updates what the member owns and goes to
// cfg.Log. Auto-commit is off: the caller decides when an offset is done.
func Join(ctx context.Context, cfg GroupConfig) (*Member, error) {
	m := &Member{name: cfg.Member, timeout: cfg.timeout(),
		assigned: map[string][]int32{}}
	opts := []kgo.Opt{
		kgo.ConsumerGroup(cfg.Group), kgo.ConsumeTopics(cfg.Topics...),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.OnPartitionsAssigned(m.note(Assigned, cfg.Log)),
		kgo.OnPartitionsRevoked(m.note(Revoked, cfg.Log)),
		kgo.OnPartitionsLost(m.note(Lost, cfg.Log)),
	}
	cl, err := connect(ctx, cfg.Config, append(opts, cfg.consumerOpts()...)...)
	if err != nil {
		return nil, err
	}
	m.cl = cl
	return m, nil
}

// docs:end events-join

func (cfg GroupConfig) consumerOpts() []kgo.Opt {
	var opts []kgo.Opt
	if cfg.ReadCommitted {
		// kgo always asks for stable offsets: a group member waits for a
		// pending transactional commit instead of reading past it.
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	if cfg.SessionTimeout > 0 {
		opts = append(opts, kgo.SessionTimeout(cfg.SessionTimeout),
			kgo.HeartbeatInterval(cfg.SessionTimeout/10))
	}
	return opts
}

// note is the callback of one kind of rebalance event.
func (m *Member) note(kind RebalanceKind, log *RebalanceLog) func(context.Context,
	*kgo.Client, map[string][]int32) {
	return func(_ context.Context, _ *kgo.Client, ps map[string][]int32) {
		m.update(kind, ps)
		if log != nil {
			log.add(RebalanceEvent{m.name, kind, sorted(ps)})
		}
	}
}

func (m *Member) update(kind RebalanceKind, ps map[string][]int32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for topic, parts := range ps {
		have := m.assigned[topic]
		if kind == Assigned {
			have = append(have, parts...)
		} else {
			have = slices.DeleteFunc(have, func(p int32) bool {
				return slices.Contains(parts, p)
			})
		}
		slices.Sort(have)
		m.assigned[topic] = slices.Compact(have)
		if len(m.assigned[topic]) == 0 {
			delete(m.assigned, topic)
		}
	}
}

// Name is the member's name in the log.
func (m *Member) Name() string { return m.name }

// Assigned returns the partitions the member owns now, by topic.
func (m *Member) Assigned() map[string][]int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return sorted(m.assigned)
}

// Poll waits up to the context's deadline for records and returns those
// that came (none on timeout: a quiet topic is not an error).
func (m *Member) Poll(ctx context.Context) ([]*kgo.Record, error) {
	fetches := m.cl.PollFetches(ctx)
	if fetches.IsClientClosed() {
		return nil, fmt.Errorf("events: member %s is closed", m.name)
	}
	for _, fe := range fetches.Errors() {
		if !errors.Is(fe.Err, context.DeadlineExceeded) &&
			!errors.Is(fe.Err, context.Canceled) {
			return fetches.Records(), fmt.Errorf("events: fetch %s/%d: %w",
				fe.Topic, fe.Partition, fe.Err)
		}
	}
	return fetches.Records(), nil
}

// Commit records that everything up to and including recs is done: the
// group's next owner of those partitions starts after them. A cancelled
// ctx does not stop it (within the timeout): work that is done must not be
// forgotten because a shutdown was asked for.
func (m *Member) Commit(ctx context.Context, recs ...*kgo.Record) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.timeout)
	defer cancel()
	if err := m.cl.CommitRecords(ctx, recs...); err != nil {
		return fmt.Errorf("events: commit: %w", err)
	}
	return nil
}

// Close leaves the group, so the others rebalance at once instead of after
// the session timeout. Nothing is committed on the way out.
func (m *Member) Close() { m.cl.Close() }

// Client is the member's kgo client (for what the package does not wrap).
func (m *Member) Client() *kgo.Client { return m.cl }

func sorted(ps map[string][]int32) map[string][]int32 {
	out := make(map[string][]int32, len(ps))
	for _, t := range slices.Sorted(maps.Keys(ps)) {
		out[t] = slices.Sorted(slices.Values(ps[t]))
	}
	return out
}

// commitOffsets commits offsets (the next offset to read, per partition),
// like [Member.Commit], even after ctx is cancelled (within the timeout).
func commitOffsets(ctx context.Context, m *Member,
	offsets map[string]map[int32]int64) error {
	if len(offsets) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.timeout)
	defer cancel()
	at := make(map[string]map[int32]kgo.EpochOffset, len(offsets))
	for t, ps := range offsets {
		at[t] = make(map[int32]kgo.EpochOffset, len(ps))
		for p, o := range ps {
			at[t][p] = kgo.EpochOffset{Epoch: -1, Offset: o}
		}
	}
	var cerr error
	m.cl.CommitOffsetsSync(ctx, at, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest,
		resp *kmsg.OffsetCommitResponse, err error) {
		if err == nil {
			for _, t := range resp.Topics {
				for _, p := range t.Partitions {
					err = errors.Join(err, kerr.ErrorForCode(p.ErrorCode))
				}
			}
		}
		cerr = err
	})
	if cerr != nil {
		return fmt.Errorf("events: commit: %w", cerr)
	}
	return nil
}
