package actor

import (
	"context"
	"errors"
	"fmt"
)

// Tell sends msg without waiting for it to be handled. It returns nil once
// the message is in the mailbox, [ErrStopped] when the actor takes no more
// messages, and when the mailbox is full: [ErrMailboxFull] at once
// (FailFast), or after waiting for room until ctx ended (Block), wrapped with
// [ErrTimeout] and ctx's error. Messages one goroutine tells arrive in the
// order it told them.
func (a *Actor[M, R]) Tell(ctx context.Context, msg M) error {
	return a.send(ctx, Envelope[M, R]{Msg: msg})
}

// docs:start ask

// Ask sends msg and waits for the behaviour's reply, until ctx ends. It
// returns the reply (or the error the behaviour answered with
// [Envelope.Fail]); the send's errors as Tell; [ErrStopped] when the actor
// ends or is killed before replying; and when ctx ends first, [ErrTimeout]
// with context.DeadlineExceeded, or context.Canceled, wrapped.
func (a *Actor[M, R]) Ask(ctx context.Context, msg M) (R, error) {
	var zero R
	reply := make(chan result[R], 1)
	if err := a.send(ctx, Envelope[M, R]{Msg: msg, reply: reply}); err != nil {
		return zero, err
	}
	select {
	case r := <-reply:
		return r.value, r.err
	case <-ctx.Done():
		return zero, waitError("ask: waiting for the reply", ctx.Err())
	case <-a.killed:
	case <-a.done:
	}
	// The actor has ended (or been killed); a reply it sent just before still
	// counts.
	select {
	case r := <-reply:
		return r.value, r.err
	default:
		return zero, ErrStopped
	}
}

// docs:end ask

// docs:start send

func (a *Actor[M, R]) send(ctx context.Context, env Envelope[M, R]) error {
	if a.state.Add(1)&closedBit != 0 {
		a.leave()
		return ErrStopped
	}
	defer a.leave()
	select {
	case a.ch <- env:
		return nil
	default:
	}
	if a.overflow == FailFast {
		return ErrMailboxFull
	}
	select {
	case a.ch <- env:
		return nil
	case <-ctx.Done():
		wait := waitError("tell: waiting for room", ctx.Err())
		return fmt.Errorf("%w: %w", ErrMailboxFull, wait)
	case <-a.killed:
		return ErrStopped
	case <-a.done:
		return ErrStopped
	}
}

// docs:end send

// leave ends a send; the last sender out of a closed mailbox wakes the drain.
func (a *Actor[M, R]) leave() {
	if a.state.Add(-1) == closedBit {
		select {
		case a.quiet <- struct{}{}:
		default:
		}
	}
}

// waitError wraps a context's error; a deadline is also ErrTimeout.
func waitError(what string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("actor: %s: %w: %w", what, ErrTimeout, err)
	}
	return fmt.Errorf("actor: %s: %w", what, err)
}
