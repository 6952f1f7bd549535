package schema

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidLevel is wrapped by [ParseLevel]'s error: a registry answers
// such a level 422 (error code 42203).
var ErrInvalidLevel = errors.New("invalid compatibility level")

// Level is a registry's compatibility level: against which of a subject's
// schemas, and in which direction, a new schema is checked. The values are
// spelt as Confluent's Schema Registry spells them.
type Level string

const (
	// Backward: the new schema reads data written with the latest one
	// (consumers upgrade first). A new registry's default.
	Backward Level = "BACKWARD"
	// BackwardTransitive: the new schema reads data of every earlier one.
	BackwardTransitive Level = "BACKWARD_TRANSITIVE"
	// Forward: the latest schema reads data written with the new one
	// (producers upgrade first).
	Forward Level = "FORWARD"
	// ForwardTransitive: every earlier schema reads the new one's data.
	ForwardTransitive Level = "FORWARD_TRANSITIVE"
	// Full: Backward and Forward against the latest.
	Full Level = "FULL"
	// FullTransitive: Backward and Forward against every earlier schema.
	FullTransitive Level = "FULL_TRANSITIVE"
	// None: no check at all.
	None Level = "NONE"
)

// Levels lists the seven levels.
var Levels = []Level{Backward, BackwardTransitive, Forward, ForwardTransitive, Full, FullTransitive, None}

// ParseLevel reads a level by its name, in any letter case (Confluent's
// registry accepts "backward" too).
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if strings.EqualFold(s, string(l)) {
			return l, nil
		}
	}
	return "", fmt.Errorf("%w: %q is not one of %v", ErrInvalidLevel, s, Levels)
}

// Compatible says whether candidate may join a subject whose schemas are
// existing (oldest first) at level: the non-transitive levels check the
// latest only, the transitive ones every schema; Backward means the
// candidate reads the old schema's data, Forward the reverse, Full both. A
// subject with no schema accepts any, and None accepts anything. A nil
// candidate, or an unknown level, is never compatible.
func Compatible(level Level, candidate *Schema, existing []*Schema) bool {
	if candidate == nil {
		return false
	}
	// docs:start compatible
	against := existing
	switch level {
	case None:
		return true
	case Backward, Forward, Full:
		if len(existing) > 0 {
			against = existing[len(existing)-1:]
		}
	case BackwardTransitive, ForwardTransitive, FullTransitive:
	default:
		return false
	}
	backward := level != Forward && level != ForwardTransitive
	forward := level != Backward && level != BackwardTransitive
	for _, old := range against {
		if backward && !CanRead(candidate, old) {
			return false
		}
		if forward && !CanRead(old, candidate) {
			return false
		}
	}
	return true
	// docs:end compatible
}
