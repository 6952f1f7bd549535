package actor

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// DefaultCapacity is the mailbox size when [Options].Capacity is not set.
const DefaultCapacity = 64

// docs:start overflow

// Overflow is what a sender meets when the mailbox is full.
type Overflow int

const (
	// Block waits for room until the sender's context ends: backpressure,
	// the sender slows down to the actor's pace. The zero value.
	Block Overflow = iota
	// FailFast returns [ErrMailboxFull] at once: the sender decides what to
	// do with a message the actor has no room for (shed it, retry later).
	FailFast
)

// docs:end overflow

// String names the policy.
func (o Overflow) String() string {
	switch o {
	case Block:
		return "block"
	case FailFast:
		return "fail_fast"
	}
	return fmt.Sprintf("Overflow(%d)", int(o))
}

// Options configure an actor's mailbox.
type Options struct {
	// Capacity bounds the mailbox: how many messages may wait for the actor.
	// Zero or less means DefaultCapacity.
	Capacity int
	// Overflow is the policy when the mailbox is full (Block by default).
	Overflow Overflow
}

// Behaviour is an actor's body. It runs on the actor's own goroutine, takes
// its messages from mb (usually `for env := range mb.All()`), and keeps its
// state in local variables, which nothing else can touch. Returning nil ends
// the actor with reason [Normal] (or [Shutdown] when it was stopped);
// returning an error or panicking ends it with [Crash]. ctx is cancelled by
// [Actor.Kill], for work that should stop with the actor.
type Behaviour[M, R any] func(ctx context.Context, mb *Mailbox[M, R]) error

// Actor is a running actor taking messages of type M; an [Actor.Ask] gets a
// reply of type R. Its methods are safe for concurrent use.
type Actor[M, R any] struct {
	ch       chan Envelope[M, R]
	overflow Overflow

	// state counts the senders between their check that the mailbox is open
	// and the end of their send, and holds closedBit once it is closed: a
	// graceful stop drains until nobody is left in between, so a Tell that
	// returned nil is never dropped by Stop.
	state atomic.Int64
	quiet chan struct{} // a sender left while closed: the drain re-checks

	stopping chan struct{} // closed by Stop
	killed   chan struct{} // closed by Kill
	isKilled atomic.Bool
	done     chan struct{} // closed once the behaviour has returned
	cancel   context.CancelFunc

	stopOnce, killOnce sync.Once
	stopped            atomic.Bool // Stop or Kill was asked for

	reason Reason // set before done is closed
	err    error
}

const closedBit = int64(1) << 62

// New starts an actor running behaviour on a goroutine of its own, with an
// empty mailbox configured by opts. The actor runs until its behaviour
// returns; Stop or Kill ask it to.
func New[M, R any](behaviour Behaviour[M, R], opts Options) *Actor[M, R] {
	capacity := opts.Capacity
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &Actor[M, R]{
		ch:       make(chan Envelope[M, R], capacity),
		overflow: opts.Overflow,
		quiet:    make(chan struct{}, 1),
		stopping: make(chan struct{}),
		killed:   make(chan struct{}),
		done:     make(chan struct{}),
		cancel:   cancel,
	}
	go a.run(ctx, behaviour)
	return a
}

// docs:start exit-reason

func (a *Actor[M, R]) run(ctx context.Context, behaviour Behaviour[M, R]) {
	defer close(a.done)
	defer a.cancel()
	err := a.call(ctx, behaviour)
	// No new message from now on: a late Tell fails instead of waiting in a
	// mailbox nobody reads.
	a.state.Or(closedBit)
	var panicked *PanicError
	switch {
	case errors.As(err, &panicked):
		a.reason, a.err = Crash, err
	case err != nil && !(a.isKilled.Load() && errors.Is(err, context.Canceled)):
		a.reason, a.err = Crash, err
	case a.stopped.Load():
		a.reason = Shutdown
	default:
		a.reason = Normal
	}
}

// call runs the behaviour, turning a panic into a *PanicError: a crash is a
// reason to report, not a reason to take down the process.
func (a *Actor[M, R]) call(ctx context.Context, behaviour Behaviour[M, R]) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return behaviour(ctx, &Mailbox[M, R]{a: a})
}

// docs:end exit-reason

// docs:start stop

// Stop stops the actor gracefully: the mailbox takes no new message
// ([ErrStopped]), the behaviour still receives every message already queued
// (or being sent), then its receive loop ends. Stop waits for the actor to
// end and returns nil, or returns ctx's error, wrapped, if ctx ends first; the
// actor goes on draining then, and Kill ends it at once.
// A behaviour that wants to end returns instead: Stop from its own goroutine
// would wait for itself until ctx ends.
func (a *Actor[M, R]) Stop(ctx context.Context) error {
	a.stopOnce.Do(func() {
		a.stopped.Store(true)
		a.state.Or(closedBit)
		close(a.stopping)
	})
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("actor: stop: waiting for the mailbox to drain: %w",
			ctx.Err())
	}
}

// docs:end stop

// docs:start kill

// Kill stops the actor at once: the behaviour's receive loop ends without
// the messages still queued, every pending ask gets [ErrStopped], and the
// behaviour's context is cancelled. Kill does not wait; Done is closed when
// the behaviour has returned (a behaviour busy with one message finishes it
// unless it watches its context: a goroutine cannot be preempted).
func (a *Actor[M, R]) Kill() {
	a.killOnce.Do(func() {
		a.stopped.Store(true)
		a.isKilled.Store(true)
		a.state.Or(closedBit)
		close(a.killed)
		a.cancel()
	})
}

// docs:end kill

// Len is how many messages wait in the mailbox: the actor's backlog.
func (a *Actor[M, R]) Len() int { return len(a.ch) }

// Done is closed when the actor has ended, whatever the reason.
func (a *Actor[M, R]) Done() <-chan struct{} { return a.done }

// Reason says why the actor ended; it is "" while the actor runs.
func (a *Actor[M, R]) Reason() Reason {
	select {
	case <-a.done:
		return a.reason
	default:
		return ""
	}
}

// Err is the cause of a [Crash]: the error the behaviour returned, or a
// *[PanicError] with the panic value. It is nil for any other reason and
// while the actor runs.
func (a *Actor[M, R]) Err() error {
	select {
	case <-a.done:
		return a.err
	default:
		return nil
	}
}
