package main_test

import (
	. "answer"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"weak"
)

func TestHiddenCapacityBelowOneIsRefused(t *testing.T) {
	for _, capacity := range []int{0, -1} {
		m, err := NewMailbox[string](capacity, Block)
		if err == nil {
			t.Fatalf("NewMailbox(%d, Block) = %v, nil; want an error: a mailbox without room could never take a message", capacity, m)
		}
	}
	m := mbNew(t, 1, FailFast)
	if err := m.Put(context.Background(), "only"); err != nil {
		t.Fatalf("Put into an empty mailbox of capacity 1: %s, want it to fit", mbOutcome(err))
	}
}

func TestHiddenUnknownOverflowIsRefused(t *testing.T) {
	for _, overflow := range []Overflow{-1, 2, 7} {
		if _, err := NewMailbox[string](3, overflow); err == nil {
			t.Fatalf("NewMailbox(3, Overflow(%d)) returned no error, want one: only Block and FailFast", int(overflow))
		}
	}
}

func TestHiddenExactlyCapacityFitsAndRoomIsReused(t *testing.T) {
	ctx := context.Background()
	m := mbNew(t, 3, FailFast)
	var got []string
	for i := range 4 {
		got = append(got, mbOutcome(m.Put(ctx, strconv.Itoa(i))))
	}
	if want := []string{"nil", "nil", "nil", "ErrMailboxFull"}; !slices.Equal(got, want) {
		t.Fatalf("four Puts into a FailFast mailbox of capacity 3: %v, want %v", got, want)
	}
	if msg, err := m.Get(ctx); msg != "0" || err != nil {
		t.Fatalf("Get = %q, %v; want \"0\", nil", msg, err)
	}
	if got := mbOutcome(m.Put(ctx, "3")); got != "nil" {
		t.Fatalf("Put after a Get made room: %s, want it to fit", got)
	}
	if got := mbOutcome(m.Put(ctx, "4")); got != "ErrMailboxFull" {
		t.Fatalf("Put into the full mailbox again: %s, want ErrMailboxFull", got)
	}
	m.Close()
	if got := mbDrain(t, m); fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("the mailbox delivered %q, want [1 2 3]", got)
	}
}

func TestHiddenOrderKeptAcrossManyPutsAndGets(t *testing.T) {
	ctx := context.Background()
	m := mbNew(t, 2, FailFast)
	var got []string
	for i := 0; i < 40; i += 2 {
		m.Put(ctx, strconv.Itoa(i))
		m.Put(ctx, strconv.Itoa(i+1))
		for range 2 {
			msg, err := m.Get(ctx)
			if err != nil {
				t.Fatalf("Get with messages queued: %s", mbOutcome(err))
			}
			got = append(got, msg)
		}
	}
	for i, msg := range got {
		if msg != strconv.Itoa(i) {
			t.Fatalf("Put two, Get two, twenty times: got %q, want 0 to 39 in order", got)
		}
	}
}

func TestHiddenCancelledWhileWaitingForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mbNew(t, 1, Block)
		defer m.Close() // frees a sender still waiting when the test fails
		m.Put(context.Background(), "a")
		ctx, cancel := context.WithCancel(context.Background())
		sender := mbPut(ctx, m, "b")
		synctest.Wait()
		if r, done := mbDone(sender); done {
			t.Fatalf("Put on a full Block mailbox returned %s at once, want it to wait", mbOutcome(r.err))
		}
		cancel()
		synctest.Wait()
		r, done := mbDone(sender)
		if !done {
			t.Fatalf("a sender waited for room and its context was cancelled: it still waits, want it to return: wait in a select with <-ctx.Done()")
		}
		if got := mbOutcome(r.err); got != "ErrMailboxFull+Canceled" {
			t.Fatalf("a sender waited for room and its context was cancelled: %s, want an error wrapping ErrMailboxFull and context.Canceled", got)
		}
		m.Close()
		if got := mbDrain(t, m); fmt.Sprint(got) != "[a]" {
			t.Fatalf("after a cancelled Put the mailbox delivered %q, want [a]", got)
		}
	})
}

func TestHiddenTimedOutPutIsNeverDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mbNew(t, 1, Block)
		defer m.Close() // frees a sender still waiting when the test fails
		m.Put(context.Background(), "a")
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if got := mbOutcome(mbWait(t, mbPut(ctx, m, "late"), "Put on a full mailbox with a 1s deadline").err); got != "ErrMailboxFull+DeadlineExceeded" {
			t.Fatalf("Put on a full mailbox nobody reads, 1s deadline: %s", got)
		}
		if msg, err := m.Get(context.Background()); msg != "a" || err != nil {
			t.Fatalf("Get = %q, %v; want \"a\", nil", msg, err)
		}
		m.Put(context.Background(), "b")
		m.Close()
		if got := mbDrain(t, m); fmt.Sprint(got) != "[b]" {
			t.Fatalf("after a Put that gave up and a Get: delivered %q, want [b]: the Put that failed must not queue its message", got)
		}
	})
}

