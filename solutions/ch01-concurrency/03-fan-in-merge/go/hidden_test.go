package main_test

import (
	"context"
	"runtime"
	"testing"
	"testing/synctest"
	"time"
)

// mergeLeak says what to do when a forwarding goroutine outlives the test.
const mergeLeak = "each forwarding goroutine must select on <-ctx.Done() both when receiving and when sending"

func TestHiddenMergeDoesNotWaitForSlowSource(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow := make(chan int) // silent for now
	fast := make(chan int, 1)
	fast <- 7
	close(fast)
	out := mergeStart(t, ctx, slow, fast)
	select {
	case v := <-out:
		if v != 7 {
			t.Fatalf("got %d, want 7", v)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("the fast source's value did not arrive while the first source was silent: read all sources at the same time, one goroutine each")
	}
	close(slow)
	if rest := mergeDrain(t, out, 2*time.Second); len(rest) != 0 {
		t.Fatalf("unexpected extra values %v", rest)
	}
}

func TestHiddenMergeCancelClosesOutput(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	a, b := make(chan int), make(chan int) // never closed
	out := mergeStart(t, ctx, a, b)
	time.Sleep(20 * time.Millisecond)
	cancel()
	mergeDrain(t, out, 2*time.Second)
	settleGoroutines(t, before, "cancelled while sources were open", mergeLeak)
}

func TestHiddenMergeCancelWhileConsumerStalled(t *testing.T) {
	// In a synctest bubble, synctest.Wait returns once every goroutine of the test is blocked:
	// no sleep decides when the forwarders are stuck on their sends or have reacted to ctx.
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var sources []chan int
		var outs []<-chan int
		for range 4 {
			ch := make(chan int, 10) // full of values, closed only when the test is over
			for i := range 10 {
				ch <- i
			}
			sources = append(sources, ch)
			outs = append(outs, ch)
		}
		var out <-chan int
		defer func() {
			for _, ch := range sources {
				close(ch)
			}
			drainQuietly(out)
		}()
		out = mergeStart(t, ctx, outs...)
		select {
		case <-out:
		case <-time.After(2 * time.Second):
			t.Fatalf("no value came out within 2s")
		}
		synctest.Wait() // every forwarder is now blocked sending
		cancel()
		synctest.Wait() // and has reacted to ctx, whatever it does
		// What is still in the output's buffer may come out; a value more was being sent after
		// ctx was done.
		late := 0
		for open := true; open; {
			select {
			case _, open = <-out:
				if open {
					late++
					synctest.Wait()
				}
			default:
				t.Fatalf("ctx was cancelled while the forwarders waited to send, and the output was not closed: close it once every forwarder has returned")
			}
		}
		if late > cap(out) {
			t.Fatalf("after ctx was cancelled %d value(s) came out of an output with room for %d: a forwarder was still blocked sending to a consumer that had stopped reading: %s", late, cap(out), mergeLeak)
		}
	})
}

func TestHiddenMergeManySources(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n, per = 50, 40
	var sources []<-chan int
	for s := range n {
		ch := make(chan int) // unbuffered, fed by its own goroutine
		go func() {
			defer close(ch)
			for i := range per {
				select {
				case ch <- s*per + i:
				case <-ctx.Done():
					return
				}
			}
		}()
		sources = append(sources, ch)
	}
	got := mergeDrain(t, mergeStart(t, ctx, sources...), 5*time.Second)
	seen := make(map[int]int, len(got))
	for _, v := range got {
		seen[v]++
	}
	for v := range n * per {
		if seen[v] != 1 {
			t.Fatalf("value %d arrived %d times, want exactly once (%d values in total, want %d)", v, seen[v], len(got), n*per)
		}
	}
	if len(got) != n*per {
		t.Fatalf("got %d values, want %d", len(got), n*per)
	}
}

func TestHiddenMergeNoLeakAfterSourcesClose(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := make(chan int, 2)
	a <- 1
	a <- 2
	close(a)
	b := make(chan int)
	close(b)
	if got := mergeDrain(t, mergeStart(t, ctx, a, b), 2*time.Second); len(got) != 2 {
		t.Fatalf("got %v, want the two values 1 and 2", got)
	}
	settleGoroutines(t, before, "after every source closed and the output was drained", mergeLeak)
}
