package main_test

import (
	. "answer"
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// mbNew calls NewMailbox, failing the test on an error, a nil mailbox or a panic.
func mbNew(t *testing.T, capacity int, overflow Overflow) (m *Mailbox[string]) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("NewMailbox(%d, %v) panicked: %v", capacity, overflow, r)
		}
	}()
	m, err := NewMailbox[string](capacity, overflow)
	if err != nil || m == nil {
		t.Fatalf("NewMailbox(%d, %v) = %v, %v; want a mailbox and no error", capacity, overflow, m, err)
	}
	return m
}

// mbResult is what a call of the learner's code did: its message and error, or its panic.
type mbResult struct {
	msg string
	err error
}

// mbGo runs fn on a goroutine of its own; what it returns (a panic as an error) arrives on
// the channel, so that a call that blocks shows as nothing arrived yet.
func mbGo(fn func() (string, error)) <-chan mbResult {
	out := make(chan mbResult, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				out <- mbResult{err: fmt.Errorf("panicked: %v", r)}
			}
		}()
		msg, err := fn()
		out <- mbResult{msg, err}
	}()
	return out
}

// mbPut starts m.Put(ctx, msg) on a goroutine of its own.
func mbPut(ctx context.Context, m *Mailbox[string], msg string) <-chan mbResult {
	return mbGo(func() (string, error) { return "", m.Put(ctx, msg) })
}

// mbGet starts m.Get(ctx) on a goroutine of its own.
func mbGet(ctx context.Context, m *Mailbox[string]) <-chan mbResult {
	return mbGo(func() (string, error) { return m.Get(ctx) })
}

// mbWait waits (2s at most, of a synctest bubble's time in a bubble) for a call started by
// mbGo.
func mbWait(t *testing.T, call <-chan mbResult, what string) mbResult {
	t.Helper()
	select {
	case r := <-call:
		return r
	case <-time.After(2 * time.Second):
		t.Fatalf("%s did not return within 2s", what)
		return mbResult{}
	}
}

// mbDone reports whether a call started by mbGo has returned (in a synctest bubble, after
// synctest.Wait: then a call that has not returned is blocked for good).
func mbDone(call <-chan mbResult) (mbResult, bool) {
	select {
	case r := <-call:
		return r, true
	default:
		return mbResult{}, false
	}
}

// mbOutcome names what an error is, in the tests' words.
func mbOutcome(err error) string {
	switch {
	case err == nil:
		return "nil"
	case svIsError(err, ErrClosed):
		return "ErrClosed"
	case svIsError(err, ErrMailboxFull) && svIsError(err, context.DeadlineExceeded):
		return "ErrMailboxFull+DeadlineExceeded"
	case svIsError(err, ErrMailboxFull) && svIsError(err, context.Canceled):
		return "ErrMailboxFull+Canceled"
	case svIsError(err, ErrMailboxFull):
		return "ErrMailboxFull"
	case svIsError(err, context.DeadlineExceeded):
		return "DeadlineExceeded"
	case svIsError(err, context.Canceled):
		return "Canceled"
	}
	return fmt.Sprintf("another error (%v)", err)
}

// mbDrain closes nothing: it Gets until ErrClosed (the mailbox must be closed) and returns
// the messages.
func mbDrain(t *testing.T, m *Mailbox[string]) []string {
	t.Helper()
	var got []string
	for range 1000 {
		r := mbWait(t, mbGet(context.Background(), m), "Get on a closed mailbox")
		if svIsError(r.err, ErrClosed) {
			return got
		}
		if r.err != nil {
			t.Fatalf("Get on a closed mailbox after %q: %s, want the next queued message or ErrClosed once it is empty", got, mbOutcome(r.err))
		}
		got = append(got, r.msg)
	}
	t.Fatalf("Get on a closed mailbox delivered 1000 messages and goes on: it must return ErrClosed once the queue is empty")
	return nil
}

