package saga

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrInvalidSaga wraps every reason a Definition is refused.
var ErrInvalidSaga = errors.New("saga: invalid definition")

// Kind says whether an attempt is a step's action or its compensation.
type Kind string

const (
	// Action moves the saga forward.
	Action Kind = "action"
	// Compensation undoes a step whose action succeeded.
	Compensation Kind = "compensation"
)

// Call is what a participant is called with: which saga, which step, which
// kind of attempt, and the idempotency key it must deduplicate on.
type Call struct {
	SagaID string
	Step   string
	Kind   Kind
	// Key is "<SagaID>:<Step>:<Kind>", the same on every attempt,
	// repetitions after a crash included.
	Key string
}

// Func is an action or a compensation. A returned error is a failed attempt;
// a panic is not caught: it is the process dying, and Resume in the next one
// repeats the attempt.
type Func func(ctx context.Context, call Call) error

// Step is one step of a saga.
type Step struct {
	// Name identifies the step in keys and in the log: not empty, no ':'
	// and no whitespace, unique in its Definition.
	Name string
	// Retries is how many more times a failing action is attempted before
	// the step fails for good. Compensations are retried until they succeed.
	Retries int
	// Action is the step's work.
	Action Func
	// Compensation undoes Action; only the last step may have none, since
	// no later step can fail after it.
	Compensation Func
}

// Definition is a saga's steps under a name; the name is stored with every
// saga run from it, so that Resume finishes only its own.
type Definition struct {
	ID    string
	Steps []Step
}

// Validate returns an error wrapping ErrInvalidSaga that names what is wrong,
// or nil.
func (d Definition) Validate() error {
	if d.ID == "" {
		return fmt.Errorf("%w: empty definition id", ErrInvalidSaga)
	}
	if len(d.Steps) == 0 {
		return fmt.Errorf("%w: %s: no steps", ErrInvalidSaga, d.ID)
	}
	seen := make(map[string]bool, len(d.Steps))
	for i, s := range d.Steps {
		switch {
		case s.Name == "":
			return fmt.Errorf("%w: %s: step %d: empty step name", ErrInvalidSaga, d.ID, i)
		case strings.ContainsRune(s.Name, ':') || strings.IndexFunc(s.Name, unicode.IsSpace) >= 0:
			return fmt.Errorf("%w: %s: step %d: step name %q has ':' or whitespace", ErrInvalidSaga, d.ID, i, s.Name)
		case seen[s.Name]:
			return fmt.Errorf("%w: %s: step %d: duplicate step name %q", ErrInvalidSaga, d.ID, i, s.Name)
		case s.Retries < 0:
			return fmt.Errorf("%w: %s: step %q: negative retries %d", ErrInvalidSaga, d.ID, s.Name, s.Retries)
		case s.Action == nil:
			return fmt.Errorf("%w: %s: step %q: no action", ErrInvalidSaga, d.ID, s.Name)
		case s.Compensation == nil && i < len(d.Steps)-1:
			return fmt.Errorf("%w: %s: step %q: no compensation (only the last step may have none)", ErrInvalidSaga, d.ID, s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// Key returns the idempotency key of sagaID's step's attempts of kind.
func Key(sagaID, step string, kind Kind) string {
	return sagaID + ":" + step + ":" + string(kind)
}
