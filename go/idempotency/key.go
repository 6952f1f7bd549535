package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// ReplayedHeader is set to "true" on a replayed answer.
const ReplayedHeader = "Idempotent-Replayed"

// MaxKeyLen is the longest key the spec allows, in characters (bytes: a
// valid key is ASCII).
const MaxKeyLen = 255

// ErrMalformedKey is wrapped by every error [CheckKey] returns; the message
// says what is wrong, and the middleware answers it with 400.
var ErrMalformedKey = errors.New("malformed Idempotency-Key")

// CheckKey returns nil for a well-formed key: 1 to 255 characters, each
// printable ASCII (0x20 to 0x7E). An empty value is malformed, not missing.
func CheckKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: it is empty", ErrMalformedKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: it is %d bytes long, at most %d are allowed", ErrMalformedKey, len(key), MaxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c > 0x7E {
			return fmt.Errorf("%w: byte %d is 0x%02X, outside printable ASCII (0x20 to 0x7E)", ErrMalformedKey, i, c)
		}
	}
	return nil
}

// Scope is what a key is scoped to: the same key with another method or on
// another path is another key, with a record of its own.
type Scope struct {
	Method string
	Path   string // the request target's path and query, compared exactly
	Key    string
}

// Fingerprint is the SHA-256 of a body, in hex. With the method and path in
// the [Scope], it completes the spec's fingerprint of a request.
func Fingerprint(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
