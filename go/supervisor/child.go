package supervisor

import (
	"context"
	"fmt"
	"sync"

	"twinbook/actor"
)

// Why Go's Child and Python's differ in shape.
//
// Python's Child (twinbook.supervisor.Child) is shaped differently on
// purpose: it is the reusable slot, start(exited) and terminate(), and a
// run's end comes as a call of exited. Go learns of an end from a channel,
// and a value per run, with its own Done, makes a late end of a replaced run
// harmless by identity; asyncio learns of an end from a callback, and its
// supervisor tells runs apart by a token per start. The same concepts, in
// pairs: Go's StartFunc is Python's Child.start, a Go Child is one run of a
// Python Child, ActorWorker is ActorChild, ProcessSpec (with its Start) is
// ProcessChild, and Process is Process (one started process) in both.
// Aligning the shapes would rewrite one runtime for no change in behaviour.

// docs:start child

// Child is one running worker as its supervisor sees it: something that
// ends, says why, and can be told to end. An actor is one ([ActorWorker]);
// so is an operating-system process ([Process]). Each start makes a new
// Child: a restart never revives the old one.
type Child interface {
	// Done is closed when the child has ended, on its own or terminated.
	Done() <-chan struct{}
	// Reason says why it ended; it is read only after Done is closed.
	Reason() Reason
	// Terminate ends the child and waits until it has: politely first
	// (drain, SIGTERM), then by force when ctx ends (kill, SIGKILL). On a
	// child that has already ended it returns at once. The error says the
	// polite way did not work in time; the child has ended all the same.
	Terminate(ctx context.Context) error
}

// StartFunc starts one new instance of a worker. ctx lives as long as the
// supervisor; an error is the start failing, which the supervisor treats as
// the new child crashing at once (and, when the supervisor itself starts, as
// the start failing).
type StartFunc func(ctx context.Context) (Child, error)

// docs:end child

// ActorWorker is an actor as a supervised worker: each start runs a new
// actor with the same behaviour and an empty mailbox (whatever state the
// crashed one held is gone, as with an Erlang process). Tell and Ask reach
// the current instance, so callers need not know about restarts.
type ActorWorker[M, R any] struct {
	behaviour actor.Behaviour[M, R]
	opts      actor.Options

	mu      sync.Mutex
	current *actor.Actor[M, R]
}

// docs:start actor-child

// NewActorWorker returns the worker whose every start is
// actor.New(behaviour, opts); its Start method is the StartFunc.
func NewActorWorker[M, R any](
	behaviour actor.Behaviour[M, R], opts actor.Options,
) *ActorWorker[M, R] {
	return &ActorWorker[M, R]{behaviour: behaviour, opts: opts}
}

// Start starts a new actor and makes it the current one.
func (w *ActorWorker[M, R]) Start(context.Context) (Child, error) {
	a := actor.New(w.behaviour, w.opts)
	w.mu.Lock()
	w.current = a
	w.mu.Unlock()
	return actorChild[M, R]{a}, nil
}

// docs:end actor-child

// Actor is the current instance, nil before the first start.
func (w *ActorWorker[M, R]) Actor() *actor.Actor[M, R] {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.current
}

// Tell tells the current instance (see [actor.Actor.Tell]); before the first
// start it returns actor.ErrStopped.
func (w *ActorWorker[M, R]) Tell(ctx context.Context, msg M) error {
	a := w.Actor()
	if a == nil {
		return actor.ErrStopped
	}
	return a.Tell(ctx, msg)
}

// Ask asks the current instance (see [actor.Actor.Ask]); before the first
// start it returns actor.ErrStopped.
func (w *ActorWorker[M, R]) Ask(ctx context.Context, msg M) (R, error) {
	a := w.Actor()
	if a == nil {
		var zero R
		return zero, actor.ErrStopped
	}
	return a.Ask(ctx, msg)
}

type actorChild[M, R any] struct{ a *actor.Actor[M, R] }

func (c actorChild[M, R]) Done() <-chan struct{} { return c.a.Done() }

// Reason maps the actor's reason, which has the same three values.
func (c actorChild[M, R]) Reason() Reason { return Reason(c.a.Reason()) }

// Terminate stops the actor gracefully and kills it if ctx ends first.
func (c actorChild[M, R]) Terminate(ctx context.Context) error {
	err := c.a.Stop(ctx)
	if err != nil {
		c.a.Kill()
		<-c.a.Done()
		return fmt.Errorf("supervisor: actor killed: %w", err)
	}
	return nil
}
