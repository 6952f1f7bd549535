// Package resilience composes the circuit breaker of package
// twinbook/breaker with the other classic resilience policies, each a
// wrapper around a [Func]:
//
//   - [WithTimeout] gives every attempt its own deadline;
//   - [WithBulkhead] caps how many calls run at once ([Bulkhead]);
//   - [WithBreaker] runs calls through a circuit breaker;
//   - [WithRetry] retries failed calls with exponential backoff and full
//     jitter, within a [RetryBudget] of retries relative to calls ([Retry]);
//   - [WithFallback] turns a final failure into a substitute answer.
//
// [Stack] builds them in the order chapter 2 explains, from the outside in:
// fallback(retry(breaker(bulkhead(timeout(call))))). The fallback sees only
// what retrying could not fix; every retry is a fresh call the breaker
// counts, and stops once the breaker is open; the breaker sees timeouts as
// failures of the dependency; the bulkhead bounds the calls actually in
// flight; and the timeout clock starts only once a call has a bulkhead slot.
//
// Python's twinbook.resilience has the same policies under the same names.
package resilience

import "context"

// Func is a call that the policies wrap: a function of a context returning
// a value or an error. Wrapping a Func returns a Func, so policies nest.
type Func[T any] func(ctx context.Context) (T, error)
