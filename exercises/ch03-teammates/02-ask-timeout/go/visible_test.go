package main_test

import (
	. "answer"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// The tests run in synctest bubbles: the bubble's clock stands still while any goroutine of
// the test can run, and jumps to the next timer when every one waits. So a timeout happens at
// exactly the time it should, on any machine, and takes no time.

// askNew calls NewActor, failing the test on a panic or a nil actor.
func askNew(t *testing.T, handler func(string) string) (a *Actor) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("NewActor panicked: %v", r)
		}
	}()
	if a = NewActor(handler); a == nil {
		t.Fatalf("NewActor returned nil")
	}
	return a
}

// askResult is what one Ask returned (a panic as an error).
type askResult struct {
	reply string
	err   error
}

// askGo starts a.Ask(ctx, msg, timeout) on a goroutine of its own; its result arrives on the
// channel.
func askGo(ctx context.Context, a *Actor, msg string, timeout time.Duration) <-chan askResult {
	out := make(chan askResult, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				out <- askResult{err: fmt.Errorf("panicked: %v", r)}
			}
		}()
		reply, err := a.Ask(ctx, msg, timeout)
		out <- askResult{reply, err}
	}()
	return out
}

// askWait waits for an ask started by askGo, for at most a day of the bubble's time.
func askWait(t *testing.T, call <-chan askResult, what string) askResult {
	t.Helper()
	select {
	case r := <-call:
		return r
	case <-time.After(24 * time.Hour):
		t.Fatalf("%s: still waiting a day later", what)
		return askResult{}
	}
}

// ask runs a.Ask in a goroutine and waits for it: a panic or a hang fails the test.
func ask(t *testing.T, a *Actor, msg string, timeout time.Duration) askResult {
	t.Helper()
	return askWait(t, askGo(context.Background(), a, msg, timeout), fmt.Sprintf("Ask(%q, %v)", msg, timeout))
}

// String says what an ask returned, in the tests' words.
func (r askResult) String() string {
	switch err := r.err; {
	case err == nil:
		return fmt.Sprintf("reply %q", r.reply)
	case svIsError(err, ErrStopped):
		return "ErrStopped"
	case svIsError(err, ErrAskTimeout) && svIsError(err, context.DeadlineExceeded):
		return "ErrAskTimeout"
	case svIsError(err, context.Canceled) && !svIsError(err, ErrAskTimeout):
		return "Canceled"
	default:
		return fmt.Sprintf("another error (%v)", err)
	}
}

// sleepy is a handler for messages "<text>/<seconds>": it takes that long, then replies
// "re: <text>".
func sleepy(msg string) string {
	text, seconds, _ := strings.Cut(msg, "/")
	s, _ := strconv.ParseFloat(seconds, 64)
	time.Sleep(time.Duration(s * float64(time.Second)))
	return "re: " + text
}

func TestAskGetsTheReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		defer a.Stop()
		var got []string
		for _, msg := range []string{"one/1", "two/2", "three/0"} {
			got = append(got, ask(t, a, msg, 5*time.Second).String())
		}
		if want := `[reply "re: one" reply "re: two" reply "re: three"]`; fmt.Sprint(got) != want {
			t.Fatalf("three asks of an actor that replies \"re: <msg>\": got %v, want %v", got, want)
		}
	})
}

func TestAskHandlesOneAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		busy, most := 0, 0
		a := askNew(t, func(msg string) string {
			mu.Lock()
			busy++
			most = max(most, busy)
			mu.Unlock()
			time.Sleep(time.Second)
			mu.Lock()
			busy--
			mu.Unlock()
			return "re: " + msg
		})
		defer a.Stop()
		var calls []<-chan askResult
		for i := range 5 {
			calls = append(calls, askGo(context.Background(), a, strconv.Itoa(i), time.Minute))
		}
		for i, call := range calls {
			if r := askWait(t, call, "Ask"); r.String() != fmt.Sprintf("reply \"re: %d\"", i) {
				t.Fatalf("5 goroutines asked at once; the one that asked %q got %v, want its own reply \"re: %d\"", strconv.Itoa(i), r, i)
			}
		}
		if most != 1 {
			t.Fatalf("5 goroutines asked at once: the handler ran %d times at once, want 1: one loop takes the messages one at a time", most)
		}
	})
}

func TestAskTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		defer a.Stop()
		start := time.Now()
		r := ask(t, a, "slow/10", 3*time.Second)
		waited := time.Since(start)
		if r.String() != "ErrAskTimeout" {
			t.Fatalf("Ask with a 3s timeout of a handler that takes 10s: %v, want an error wrapping ErrAskTimeout and context.DeadlineExceeded", r)
		}
		if waited != 3*time.Second {
			t.Fatalf("the Ask gave up after %v, want after its timeout, 3s", waited)
		}
	})
}

func TestAskLateReplyIsDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		defer a.Stop()
		if r := ask(t, a, "late/2", time.Second); r.String() != "ErrAskTimeout" {
			t.Fatalf("Ask with a 1s timeout of a 2s handler: %v, want ErrAskTimeout", r)
		}
		if r := ask(t, a, "next/0", 5*time.Second); r.String() != `reply "re: next"` {
			t.Fatalf("after an Ask that timed out, the next Ask got %v, want reply \"re: next\": the late reply must be dropped, not given to the next ask, and must not block the actor (one buffered reply channel per ask)", r)
		}
	})
}

func TestAskAfterStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		ask(t, a, "one/1", 5*time.Second)
		a.Stop()
		if r := ask(t, a, "two/0", 5*time.Second); r.String() != "ErrStopped" {
			t.Fatalf("Ask after Stop: %v, want ErrStopped", r)
		}
	})
}
