package events

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ErrFenced is returned when a newer producer with the same transactional
// id has taken over: this one is a zombie and must stop.
var ErrFenced = errors.New("events: producer fenced")

// ErrAborted is returned by [Pipeline.Step] when the transaction was rolled
// back: nothing it wrote is visible, and its input comes again.
var ErrAborted = errors.New("events: transaction aborted")

// Mode is how a [Pipeline] groups its work.
type Mode string

// The three modes the chapter measures against each other.
const (
	// Plain has no transaction: produce, then commit the input offsets;
	// a crash in between repeats output (at-least-once).
	Plain Mode = "plain"
	// Batched gathers up to PipelineConfig.Batch records (waiting at most
	// PipelineConfig.Linger for more after the first) in one transaction.
	Batched Mode = "batched"
	// PerMessage makes one transaction of each input record.
	PerMessage Mode = "per-message"
)

// Transform turns one input record into the messages to write for it; an
// error aborts the step (in Plain mode, nothing is committed).
type Transform func(*kgo.Record) ([]Message, error)

// PipelineConfig configures a consume-transform-produce [Pipeline].
type PipelineConfig struct {
	Config
	Group, Input, Output string
	// TransactionalID names the producer across restarts: a new pipeline
	// with the same id fences the old one off (Batched, PerMessage).
	TransactionalID string
	Mode            Mode
	// Batch is the most records one Batched step takes (DefaultBatch when
	// 0): a transaction's commit costs milliseconds on real Kafka whatever
	// its size, so the bigger the batch the fewer commits per record, and
	// the more work one abort repeats. Python's twin is its BATCH.
	Batch int
	// Linger is how long a Batched step keeps polling for more records
	// after its first ones came (DefaultLinger when 0): one poll returns
	// only what the client's fetches have buffered so far, often a few
	// hundred records, and a transaction that carries so few spends most
	// of its time committing.
	Linger time.Duration
}

// DefaultBatch and DefaultLinger are a Batched step's defaults: as many
// records as Python's pipeline takes per transaction, enough that a real
// broker's commit (about 25 ms here) is shared by a lot of work (with 5,000
// the batched pipeline kept only 0.38 of the plain one's throughput on
// Kafka 4.4.0), and a linger short beside that commit that still lets
// several fetches arrive.
const (
	DefaultBatch  = 20000
	DefaultLinger = 50 * time.Millisecond
)

// Pipeline reads Input as a group member and writes Output.
type Pipeline struct {
	cfg   PipelineConfig
	sess  *kgo.GroupTransactSession // Batched, PerMessage
	plain *kgo.Client               // Plain
}

// NewPipeline joins cfg.Group and is ready to [Pipeline.Step].
func NewPipeline(ctx context.Context, cfg PipelineConfig) (*Pipeline, error) {
	opts := append(cfg.opts(),
		kgo.ConsumerGroup(cfg.Group), kgo.ConsumeTopics(cfg.Input),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RequiredAcks(kgo.AllISRAcks()))
	p := &Pipeline{cfg: cfg}
	switch cfg.Mode {
	case Plain:
		cl, err := connect(ctx, cfg.Config, append(opts, kgo.DisableAutoCommit())...)
		p.plain = cl
		return p, err
	case Batched, PerMessage:
		sess, err := kgo.NewGroupTransactSession(
			append(opts, kgo.TransactionalID(cfg.TransactionalID))...)
		if err != nil {
			return nil, err
		}
		if err := ping(ctx, cfg.Config, sess.Client()); err != nil {
			sess.Close()
			return nil, err
		}
		p.sess = sess
		return p, nil
	}
	return nil, fmt.Errorf("events: unknown pipeline mode %q", cfg.Mode)
}

// Step polls once (one record in PerMessage mode) and transforms and
// writes what came, returning how many input records it finished.
func (p *Pipeline) Step(ctx context.Context, t Transform) (int, error) {
	if p.plain != nil {
		return p.stepPlain(ctx, t)
	}
	return p.stepTransact(ctx, t)
}

// docs:start events-transact-step

// stepTransact is exactly-once within Kafka: the output records and the
// input offsets commit together or not at all. read_committed consumers
// never see output of an aborted step; its input is polled again.
func (p *Pipeline) stepTransact(ctx context.Context, t Transform) (int, error) {
	recs, err := p.poll(ctx, p.sess.PollRecords)
	if len(recs) == 0 || err != nil {
		return 0, err
	}
	if err := p.sess.Begin(); err != nil {
		return 0, fenced(err)
	}
	terr := p.produce(ctx, p.sess.Client(), recs, t)
	committed, err := p.sess.End(ctx, kgo.TransactionEndTry(terr == nil))
	switch {
	case err != nil:
		return 0, fenced(err)
	case terr != nil:
		return 0, fmt.Errorf("%w: %w", ErrAborted, terr)
	case !committed:
		return 0, fmt.Errorf("%w: the group rebalanced", ErrAborted)
	}
	return len(recs), nil
}

