// Package breaker is the Go half of chapter 2 of twinbook: a circuit breaker
// that follows the breaker spec (book/appendix/spec-breaker.md; its vectors are
// in tests/vectors/breaker) with resilience4j's semantics, made
// deterministic, and a Python twin of the same names (twinbook.breaker).
//
// A [Breaker] sits between callers and a dependency. Closed, it lets every
// call through and records its outcome (success or failure, slow or not) in
// a sliding window, [CountWindow] (the last N calls) or [TimeWindow] (the
// last N seconds, in one-second buckets). Once the window holds enough calls
// and the failure rate or the slow-call rate reaches its threshold, the
// breaker opens: it refuses calls with an [*OpenError] (errors.Is(err,
// [ErrOpen])) that says how long until it may let calls through again. After
// Config.WaitInOpen it is half-open and lets a few trial calls through; their
// outcomes close it or open it again. [Breaker.ForceOpen], [Breaker.Disable],
// [Breaker.Close] and [Breaker.Reset] move it by hand.
//
// Calls go through it in one of three ways:
//
//   - [Execute] (or [Typed.Execute], which can also judge results) runs a
//     function and records how it ended; a panic is recorded as a failure
//     and goes on up the stack.
//   - [Breaker.Acquire] returns a [Permission] to finish with Done(outcome):
//     the two-step form, for calls that do not fit in one function.
//   - [Breaker.Allow] is the same with a done function.
//
// Which errors are failures is configurable ([Config].IsFailure, IsIgnored,
// with [ErrorIs] and [ErrorAs]); the caller's own cancellation is ignored by
// default. Subscribers ([Breaker.Subscribe]) see every transition and call
// outcome; [Breaker.Metrics] is a snapshot of the window at any time. Time
// comes from a [clock.Clock], so tests can drive the breaker exactly.
//
// The success path in the closed state takes no lock: the state is one
// atomic pointer (a transition installs a new one, which is also how results
// from before a transition are recognised and discarded) and both windows are
// updated with atomic operations; see window.go. Subpackages breakerhttp and
// breakergrpc put a breaker in front of HTTP and gRPC clients; package
// twinbook/resilience composes it with retry, timeout, bulkhead and fallback.
package breaker
