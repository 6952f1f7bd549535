package idempotency

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"
)

// Verdict is what [Records.Begin] decided for a request.
type Verdict int

const (
	// Acquired: the request now holds its key (rule 6); call the handler.
	Acquired Verdict = iota
	// Replay: a completed response with the same fingerprint (rule 4).
	Replay
	// Mismatch: a completed response for another body (rule 3): 422.
	Mismatch
	// Conflict: the key is held by a request in progress (rule 5): 409.
	Conflict
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case Acquired:
		return "acquired"
	case Replay:
		return "replay"
	case Mismatch:
		return "mismatch"
	case Conflict:
		return "conflict"
	}
	return "unknown"
}

// Response is a stored answer: what a replay sends back.
type Response struct {
	Status      int
	ContentType string // replayed when not empty; the spec asks only for status and body
	Body        []byte
}

// Decision is [Records.Begin]'s answer.
type Decision struct {
	Verdict Verdict
	// Token identifies this request's in-progress mark (Acquired only): only
	// the request whose mark is still the key's record may store or release.
	Token string
	// Response is the stored answer (Replay only).
	Response Response
}

// Records keeps one record per [Scope]: in progress (a token and the time
// its lease started) or completed (a response and the time it was stored).
// An implementation is safe for concurrent use, and Begin is atomic: of
// many requests that begin one key at once, at most one is Acquired.
type Records interface {
	// Begin applies the spec's rules 3 to 6 to a request with a well-formed
	// key at now: a completed record stored less than ttl ago is replayed
	// (same fingerprint) or refused (Mismatch); a mark whose lease (lease
	// long) has not run out is a Conflict; otherwise the request marks the
	// key as in progress at now under a new token and is Acquired.
	Begin(ctx context.Context, s Scope, fingerprint string, now time.Time, ttl, lease time.Duration) (Decision, error)
	// Complete stores resp as the key's completed record, stored at now, if
	// the key's record is still token's mark; it reports whether it stored.
	Complete(ctx context.Context, s Scope, token string, resp Response, now time.Time) (bool, error)
	// Release removes the key's record if it is still token's mark (a failed
	// handler), so that a retry runs the handler again; it reports whether
	// it removed it.
	Release(ctx context.Context, s Scope, token string) (bool, error)
}

// ErrRecords is wrapped by the errors of a [Records] implementation whose
// storage failed (a database gone away): the middleware answers 503.
var ErrRecords = errors.New("idempotency records")

// newToken returns a fresh random owner token. It is random rather than a
// counter so that tokens are unique across every process sharing a store.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// expired is the spec's exact rule: a record stored at s is forgotten at
// now when now - s >= ttl.
func expired(storedAt, now time.Time, ttl time.Duration) bool {
	return now.Sub(storedAt) >= ttl
}

// leaseRunOut is the spec's exact rule: a lease taken at l has run out at
// now when now - l >= lease.
func leaseRunOut(leaseAt, now time.Time, lease time.Duration) bool {
	return now.Sub(leaseAt) >= lease
}