func TestHiddenGetWaitsForAPut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mbNew(t, 2, Block)
		defer m.Close() // frees a reader still waiting when the test fails
		reader := mbGet(context.Background(), m)
		synctest.Wait()
		if r, done := mbDone(reader); done {
			t.Fatalf("Get on an empty mailbox returned %q, %s at once, want it to wait for a message", r.msg, mbOutcome(r.err))
		}
		m.Put(context.Background(), "hello")
		synctest.Wait()
		r, done := mbDone(reader)
		if !done {
			t.Fatalf("a reader waited in Get and a message came: it still waits, want it to get the message: Put must wake the waiting goroutines")
		}
		if r.msg != "hello" || r.err != nil {
			t.Fatalf("the waiting reader got %q, %s; want \"hello\", nil", r.msg, mbOutcome(r.err))
		}
	})
}

func TestHiddenGetHonoursItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mbNew(t, 2, Block)
		defer m.Close() // frees a reader still waiting when the test fails
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		err := mbWait(t, mbGet(ctx, m), "Get on an empty mailbox with a 1s deadline (still waiting 2s later: wait in a select with <-ctx.Done())").err
		if got := mbOutcome(err); got != "DeadlineExceeded" {
			t.Fatalf("Get on an empty mailbox with a 1s deadline: %s, want an error wrapping context.DeadlineExceeded", got)
		}
		if waited := time.Since(start); waited < time.Second {
			t.Fatalf("Get gave up after %v, want it to wait until the 1s deadline", waited)
		}
		m.Put(context.Background(), "after")
		if msg, err := m.Get(context.Background()); msg != "after" || err != nil {
			t.Fatalf("after a Get that gave up: Get = %q, %v; want \"after\", nil", msg, err)
		}
	})
}

func TestHiddenCloseWakesAWaitingReader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mbNew(t, 2, Block)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // frees a reader still waiting when the test fails
		reader := mbGet(ctx, m)
		synctest.Wait()
		if _, done := mbDone(reader); done {
			t.Fatalf("Get on an empty mailbox must wait")
		}
		m.Close()
		synctest.Wait()
		r, done := mbDone(reader)
		if !done {
			t.Fatalf("a reader waited in Get and the mailbox was closed: it still waits, want ErrClosed: Close must wake the waiting goroutines")
		}
		if got := mbOutcome(r.err); got != "ErrClosed" {
			t.Fatalf("a reader waited in Get and the mailbox was closed: %s, want ErrClosed", got)
		}
	})
}

func TestHiddenCloseWakesAWaitingSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mbNew(t, 1, Block)
		m.Put(context.Background(), "a")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // frees a sender still waiting when the test fails
		sender := mbPut(ctx, m, "b")
		synctest.Wait()
		if _, done := mbDone(sender); done {
			t.Fatalf("Put on a full Block mailbox must wait")
		}
		m.Close()
		synctest.Wait()
		r, done := mbDone(sender)
		if !done {
			t.Fatalf("a sender waited for room and the mailbox was closed: it still waits, want ErrClosed: Close must wake the waiting goroutines")
		}
		if got := mbOutcome(r.err); got != "ErrClosed" {
			t.Fatalf("a sender waited for room and the mailbox was closed: %s, want ErrClosed: a closed mailbox takes nothing", got)
		}
		if got := mbDrain(t, m); fmt.Sprint(got) != "[a]" {
			t.Fatalf("after Close the mailbox delivered %q, want [a]", got)
		}
	})
}

func TestHiddenClosedMailboxStaysClosed(t *testing.T) {
	ctx := context.Background()
	m := mbNew(t, 2, Block)
	m.Put(ctx, "a")
	m.Close()
	if r := mbWait(t, mbGo(func() (string, error) { m.Close(); return "", nil }), "Close twice"); r.err != nil {
		t.Fatalf("Close twice: the second %v, want it to do nothing", r.err)
	}
	if msg, err := m.Get(ctx); msg != "a" || err != nil {
		t.Fatalf("Get on a closed mailbox holding \"a\" = %q, %v; want \"a\", nil", msg, err)
	}
	for range 3 {
		if _, err := m.Get(ctx); mbOutcome(err) != "ErrClosed" {
			t.Fatalf("Get on a closed, empty mailbox: %s, want ErrClosed every time", mbOutcome(err))
		}
	}
	if got := mbOutcome(m.Put(ctx, "b")); got != "ErrClosed" {
		t.Fatalf("Put after Close with room: %s, want ErrClosed", got)
	}
}

