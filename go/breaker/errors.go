package breaker

import (
	"errors"
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
	// RetryAfter is how long until the breaker may let calls through again:
	// the rest of the wait when Open, 0 when that is not known (HalfOpen
	// waits for its trial calls, ForcedOpen for a manual transition).
	RetryAfter time.Duration
}

// Error reads like `breaker "payments": open: not permitted, retry after 4s`.
func (e *OpenError) Error() string {
	var b strings.Builder
	b.WriteString("breaker ")
	if e.Name != "" {
		b.WriteString(`"` + e.Name + `" `)
	}
	b.WriteString(e.State.String())
	b.WriteString(": not permitted")
	if e.RetryAfter > 0 {
		b.WriteString(", retry after " + e.RetryAfter.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrOpen) true.
func (e *OpenError) Is(target error) bool { return target == ErrOpen }

// docs:end open-error