// docs:end events-transact-step

func (p *Pipeline) stepPlain(ctx context.Context, t Transform) (int, error) {
	recs, err := p.poll(ctx, p.plain.PollRecords)
	if len(recs) == 0 || err != nil {
		return 0, err
	}
	if err := p.produce(ctx, p.plain, recs, t); err != nil {
		return 0, err
	}
	if err := p.plain.CommitRecords(ctx, recs...); err != nil {
		return 0, fmt.Errorf("events: commit: %w", err)
	}
	return len(recs), nil
}

func (p *Pipeline) poll(ctx context.Context,
	poll func(context.Context, int) kgo.Fetches) ([]*kgo.Record, error) {
	switch p.cfg.Mode {
	case PerMessage:
		return pollOnce(ctx, poll, 1)
	case Batched:
		return p.gather(ctx, poll)
	}
	return pollOnce(ctx, poll, 0) // everything buffered
}

// gather waits for a first record, then polls again until it holds Batch
// records or Linger has passed: a transaction carries a real batch rather
// than whatever one fetch happened to bring.
func (p *Pipeline) gather(ctx context.Context,
	poll func(context.Context, int) kgo.Fetches) ([]*kgo.Record, error) {
	most := p.cfg.Batch
	if most <= 0 {
		most = DefaultBatch
	}
	linger := p.cfg.Linger
	if linger <= 0 {
		linger = DefaultLinger
	}
	recs, err := pollOnce(ctx, poll, most)
	if len(recs) == 0 || err != nil {
		return recs, err
	}
	lctx, cancel := context.WithTimeout(ctx, linger)
	defer cancel()
	for len(recs) < most && lctx.Err() == nil {
		more, err := pollOnce(lctx, poll, most-len(recs))
		if err != nil {
			// What was polled is already the client's: it must be
			// produced and committed, or polled again after an abort.
			return recs, nil
		}
		recs = append(recs, more...)
	}
	return recs, nil
}

func pollOnce(ctx context.Context, poll func(context.Context, int) kgo.Fetches,
	most int) ([]*kgo.Record, error) {
	fetches := poll(ctx, most)
	for _, fe := range fetches.Errors() {
		if !errors.Is(fe.Err, context.DeadlineExceeded) &&
			!errors.Is(fe.Err, context.Canceled) {
			return nil, fmt.Errorf("events: fetch %s: %w", fe.Topic, fe.Err)
		}
	}
	return fetches.Records(), nil
}

// produce transforms recs and writes each result as soon as it is made,
// then waits for all of them: a transform that fails half-way leaves
// output already written, which only a transaction's abort can hide.
func (p *Pipeline) produce(ctx context.Context, cl *kgo.Client, recs []*kgo.Record,
	t Transform) error {
	var mu sync.Mutex
	var failed error
	promise := func(_ *kgo.Record, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil && failed == nil {
			failed = fmt.Errorf("events: produce to %s: %w", p.cfg.Output, err)
		}
	}
	for _, r := range recs {
		msgs, err := t(r)
		if err != nil {
			return fmt.Errorf("events: transform %s/%d@%d: %w",
				r.Topic, r.Partition, r.Offset, err)
		}
		for _, m := range msgs {
			cl.Produce(ctx, &kgo.Record{Topic: p.cfg.Output, Key: []byte(m.Key),
				Value: m.Value}, promise)
		}
	}
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	return failed
}

// Close leaves the group (an open transaction is aborted by the broker).
func (p *Pipeline) Close() {
	if p.sess != nil {
		p.sess.Close()
	} else {
		p.plain.Close()
	}
}

// NewTransactionalProducer makes a producer with a transactional id. Its
// start fences off any older producer with the same id: the broker bumps
// the id's epoch and aborts the older one's open transaction.
func NewTransactionalProducer(ctx context.Context, c Config, id string) (*kgo.Client,
	error) {
	return NewProducer(ctx, c, kgo.TransactionalID(id))
}

// docs:start events-end-transaction

// EndTransaction commits (or aborts) cl's open transaction. A zombie's
// commit fails with ErrFenced: a newer producer owns the id, so nothing
// this one wrote since its transaction began will ever be visible to a
// read_committed consumer.
func EndTransaction(ctx context.Context, cl *kgo.Client, commit bool) error {
	err := cl.EndTransaction(ctx, kgo.TransactionEndTry(commit))
	if err != nil {
		return fenced(fmt.Errorf("events: end transaction: %w", err))
	}
	return nil
}

func fenced(err error) error {
	if errors.Is(err, kerr.ProducerFenced) ||
		errors.Is(err, kerr.InvalidProducerEpoch) {
		return fmt.Errorf("%w: %w", ErrFenced, err)
	}
	return err
}

// docs:end events-end-transaction
