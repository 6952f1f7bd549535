// Package actor is chapter 3's in-process teammate: an actor is one
// goroutine that owns its state and a bounded mailbox (a buffered channel)
// through which everybody else talks to it. Nobody shares the state, so
// nothing in it needs a lock: the mailbox serialises every request.
//
// The pieces, each in its own file:
//
//   - [Mailbox] (mailbox.go): the actor's receiving end, bounded by
//     [Options].Capacity; what a sender meets when it is full is the
//     [Overflow] policy: [Block] until the sender's context ends, or
//     [FailFast] with [ErrMailboxFull].
//   - [Actor.Tell] and [Actor.Ask] (send.go): fire-and-forget, and
//     request-reply bounded by the caller's context. Messages from one sender
//     arrive in the order it sent them.
//   - [Actor.Stop] and [Actor.Kill] (actor.go): a graceful stop drains what
//     is queued and then ends the actor; an immediate stop drops it, and the
//     asks among the dropped messages get [ErrStopped].
//   - [Reason] (reason.go): why an actor ended. Its behaviour returning nil is
//     [Normal], being stopped by its owner is [Shutdown], a panic or a
//     returned error is a [Crash]. Chapter 3's supervisors restart actors by
//     that reason.
//
// Python's twinbook.actor has the same concepts under the same names.
package actor
