package concurrency

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// A Group runs tasks in goroutines and waits for them as a unit, like
// golang.org/x/sync/errgroup.Group, but it keeps every error and turns a
// panicking task into an error instead of a crash.
//
// A zero Group is valid: it has no limit and does not cancel anything.
// Use [WithContext] for a Group whose first failure cancels its context.
type Group struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	sem    chan struct{} // nil means no limit

	mu   sync.Mutex
	errs []error // in the order the tasks failed
}

// WithContext returns a Group and a context derived from ctx. The context is
// passed to every task and is cancelled when a task first fails or panics,
// with that error as its [context.Cause], or else when Wait returns.
func WithContext(ctx context.Context) (*Group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	return &Group{ctx: ctx, cancel: cancel}, ctx
}

// SetLimit limits the group to n tasks running at once; Go blocks while n
// are running. A negative n removes the limit. SetLimit panics if n is zero,
// which would block Go forever, or if tasks are running.
func (g *Group) SetLimit(n int) {
	if n == 0 {
		panic("concurrency: Group limit of zero")
	}
	if len(g.sem) != 0 {
		panic(fmt.Sprintf("concurrency: SetLimit while %d tasks are running", len(g.sem)))
	}
	if n < 0 {
		g.sem = nil
		return
	}
	g.sem = make(chan struct{}, n)
}

// docs:start group-go

// Go runs fn in a new goroutine, first waiting for a free slot if the group
// has a limit. An error or a panic from fn is kept for [Group.Wait], and the
// first one cancels the group's context.
func (g *Group) Go(fn func(ctx context.Context) error) {
	sem := g.sem // the slot goes back where it came from, whatever SetLimit does
	if sem != nil {
		sem <- struct{}{}
	}
	g.wg.Go(func() {
		defer func() {
			if sem != nil {
				<-sem
			}
		}()
		if err := g.call(fn); err != nil {
			g.fail(err)
		}
	})
}

// call runs fn, turning a panic into a *PanicError so that one broken task
// reports like any other failure instead of taking down the process.
func (g *Group) call(fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(g.taskContext())
}

// docs:end group-go

// taskContext is the context passed to tasks; a zero Group has none of its own.
func (g *Group) taskContext() context.Context {
	if g.ctx == nil {
		return context.Background()
	}
	return g.ctx
}

// docs:start group-wait

// fail records err and cancels the group's context. Both happen under the
// lock so that the cause of the cancellation is always the first error kept.
func (g *Group) fail(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.errs = append(g.errs, err)
	if g.cancel != nil {
		g.cancel(err) // only the first call sets the cause
	}
}

// Wait waits for every task started with Go and returns all their errors
// joined, the first failure first, or nil if none failed.
func (g *Group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel(nil) // release the context's resources
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return errors.Join(g.errs...)
}

// docs:end group-wait

// PanicError is a panic recovered from a [Group] task.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack, from runtime/debug.Stack
}

// Error reports the panic value followed by the stack, which is the only
// place left to find where the panic happened.
func (p *PanicError) Error() string {
	return fmt.Sprintf("concurrency: task panicked: %v\n\n%s", p.Value, p.Stack)
}

// Unwrap returns the panic value if it is an error, so that errors.Is and
// errors.As see through the panic to it.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
