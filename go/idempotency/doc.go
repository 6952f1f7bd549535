// Package idempotency is chapter 5's Idempotency-Key middleware for net/http:
// a client that may retry a request sends the same key with every attempt,
// and the handler behind the middleware runs once for that key while every
// retry gets the first answer back, marked Idempotent-Replayed: true.
//
// The contract is the book's appendix, book/appendix/spec-idempotency.md
// ("the idempotency spec"): keys scoped to method and path, fingerprints,
// 400/409/422, replays, stored 4xx and 5xx, a failed handler releasing its
// key, a TTL for stored responses and a lease for requests in progress.
//
// The records live behind the [Records] interface, with two
// implementations: [NewMemory] for one process and tests, and [NewSQL] for a
// store (chapter 5's SQLite or PostgreSQL, table idempotency_keys) shared by
// every replica of a service. The clock is a [clock.Clock], so that the
// conformance vectors decide exactly when a record expires.
//
// Python's twin is twinbook.idempotency (an ASGI middleware).
package idempotency
