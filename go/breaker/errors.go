package breaker

import (
	"errors"
	"math"
	"strings"
	"time"
)

// ErrOpen is the error every rejection matches: errors.Is(err, ErrOpen)
// reports whether a breaker refused to run a call. The error itself is an
// [*OpenError], which says more.
var ErrOpen = errors.New("breaker: not permitted")

// docs:start open-error

// OpenError is what a breaker returns instead of running a call.
type OpenError struct {
	// Name is the breaker's Config.Name.
	Name string
	// State is the state that refused: Open, HalfOpen (all trial permits
	// taken) or ForcedOpen.
	State State
	// RetryAfter is how long until the breaker may let a call through again:
	// the rest of the wait when Open, 0 when HalfOpen (a trial permit may
	// come back any moment), [Forever] when ForcedOpen (only a manual
	// transition ends it).
	RetryAfter time.Duration
}

// Forever is the RetryAfter of a ForcedOpen breaker.
const Forever = time.Duration(math.MaxInt64)

// docs:end open-error

// docs:start open-error-message

// Error reads like `breaker "payments" is open: call not permitted (retry
// after 3.5s)`.
func (e *OpenError) Error() string {
	var b strings.Builder
	b.WriteString("breaker ")
	if e.Name != "" {
		b.WriteString(`"` + e.Name + `" `)
	}
	b.WriteString("is " + e.State.String() + ": call not permitted (")
	if e.RetryAfter == Forever {
		b.WriteString("until closed by hand)")
	} else {
		b.WriteString("retry after " + e.RetryAfter.String() + ")")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrOpen) true.
func (e *OpenError) Is(target error) bool { return target == ErrOpen }

// docs:end open-error-message
