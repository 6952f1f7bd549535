package saga

import (
	"context"
	"errors"
)

// ErrUnknownSaga is returned by a Log asked about a saga it has no record of.
var ErrUnknownSaga = errors.New("saga: unknown saga")

// ErrOtherDefinition is returned by Run for a saga id already used by a saga
// of another Definition: one id, one saga.
var ErrOtherDefinition = errors.New("saga: the saga id belongs to another definition")

// State is where a saga is.
type State string

const (
	// Running: actions are being attempted.
	Running State = "running"
	// Compensating: an action failed for good; compensations are running.
	Compensating State = "compensating"
	// Completed: every action succeeded.
	Completed State = "completed"
	// Compensated: an action failed for good and every compensation due ran.
	Compensated State = "compensated"
)

// Finished reports whether s is an end state.
func (s State) Finished() bool { return s == Completed || s == Compensated }

// Progress is everything the orchestrator needs to go on after a crash.
type Progress struct {
	SagaID     string
	Definition string
	State      State
	// Step is the index of the step to attempt next: its action while
	// Running, its compensation while Compensating (counting down; -1 when
	// nothing is left).
	Step int
	// Failures counts the failed attempts of the current action. A crashed
	// attempt is not one: it never got recorded.
	Failures int
}

// Result is what a log entry records about an attempt.
type Result string

const (
	// Started is written before the participant is called.
	Started Result = "started"
	// OK and Fail are written after it returned.
	OK   Result = "ok"
	Fail Result = "fail"
)

// Entry is one line of a saga's log. An attempt whose Started entry has no
// OK or Fail after it is one the process crashed in.
type Entry struct {
	Step   string
	Kind   Kind
	Result Result
}

// Log persists sagas' progress. Each method is one durable transition: an
// implementation writes it atomically (StoreLog: one transaction each).
type Log interface {
	// Begin records p as a new saga unless p.SagaID is already recorded,
	// and returns what is recorded.
	Begin(ctx context.Context, p Progress) (Progress, error)
	// Start appends a Started entry for an attempt about to be made.
	Start(ctx context.Context, sagaID, step string, kind Kind) error
	// Finish appends the attempt's result and stores next, together.
	Finish(ctx context.Context, sagaID, step string, kind Kind, result Result, next Progress) error
	// Load returns a saga's progress, or an error wrapping ErrUnknownSaga.
	Load(ctx context.Context, sagaID string) (Progress, error)
	// Unfinished returns the ids of definition's sagas not yet Completed
	// or Compensated, oldest first.
	Unfinished(ctx context.Context, definition string) ([]string, error)
	// Entries returns a saga's log, in order.
	Entries(ctx context.Context, sagaID string) ([]Entry, error)
}
