package idempotency

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidConfig is wrapped by every error [Middleware] returns for a
// [Config] it refuses; the message names the faulty field.
var ErrInvalidConfig = errors.New("idempotency: invalid config")

// Config is the middleware's configuration, the spec's required, ttl_ms and
// lease_ms.
type Config struct {
	// Required refuses a request without an Idempotency-Key header (400).
	Required bool
	// TTL is how long a completed response is kept and replayed.
	TTL time.Duration
	// Lease is how long a request in progress holds its key if it never
	// finishes (its process died): after it, another request may take the key.
	Lease time.Duration
}

// DefaultConfig is Stripe's choice: keys kept for a day, optional, and a
// lease long enough for any handler that has not died.
func DefaultConfig() Config {
	return Config{Required: false, TTL: 24 * time.Hour, Lease: time.Minute}
}

// Validate returns nil or an error wrapping [ErrInvalidConfig] that names
// the field at fault. Both durations must be positive: a TTL of 0 would
// forget every response at once, and a lease of 0 would let a second request
// in while the first is still running.
func (c Config) Validate() error {
	if c.TTL <= 0 {
		return fmt.Errorf("%w: TTL must be positive, got %v", ErrInvalidConfig, c.TTL)
	}
	if c.Lease <= 0 {
		return fmt.Errorf("%w: Lease must be positive, got %v", ErrInvalidConfig, c.Lease)
	}
	return nil
}
