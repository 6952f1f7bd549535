package main_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestHiddenReplyJustBeforeTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		defer a.Stop()
		var got []string
		for _, msg := range []string{"a/0.999", "b/0", "c/1.001", "d/0.5"} {
			got = append(got, ask(t, a, msg, time.Second).String())
		}
		want := `[reply "re: a" reply "re: b" ErrAskTimeout reply "re: d"]`
		if fmt.Sprint(got) != want {
			t.Fatalf("asks with a 1s timeout of handlers that take 0.999s, 0s, 1.001s, 0.5s: %v, want %v: a reply just before the deadline counts, one just after does not", got, want)
		}
	})
}

func TestHiddenTimedOutMessageIsStillHandledInItsTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var mu sync.Mutex
		var seen []string
		a := askNew(t, func(msg string) string {
			mu.Lock()
			seen = append(seen, fmt.Sprintf("%s@%v", msg, time.Since(start)))
			mu.Unlock()
			time.Sleep(2 * time.Second)
			return "re: " + msg
		})
		defer a.Stop()
		first := askGo(context.Background(), a, "first", time.Second)
		synctest.Wait() // first is being handled
		second := askGo(context.Background(), a, "second", 10*time.Second)
		got := fmt.Sprint(askWait(t, first, "first"), ", ", askWait(t, second, "second"))
		if want := `ErrAskTimeout, reply "re: second"`; got != want {
			t.Fatalf("Ask(first, 1s) of a 2s handler, then Ask(second, 10s): %s, want %s", got, want)
		}
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(seen) != "[first@0s second@2s]" {
			t.Fatalf("the handler saw (message@time) %v, want [first@0s second@2s]: the actor does not know the asker gave up; it handles each message in its turn", seen)
		}
	})
}

func TestHiddenManyLateRepliesNeverReachOtherAsks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		defer a.Stop()
		var got []string
		for _, msg := range []string{"x/3", "y/4", "z/5"} {
			got = append(got, ask(t, a, msg, time.Second).String())
		}
		for _, msg := range []string{"p/0", "q/0.5", "r/0"} {
			got = append(got, ask(t, a, msg, time.Minute).String())
		}
		want := `[ErrAskTimeout ErrAskTimeout ErrAskTimeout reply "re: p" reply "re: q" reply "re: r"]`
		if fmt.Sprint(got) != want {
			t.Fatalf("three asks that time out, then three that wait long enough: %v, want %v: each ask gets its own reply or ErrAskTimeout, never another ask's late reply", got, want)
		}
	})
}

func TestHiddenManyAskersAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		defer a.Stop()
		var calls []<-chan askResult
		for i := range 30 {
			calls = append(calls, askGo(context.Background(), a, fmt.Sprintf("%d/%d", i, i%3), time.Hour))
		}
		for i, call := range calls {
			if r := askWait(t, call, "Ask"); r.String() != fmt.Sprintf("reply \"re: %d\"", i) {
				t.Fatalf("30 goroutines asked at once: the one that asked %d got %v: each ask must get the reply to its own message", i, r)
			}
		}
	})
}

func TestHiddenCancelledAsk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		defer a.Stop()
		ctx, cancel := context.WithCancel(context.Background())
		call := askGo(ctx, a, "slow/5", time.Minute)
		time.Sleep(time.Second)
		cancel()
		synctest.Wait()
		select {
		case r := <-call:
			if r.String() != "Canceled" {
				t.Fatalf("the ask's context was cancelled while it waited for the reply: %v, want an error wrapping context.Canceled (and not ErrAskTimeout: it did not time out)", r)
			}
		default:
			t.Fatalf("the ask's context was cancelled while it waited for the reply: Ask still waits, want it to return at once")
		}
		if r := ask(t, a, "next/0", time.Minute); r.String() != `reply "re: next"` {
			t.Fatalf("after a cancelled ask, the next Ask got %v, want reply \"re: next\": the actor goes on and the cancelled ask's reply is dropped", r)
		}
	})
}

func TestHiddenTimeoutCoversHandingOver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		defer a.Stop()
		busy := askGo(context.Background(), a, "busy/10", time.Minute)
		synctest.Wait() // the actor is busy for 10s
		start := time.Now()
		r := ask(t, a, "waiting/0", time.Second)
		if waited := time.Since(start); r.String() != "ErrAskTimeout" || waited != time.Second {
			t.Fatalf("Ask with a 1s timeout while the actor is busy for 10s: %v after %v, want ErrAskTimeout after 1s: the timeout covers handing the message over too", r, waited)
		}
		askWait(t, busy, "the busy ask")
	})
}

func TestHiddenContextDeadlineComesFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		defer a.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		r := askWait(t, askGo(ctx, a, "slow/5", time.Hour), "Ask")
		if waited := time.Since(start); r.String() != "ErrAskTimeout" || waited != time.Second {
			t.Fatalf("Ask with a 1h timeout and a context with a 1s deadline, of a 5s handler: %v after %v, want ErrAskTimeout after 1s: wait no longer than ctx allows", r, waited)
		}
	})
}

