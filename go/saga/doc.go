// Package saga runs chapter 5's orchestrated sagas: an ordered list of
// steps, each an action and (except possibly the last) a compensation, whose
// progress is persisted before and after every attempt so that a new process
// can finish what a crashed one started.
//
// The rules are the saga section of book/appendix/spec-idempotency.md:
// actions run in order and a saga whose actions all succeed is Completed; an
// action that fails is retried up to its step's Retries more times, and after
// that the compensations of the steps whose actions succeeded run in reverse
// order, each retried until it succeeds, and the saga ends Compensated. Every
// attempt carries the idempotency key "<saga id>:<step>:action" or
// "<saga id>:<step>:compensation", the same on every attempt, because a crash
// between a participant's work and the orchestrator's record of it makes the
// orchestrator call again: participants see at-least-once delivery and
// deduplicate by the key.
//
// Progress lives behind Log: MemoryLog for unit tests and examples, StoreLog
// in a store.DB (SQLite or PostgreSQL) for the real thing.
package saga
