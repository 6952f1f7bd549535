package actor

import (
	"errors"
	"fmt"
)

// Reason is why an actor ended, in the supervision vocabulary (Erlang's exit
// reasons): a supervisor decides from it whether to restart the actor.
type Reason string

const (
	// Normal: the behaviour returned nil on its own: its work is done.
	Normal Reason = "normal"
	// Shutdown: its owner stopped it ([Actor.Stop] or [Actor.Kill]).
	Shutdown Reason = "shutdown"
	// Crash: the behaviour panicked or returned an error.
	Crash Reason = "crash"
)

// Errors the actor's methods return. They are sentinels: test for them with
// [errors.Is], as they may come wrapped with the context's error.
var (
	// ErrStopped: the actor has stopped, or is stopping, and takes no more
	// messages; also the answer to an ask it dropped.
	ErrStopped = errors.New("actor: stopped")
	// ErrMailboxFull: the mailbox had no room, at once (FailFast) or until the
	// sender's context ended (Block).
	ErrMailboxFull = errors.New("actor: mailbox full")
	// ErrTimeout: the caller's deadline passed before the message was taken
	// (Block) or answered (Ask). It comes wrapped together with
	// [context.DeadlineExceeded].
	ErrTimeout = errors.New("actor: timeout")
)

// PanicError is the crash cause of an actor whose behaviour panicked: the
// panic is recovered, so one actor's bug does not take the process down, and
// kept here for whoever supervises it.
type PanicError struct {
	Value any    // what the behaviour panicked with
	Stack []byte // the goroutine's stack at the panic
}

// Error describes the panic by its value.
func (e *PanicError) Error() string { return fmt.Sprintf("actor: panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error, so errors.Is sees
// through a panic(err).
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}