func TestHiddenStopAnswersTheWaitingAsks(t *testing.T) {
	// Repeated: which of two ready select cases Go takes is random, and an answer that leaves
	// it to chance must not pass by luck.
	for round := range 8 {
		synctest.Test(t, func(t *testing.T) {
			release := make(chan struct{})
			var once sync.Once
			free := func() { once.Do(func() { close(release) }) }
			defer free() // a test that fails frees the handler, so that the bubble can end
			a := askNew(t, func(msg string) string {
				if msg == "held" {
					<-release
				}
				return "re: " + msg
			})
			held := askGo(context.Background(), a, "held", time.Hour)
			synctest.Wait() // the actor is busy with "held"
			queued := askGo(context.Background(), a, "queued", time.Hour)
			synctest.Wait() // "queued" waits for the actor
			stopped := make(chan struct{})
			go func() { a.Stop(); close(stopped) }()
			synctest.Wait()
			select {
			case <-stopped:
				t.Fatalf("Stop returned while the handler was still busy, want it to wait until the loop's goroutine has ended")
			default:
			}
			free()
			synctest.Wait()
			select {
			case <-stopped:
			default:
				t.Fatalf("round %d: the handler finished after Stop: Stop still waits, want it to end the loop and return", round)
			}
			got := fmt.Sprint(askWait(t, held, "held"), ", ", askWait(t, queued, "queued"))
			if want := `reply "re: held", ErrStopped`; got != want {
				t.Fatalf("round %d: Stop while the actor handled one ask and another waited for it: %s, want %s: the reply sent before the actor stopped counts (check for it when done is closed), and a Stop that came during a message ends the loop before the next", round, got, want)
			}
		})
	}
}

func TestHiddenStopTwiceAndAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := askNew(t, sleepy)
		var wg sync.WaitGroup
		panics := make(chan any, 3)
		for range 3 {
			wg.Go(func() {
				defer func() {
					if r := recover(); r != nil {
						panics <- r
					}
				}()
				a.Stop()
			})
		}
		wg.Wait()
		close(panics)
		for p := range panics {
			t.Fatalf("three goroutines called Stop at once: one panicked: %v: close the stop channel once (sync.Once)", p)
		}
		start := time.Now()
		if r := ask(t, a, "after/0", time.Hour); r.String() != "ErrStopped" || time.Since(start) != 0 {
			t.Fatalf("Ask with a 1h timeout after Stop: %v after %v, want ErrStopped at once", r, time.Since(start))
		}
	})
}

// askReal waits for an ask started by askGo outside a bubble, for at most 5 real seconds
// (its timeout is much shorter, or its reply comes at once).
func askReal(t *testing.T, call <-chan askResult, what string) askResult {
	t.Helper()
	select {
	case r := <-call:
		return r
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still waiting 5s later", what)
		return askResult{}
	}
}

func TestHiddenLateReplyDoesNotBlockTheActor(t *testing.T) {
	release := make(chan struct{})
	a := askNew(t, func(msg string) string {
		if msg == "held" {
			<-release
		}
		return "re: " + msg
	})
	// the handler holds "held" until its ask has timed out: its reply is late, for sure
	if r := askReal(t, askGo(context.Background(), a, "held", time.Millisecond), "Ask(held, 1ms) of a handler that is held"); r.String() != "ErrAskTimeout" {
		t.Fatalf("Ask with a 1ms timeout of a handler that is held: %v, want ErrAskTimeout", r)
	}
	close(release)
	r := askReal(t, askGo(context.Background(), a, "next", 2*time.Second), "Ask(next, 2s)")
	if r.String() != `reply "re: next"` {
		t.Fatalf("after an ask timed out and its handler then finished, the next Ask got %v, want reply \"re: next\": the loop must not wait for the asker who gave up to take the late reply (a reply channel with room for it: make(chan string, 1))", r)
	}
	a.Stop()
}

func TestHiddenNoGoroutineLeftBehind(t *testing.T) {
	before := runtime.NumGoroutine()
	release := make(chan struct{})
	a := askNew(t, func(msg string) string {
		if msg == "held" {
			<-release
		}
		return "re: " + msg
	})
	held := askGo(context.Background(), a, "held", time.Millisecond) // times out while held
	var waiting []<-chan askResult
	for i := range 10 { // the actor is busy: they time out before it takes them
		waiting = append(waiting, askGo(context.Background(), a, strconv.Itoa(i), time.Millisecond))
	}
	askReal(t, held, "Ask(held, 1ms)")
	for _, call := range waiting {
		askReal(t, call, "Ask with a 1ms timeout while the actor was busy")
	}
	close(release)
	for i := range 10 {
		a.Ask(context.Background(), strconv.Itoa(i), time.Minute)
	}
	a.Stop()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("asks that timed out, asks that were answered, then Stop: %d goroutine(s) still running 2s later: start only the loop's goroutine, and end it in Stop", runtime.NumGoroutine()-before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
