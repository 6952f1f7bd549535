// Package concurrency holds the Go half of chapter 1 of twinbook: the
// building blocks of concurrent programs, each small enough to read in one
// sitting and each with a Python twin of the same name.
//
//   - A worker pool runs a function over a slice with at most limit calls at
//     once, returning results in submission order ([Ordered]) or as they
//     finish ([AsCompleted]).
//   - A pipeline ([Generate], [Stage], [Collect]) joins stages with bounded
//     channels, so a slow stage slows everything upstream of it instead of
//     letting work pile up in memory.
//   - [FanOut] spreads one channel over several workers and [Merge] joins
//     several channels into one.
//   - A [Group] runs related tasks as a unit: the first failure cancels the
//     rest, every error is kept, and a panic comes back as a [*PanicError]
//     instead of killing the process.
//   - A [Limiter] is a token bucket. It reads time from a [clock.Clock], so
//     tests can drive it with a [clock.Manual] instead of sleeping.
//
// Every function that starts goroutines takes a [context.Context] and stops
// them when it is done: nothing here leaves a goroutine behind.
package concurrency
