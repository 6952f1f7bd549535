package breaker

import "fmt"

// State is where a [Breaker] is in its state machine.
type State uint8

// The five states. Closed, Open and HalfOpen follow each other on their own;
// ForcedOpen and Disabled are entered and left only by hand
// ([Breaker.ForceOpen], [Breaker.Disable], [Breaker.Close], [Breaker.Reset]).
const (
	// Closed permits every call and records its outcome in the window.
	Closed State = iota
	// Open rejects every call until its wait is over.
	Open
	// HalfOpen lets a few trial calls through and decides on their outcomes.
	HalfOpen
	// ForcedOpen rejects every call until a manual transition.
	ForcedOpen
	// Disabled permits every call and records nothing until a manual transition.
	Disabled
)

var stateNames = [...]string{
	Closed:     "closed",
	Open:       "open",
	HalfOpen:   "half_open",
	ForcedOpen: "forced_open",
	Disabled:   "disabled",
}

// String returns the spec's name of the state: closed, open, half_open,
// forced_open or disabled.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// ParseState returns the State whose [State.String] is name.
func ParseState(name string) (State, error) {
	for s, n := range stateNames {
		if n == name {
			return State(s), nil
		}
	}
	return 0, fmt.Errorf("breaker: unknown state %q", name)
}

// Outcome is how a call ended, as the breaker records it.
type Outcome uint8

// The outcomes of a call.
const (
	// Success is recorded as a successful call (slow or not).
	Success Outcome = iota
	// Failure is recorded as a failed call (slow or not).
	Failure
	// Ignored is not recorded at all; in HalfOpen it gives its permit back.
	Ignored
)

var outcomeNames = [...]string{Success: "success", Failure: "failure", Ignored: "ignored"}

// String returns the spec's name of the outcome: success, failure or ignored.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// ParseOutcome returns the Outcome whose [Outcome.String] is name.
func ParseOutcome(name string) (Outcome, error) {
	for o, n := range outcomeNames {
		if n == name {
			return Outcome(o), nil
		}
	}
	return 0, fmt.Errorf("breaker: unknown outcome %q", name)
}
