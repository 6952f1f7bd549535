package saga

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"twinbook/clock"
)

// ErrEmptyID is returned by Run for an empty saga id.
var ErrEmptyID = errors.New("saga: empty saga id")

// Options tune an Orchestrator; the zero value is the default.
type Options struct {
	// Backoff returns how long to wait before the next attempt of an action
	// or compensation that has failed `failures` times (1, 2, ...). Zero
	// means no wait. Default: DefaultBackoff.
	Backoff func(failures int) time.Duration
	// Clock waits out the backoff; default clock.System{}.
	Clock clock.Clock
}

// DefaultBackoff doubles from 10 ms up to 1 s: compensations are retried
// until they succeed, so the wait must be bounded but not hammer a
// participant that is down.
func DefaultBackoff(failures int) time.Duration {
	d := 10 * time.Millisecond
	for i := 1; i < failures && d < time.Second; i++ {
		d *= 2
	}
	return min(d, time.Second)
}

// NoBackoff retries at once; for tests and vectors.
func NoBackoff(int) time.Duration { return 0 }

// Orchestrator runs the sagas of one Definition, persisting their progress
// in a Log. It is safe for concurrent use; each saga id is run by one
// goroutine at a time within an Orchestrator (across processes, run one
// orchestrator per saga at a time: the log does not lease sagas).
type Orchestrator struct {
	def   Definition
	log   Log
	opts  Options
	mu    sync.Mutex
	locks map[string]*sagaLock // only the ids being run: entries go when unused
}

// sagaLock serialises the runs of one saga id; users counts the goroutines
// holding or waiting for it, so that the last one removes it.
type sagaLock struct {
	sync.Mutex
	users int
}

// New returns an Orchestrator for def, or an error wrapping ErrInvalidSaga.
func New(def Definition, log Log, opts Options) (*Orchestrator, error) {
	if err := def.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		return nil, fmt.Errorf("%w: %s: no log", ErrInvalidSaga, def.ID)
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	return &Orchestrator{def: def, log: log, opts: opts, locks: map[string]*sagaLock{}}, nil
}

// Run runs saga id to its end and returns Completed or Compensated. A saga
// already recorded is continued from its recorded progress (finished: its
// state is returned at once). An error from the Log or ctx stops the run
// with the saga unfinished; Run or Resume finishes it later. A participant's
// panic is not recovered: to the saga it is a crash.
func (o *Orchestrator) Run(ctx context.Context, id string) (State, error) {
	if id == "" {
		return "", ErrEmptyID
	}
	defer o.lock(id)()
	p, err := o.log.Begin(ctx, Progress{SagaID: id, Definition: o.def.ID, State: Running})
	if err != nil {
		return "", fmt.Errorf("saga %q: begin: %w", id, err)
	}
	if p.Definition != o.def.ID {
		return p.State, fmt.Errorf("%w: saga %q is a %q, not a %q", ErrOtherDefinition, id, p.Definition, o.def.ID)
	}
	for !p.State.Finished() {
		if p, err = o.attempt(ctx, p); err != nil {
			return p.State, err
		}
	}
	return p.State, nil
}

// Resume finishes every unfinished saga of the orchestrator's Definition
// (after a crash, at start-up) and returns how many it finished. It goes on
// past a saga that fails to finish and returns all such errors joined.
func (o *Orchestrator) Resume(ctx context.Context) (int, error) {
	ids, err := o.log.Unfinished(ctx, o.def.ID)
	if err != nil {
		return 0, fmt.Errorf("saga: resume %s: %w", o.def.ID, err)
	}
	done := 0
	var errs []error
	for _, id := range ids {
		if _, err := o.Run(ctx, id); err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		done++
	}
	return done, errors.Join(errs...)
}

// lock takes id's lock and returns its release.
func (o *Orchestrator) lock(id string) (unlock func()) {
	o.mu.Lock()
	l, ok := o.locks[id]
	if !ok {
		l = &sagaLock{}
		o.locks[id] = l
	}
	l.users++
	o.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		o.mu.Lock()
		defer o.mu.Unlock()
		if l.users--; l.users == 0 {
			delete(o.locks, id)
		}
	}
}

// attempt makes the one attempt p says is next, persisting it before and
// after, and returns the progress that follows.
func (o *Orchestrator) attempt(ctx context.Context, p Progress) (Progress, error) {
	if p.Step < 0 || p.Step >= len(o.def.Steps) {
		return p, fmt.Errorf("saga %q: recorded step %d is not a step of %s (%d steps)", p.SagaID, p.Step, o.def.ID, len(o.def.Steps))
	}
	step := o.def.Steps[p.Step]
	kind, fn := Action, step.Action
	if p.State == Compensating {
		kind, fn = Compensation, step.Compensation
	}
	if p.Failures > 0 {
		if err := o.wait(ctx, o.opts.Backoff(p.Failures)); err != nil {
			return p, fmt.Errorf("saga %q: %s:%s: %w", p.SagaID, step.Name, kind, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return p, fmt.Errorf("saga %q: %w", p.SagaID, err)
	}
	// docs:start saga-attempt
	where := fmt.Sprintf("saga %q: %s:%s", p.SagaID, step.Name, kind)
	if err := o.log.Start(ctx, p.SagaID, step.Name, kind); err != nil {
		return p, fmt.Errorf("%s: record start: %w", where, err)
	}
	var callErr error
	// Only the last step may have no compensation, and it never needs one.
	if fn != nil {
		key := Key(p.SagaID, step.Name, kind)
		callErr = fn(ctx, Call{SagaID: p.SagaID, Step: step.Name, Kind: kind, Key: key})
	}
	if callErr != nil && ctx.Err() != nil {
		// Cancelled, not failed: leave the attempt unrecorded, as a crash
		// would, so that it is repeated rather than counted.
		return p, fmt.Errorf("%s: %w", where, ctx.Err())
	}
	result, next := o.next(p, callErr == nil)
	err := o.log.Finish(ctx, p.SagaID, step.Name, kind, result, next)
	if err != nil {
		return p, fmt.Errorf("%s: record %s: %w", where, result, err)
	}
	return next, nil
	// docs:end saga-attempt
}

// next is the progress after an attempt at p that succeeded (ok) or failed:
// the rules of the spec in one place.
func (o *Orchestrator) next(p Progress, ok bool) (Result, Progress) {
	// docs:start saga-next
	n := p
	switch {
	case p.State == Running && ok:
		n.Step, n.Failures = p.Step+1, 0
		if n.Step == len(o.def.Steps) {
			n.State = Completed
		}
		return OK, n
	case p.State == Running:
		n.Failures = p.Failures + 1
		if n.Failures > o.def.Steps[p.Step].Retries {
			// Failed for good: compensate the steps before it, not itself.
			n.State, n.Step, n.Failures = Compensating, p.Step-1, 0
			if n.Step < 0 {
				n.State = Compensated
			}
		}
		return Fail, n
	case ok:
		n.Step, n.Failures = p.Step-1, 0
		if n.Step < 0 {
			n.State = Compensated
		}
		return OK, n
	default: // a compensation is retried until it succeeds
		n.Failures = p.Failures + 1
		return Fail, n
	}
	// docs:end saga-next
}

func (o *Orchestrator) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-o.opts.Clock.After(d):
		return nil
	}
}