func TestMailboxDeliversInOrder(t *testing.T) {
	ctx := context.Background()
	m := mbNew(t, 3, Block)
	for _, msg := range []string{"a", "b", "c"} {
		if err := m.Put(ctx, msg); err != nil {
			t.Fatalf("Put(%q) into a mailbox with room: %s, want nil", msg, mbOutcome(err))
		}
	}
	m.Close()
	if got := mbDrain(t, m); fmt.Sprint(got) != "[a b c]" {
		t.Fatalf("Put a, b, c then Get: got %q, want [a b c]: oldest first", got)
	}
}

func TestMailboxFailFastWhenFull(t *testing.T) {
	ctx := context.Background()
	m := mbNew(t, 2, FailFast)
	m.Put(ctx, "1")
	m.Put(ctx, "2")
	r := mbWait(t, mbPut(ctx, m, "3"), "Put on a full FailFast mailbox")
	if got := mbOutcome(r.err); got != "ErrMailboxFull" {
		t.Fatalf("Put on a full FailFast mailbox (capacity 2): %s, want ErrMailboxFull at once", got)
	}
	m.Close()
	if got := mbDrain(t, m); fmt.Sprint(got) != "[1 2]" {
		t.Fatalf("after the refused Put the mailbox delivered %q, want [1 2]", got)
	}
}

func TestMailboxBlockWaitsForRoom(t *testing.T) {
	// In a synctest bubble, synctest.Wait returns once every goroutine of the test is
	// blocked: no sleep decides when the sender is waiting.
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := mbNew(t, 1, Block)
		defer m.Close() // frees a sender still waiting when the test fails
		m.Put(ctx, "a")
		sender := mbPut(ctx, m, "b")
		synctest.Wait()
		if r, done := mbDone(sender); done {
			t.Fatalf("Put on a full Block mailbox returned %s at once, want it to wait for room", mbOutcome(r.err))
		}
		first, err := m.Get(ctx)
		if err != nil {
			t.Fatalf("Get with a message queued: %s", mbOutcome(err))
		}
		synctest.Wait()
		r, done := mbDone(sender)
		if !done {
			t.Fatalf("a sender waited for room and Get made some: the sender still waits, want it to put its message: wake the waiting goroutines at every change")
		}
		if r.err != nil {
			t.Fatalf("a sender waited for room and Get made some: its Put returned %s, want nil", mbOutcome(r.err))
		}
		m.Close()
		if got := append([]string{first}, mbDrain(t, m)...); fmt.Sprint(got) != "[a b]" {
			t.Fatalf("got %q, want [a b]", got)
		}
	})
}

func TestMailboxBlockGivesUpAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // a bubble: its clock moves only when all wait
		m := mbNew(t, 1, Block)
		defer m.Close() // frees a sender still waiting when the test fails
		m.Put(context.Background(), "a")
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		err := mbWait(t, mbPut(ctx, m, "b"), "Put on a full Block mailbox with a 1s deadline (still waiting 2s later: wait in a select with <-ctx.Done())").err
		if got := mbOutcome(err); got != "ErrMailboxFull+DeadlineExceeded" {
			t.Fatalf("Put on a full Block mailbox that nobody reads, with a 1s deadline: %s, want an error wrapping ErrMailboxFull and context.DeadlineExceeded", got)
		}
		if waited := time.Since(start); waited < time.Second {
			t.Fatalf("Put gave up after %v, want it to wait for room until the 1s deadline", waited)
		}
		m.Close()
		if got := mbDrain(t, m); fmt.Sprint(got) != "[a]" {
			t.Fatalf("after a Put that gave up the mailbox delivered %q, want [a]: a Put that failed queues nothing", got)
		}
	})
}

func TestMailboxCloseDeliversWhatIsQueued(t *testing.T) {
	ctx := context.Background()
	m := mbNew(t, 5, Block)
	m.Put(ctx, "a")
	m.Put(ctx, "b")
	m.Close()
	if got := mbOutcome(m.Put(ctx, "c")); got != "ErrClosed" {
		t.Fatalf("Put after Close: %s, want ErrClosed", got)
	}
	if got := mbDrain(t, m); fmt.Sprint(got) != "[a b]" {
		t.Fatalf("Get after Close delivered %q then ErrClosed, want [a b]: a closed mailbox still delivers what is queued, then returns ErrClosed", got)
	}
}