func TestHiddenFullAndClosedIsClosed(t *testing.T) {
	for _, overflow := range []Overflow{FailFast, Block} {
		m := mbNew(t, 1, overflow)
		m.Put(context.Background(), "a")
		m.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		got := mbOutcome(mbWait(t, mbPut(ctx, m, "b"), "Put on a full, closed mailbox").err)
		cancel()
		if got != "ErrClosed" {
			t.Fatalf("Put on a full mailbox (overflow %d) that is closed: %s, want ErrClosed: closed comes first, room does not matter any more", int(overflow), got)
		}
	}
}

func TestHiddenManySendersKeepTheirOrder(t *testing.T) {
	const senders, each = 8, 100
	ctx := context.Background()
	m := mbNew(t, 3, Block)
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for who := range senders {
		wg.Go(func() {
			<-start
			for i := range each {
				if err := m.Put(ctx, fmt.Sprintf("%d/%d", who, i)); err != nil {
					errs <- fmt.Errorf("sender %d: Put: %s", who, mbOutcome(err))
					return
				}
			}
		})
	}
	close(start)
	next := make([]int, senders)
	for range senders * each {
		r := mbWait(t, mbGet(ctx, m), fmt.Sprintf("Get while %d goroutines Put", senders))
		if r.err != nil {
			t.Fatalf("Get while %d goroutines Put: %s", senders, mbOutcome(r.err))
		}
		var who, i int
		fmt.Sscanf(r.msg, "%d/%d", &who, &i)
		if who < 0 || who >= senders || i != next[who] {
			t.Fatalf("%d goroutines each Put %d numbered messages at once: got %q when sender %d's next was %d: each sender's messages must arrive once each, in its order", senders, each, r.msg, who, next[who%senders])
		}
		next[who]++
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestHiddenManyReadersGetEachMessageOnce(t *testing.T) {
	const readers, total = 4, 400
	ctx := context.Background()
	m := mbNew(t, 5, Block)
	var mu sync.Mutex
	var got []int
	ends := make(chan string, readers)
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			for {
				msg, err := m.Get(ctx)
				if err != nil {
					ends <- mbOutcome(err)
					return
				}
				n, _ := strconv.Atoi(msg)
				mu.Lock()
				got = append(got, n)
				mu.Unlock()
			}
		})
	}
	for i := range total {
		if err := m.Put(ctx, strconv.Itoa(i)); err != nil {
			t.Fatalf("Put while %d goroutines Get: %s", readers, mbOutcome(err))
		}
	}
	m.Close()
	wg.Wait()
	close(ends)
	for end := range ends {
		if end != "ErrClosed" {
			t.Fatalf("%d readers until the mailbox was closed: one ended with %s, want ErrClosed once everything was delivered", readers, end)
		}
	}
	slices.Sort(got)
	if len(got) != total || len(slices.Compact(slices.Clone(got))) != total {
		t.Fatalf("%d readers shared %d messages: %d delivered, %d different: each message must be delivered exactly once", readers, total, len(got), len(slices.Compact(slices.Clone(got))))
	}
}

func TestHiddenNoGoroutineLeftBehind(t *testing.T) {
	before := runtime.NumGoroutine()
	m := mbNew(t, 1, Block)
	m.Put(context.Background(), "a")
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 {
		m.Put(done, "b")
	}
	empty := mbNew(t, 1, Block)
	for range 20 {
		empty.Get(done)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("20 Puts and 20 Gets gave up on a cancelled context: %d goroutine(s) still running 2s later: wait in the calling goroutine, do not start one per call", runtime.NumGoroutine()-before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mbLetGo puts a fresh message into a Mailbox[*[1 << 16]byte], gets it back and drops it; it
// returns a weak pointer to the message, so that the caller sees whether the mailbox still
// holds it.
func mbLetGo(t *testing.T, m *Mailbox[*[1 << 16]byte]) weak.Pointer[[1 << 16]byte] {
	t.Helper()
	msg := new([1 << 16]byte)
	w := weak.Make(msg)
	if err := m.Put(context.Background(), msg); err != nil {
		t.Fatalf("Put into an empty mailbox: %s", mbOutcome(err))
	}
	if got, err := m.Get(context.Background()); got != msg || err != nil {
		t.Fatalf("Get did not return the message it was given (%v)", err)
	}
	return w
}

func TestHiddenGetLetsGoOfTheMessage(t *testing.T) {
	m, err := NewMailbox[*[1 << 16]byte](4, Block)
	if err != nil || m == nil {
		t.Fatalf("NewMailbox(4, Block) = %v, %v", m, err)
	}
	w := mbLetGo(t, m)
	runtime.GC()
	if w.Value() != nil {
		t.Fatalf("a message went through the mailbox and nobody else holds it, but the garbage collector cannot free it: the mailbox still refers to it (m.items = m.items[1:] keeps it in the slice's array: set m.items[0] to the zero value first)")
	}
	runtime.KeepAlive(m)
}
