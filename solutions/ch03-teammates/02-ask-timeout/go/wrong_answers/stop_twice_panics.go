// wrong: Stop closes the stop channel every time it is called, so a second Stop panics (close of closed channel)
package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrAskTimeout is what Ask returns, wrapped, when no reply came within its timeout.
var ErrAskTimeout = errors.New("ask: no reply in time")

// ErrStopped is what Ask returns when the actor has stopped, or stops before it replies.
var ErrStopped = errors.New("actor stopped")

// Actor runs handler on a goroutine of its own, one message at a time, in the order the
// messages were asked. Its methods are safe for use by many goroutines at once. (The fields
// are a suggestion: you may change them.)
type Actor struct {
	handler  func(msg string) string
	inbox    chan request  // the asks, to the loop
	stop     chan struct{} // closed by Stop
	done     chan struct{} // closed when the loop has returned
	stopOnce sync.Once
}

// request is one ask: the message, and the asker's own channel for its reply.
type request struct {
	msg   string
	reply chan string
}

// NewActor starts an actor whose loop answers each message with handler(msg).
func NewActor(handler func(msg string) string) *Actor {
	a := &Actor{
		handler: handler,
		inbox:   make(chan request), // unbuffered: the loop takes an ask when it is ready
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go a.loop()
	return a
}

// loop takes the requests one at a time until Stop.
func (a *Actor) loop() {
	defer close(a.done)
	for {
		select { // a Stop that came during the last message ends the loop before the next
		case <-a.stop:
			return
		default:
		}
		select {
		case req := <-a.inbox:
			req.reply <- a.handler(req.msg) // buffered: never blocks, even for a late reply
		case <-a.stop:
			return
		}
	}
}

// Ask sends msg and waits for its reply, at most timeout (and no longer than ctx allows).
// It returns the reply; an error wrapping ErrAskTimeout and context.DeadlineExceeded when
// the time ran out; ctx's error when ctx was cancelled; ErrStopped when the actor stopped.
func (a *Actor) Ask(ctx context.Context, msg string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel() // stops the timer: nothing is left behind when the reply came first
	// the reply channel is buffered, so that the loop never waits for an asker who gave up
	req := request{msg: msg, reply: make(chan string, 1)}
	select {
	case a.inbox <- req:
	case <-a.done:
		return "", fmt.Errorf("ask %q: %w", msg, ErrStopped)
	case <-ctx.Done():
		return "", askError(msg, ctx.Err())
	}
	select {
	case reply := <-req.reply:
		return reply, nil
	case <-a.done:
		select { // a reply sent just before the actor stopped still counts
		case reply := <-req.reply:
			return reply, nil
		default:
			return "", fmt.Errorf("ask %q: %w", msg, ErrStopped)
		}
	case <-ctx.Done():
		return "", askError(msg, ctx.Err())
	}
}

// askError wraps the error of an ask's context (ctx.Err()); a deadline is also ErrAskTimeout.
func askError(msg string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("ask %q: %w: %w", msg, ErrAskTimeout, err)
	}
	return fmt.Errorf("ask %q: %w", msg, err)
}

// Stop ends the loop once the message being handled (if any) is done, and returns when its
// goroutine has ended. Every ask still waiting, and every later one, gets ErrStopped.
// Stopping twice is fine.
func (a *Actor) Stop() {
	close(a.stop)
	<-a.done
}
