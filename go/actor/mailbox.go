package actor

import "iter"

// Envelope is one message as the behaviour receives it: the message, and for
// an ask, the way back to the asker.
type Envelope[M, R any] struct {
	Msg   M
	reply chan result[R] // nil for a Tell; buffered (1) for an Ask
}

type result[R any] struct {
	value R
	err   error
}

// IsAsk reports whether the sender waits for a reply.
func (e Envelope[M, R]) IsAsk() bool { return e.reply != nil }

// Reply answers an ask with value. Only the first reply (or Fail) counts; on
// a Tell it does nothing. It never blocks, even if the asker gave up.
func (e Envelope[M, R]) Reply(value R) { e.send(result[R]{value: value}) }

// Fail answers an ask with an error, which Ask returns as it is: a failed
// request, not a crashed actor.
func (e Envelope[M, R]) Fail(err error) { e.send(result[R]{err: err}) }

func (e Envelope[M, R]) send(r result[R]) {
	if e.reply == nil {
		return
	}
	select {
	case e.reply <- r:
	default: // answered already
	}
}

// Mailbox is the actor's receiving end, handed to its behaviour. Only the
// behaviour's goroutine may use it.
type Mailbox[M, R any] struct {
	a *Actor[M, R]
}

// Receive waits for the next message. It returns false when the actor must
// end: after Stop, once every message queued or being sent is received;
// after Kill, at once.
func (mb *Mailbox[M, R]) Receive() (Envelope[M, R], bool) {
	a := mb.a
	var zero Envelope[M, R]
	if a.isKilled.Load() {
		return zero, false
	}
	// The common case first: a message is waiting.
	select {
	case env := <-a.ch:
		return env, true
	default:
	}
	select {
	case env := <-a.ch:
		return env, !a.isKilled.Load()
	case <-a.killed:
		return zero, false
	case <-a.stopping:
		return mb.drain()
	}
}

// drain receives after Stop: what is queued, then what the senders still
// inside Tell put in, until none is left and the mailbox is empty.
func (mb *Mailbox[M, R]) drain() (Envelope[M, R], bool) {
	a := mb.a
	var zero Envelope[M, R]
	for {
		select {
		case env := <-a.ch:
			return env, true
		case <-a.killed:
			return zero, false
		default:
		}
		if a.state.Load() == closedBit {
			// Nobody is sending and nobody can start: a send that finished
			// before the load is in the channel now.
			select {
			case env := <-a.ch:
				return env, true
			default:
				return zero, false
			}
		}
		select {
		case env := <-a.ch:
			return env, true
		case <-a.quiet:
		case <-a.killed:
			return zero, false
		}
	}
}

// All ranges over the messages until Receive returns false.
func (mb *Mailbox[M, R]) All() iter.Seq[Envelope[M, R]] {
	return func(yield func(Envelope[M, R]) bool) {
		for {
			env, ok := mb.Receive()
			if !ok || !yield(env) {
				return
			}
		}
	}
}

// Len is how many messages are waiting.
func (mb *Mailbox[M, R]) Len() int { return len(mb.a.ch) }

// Cap is the mailbox's capacity.
func (mb *Mailbox[M, R]) Cap() int { return cap(mb.a.ch) }
