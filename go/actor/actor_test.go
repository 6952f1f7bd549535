package actor_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"twinbook/actor"
)

// recording returns a behaviour that waits for gate to close before its first
// receive (so a test fills its mailbox knowing nothing is taken), then
// records every message, replies to asks with the message doubled, and
// returns nil when its loop ends. *got is safe to read after Done.
func recording(gate <-chan struct{}) (actor.Behaviour[int, int], *[]int) {
	got := new([]int)
	return func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		<-gate
		for env := range mb.All() {
			*got = append(*got, env.Msg)
			env.Reply(2 * env.Msg)
		}
		return nil
	}, got
}

func open() chan struct{} {
	gate := make(chan struct{})
	close(gate)
	return gate
}

// waitLen spins until a's backlog reaches n: it waits for a condition, not
// for time, so it cannot pass or fail by luck.
func waitLen[M, R any](a *actor.Actor[M, R], n int) {
	for a.Len() < n {
		runtime.Gosched()
	}
}

func stop[M, R any](t *testing.T, a *actor.Actor[M, R]) {
	t.Helper()
	if err := a.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func TestTellAndAsk(t *testing.T) {
	ctx := context.Background()
	for _, overflow := range []actor.Overflow{actor.Block, actor.FailFast} {
		t.Run(overflow.String(), func(t *testing.T) {
			behaviour, got := recording(open())
			a := actor.New(behaviour, actor.Options{Capacity: 4, Overflow: overflow})
			if err := a.Tell(ctx, 1); err != nil {
				t.Fatalf("Tell: %v", err)
			}
			reply, err := a.Ask(ctx, 21)
			if err != nil || reply != 42 {
				t.Fatalf("Ask(21) = %d, %v; want 42, nil", reply, err)
			}
			stop(t, a)
			if want := []int{1, 21}; !slices.Equal(*got, want) {
				t.Errorf("received %v, want %v", *got, want)
			}
		})
	}
}

func TestExitReasons(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		body      func(ctx context.Context) error
		kill      bool
		reason    actor.Reason
		wantErr   error // errors.Is on Err()
		wantPanic any   // the PanicError's value
	}{
		{name: "return nil is normal", body: func(context.Context) error { return nil }, reason: actor.Normal},
		{name: "return an error is a crash", body: func(context.Context) error { return boom }, reason: actor.Crash, wantErr: boom},
		{name: "a panic is a crash", body: func(context.Context) error { panic("kaput") }, reason: actor.Crash, wantPanic: "kaput"},
		{name: "a panic with an error", body: func(context.Context) error { panic(boom) }, reason: actor.Crash, wantErr: boom, wantPanic: boom},
		{name: "killed and returning the context's error is shutdown",
			body: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, kill: true, reason: actor.Shutdown},
		{name: "killed and returning nil is shutdown",
			body: func(ctx context.Context) error { <-ctx.Done(); return nil }, kill: true, reason: actor.Shutdown},
		{name: "killed and returning another error is a crash",
			body: func(ctx context.Context) error { <-ctx.Done(); return boom }, kill: true, reason: actor.Crash, wantErr: boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := actor.New(func(ctx context.Context, _ *actor.Mailbox[int, int]) error { return tt.body(ctx) }, actor.Options{})
			if tt.kill {
				a.Kill()
			}
			<-a.Done()
			if got := a.Reason(); got != tt.reason {
				t.Errorf("Reason() = %q, want %q", got, tt.reason)
			}
			err := a.Err()
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Err() = %v, want %v", err, tt.wantErr)
			}
			var p *actor.PanicError
			switch {
			case tt.wantPanic != nil && (!errors.As(err, &p) || p.Value != tt.wantPanic):
				t.Errorf("Err() = %v, want a PanicError with %v", err, tt.wantPanic)
			case tt.wantPanic != nil && len(p.Stack) == 0:
				t.Error("PanicError has no stack")
			case tt.wantErr == nil && tt.wantPanic == nil && err != nil:
				t.Errorf("Err() = %v, want nil", err)
			}
		})
	}
}

func TestReasonWhileRunning(t *testing.T) {
	behaviour, _ := recording(open())
	a := actor.New(behaviour, actor.Options{})
	if r, err := a.Reason(), a.Err(); r != "" || err != nil {
		t.Errorf("running actor: Reason() = %q, Err() = %v; want \"\", nil", r, err)
	}
	stop(t, a)
	if r := a.Reason(); r != actor.Shutdown {
		t.Errorf("after Stop: Reason() = %q, want shutdown", r)
	}
}

func TestMailboxFull(t *testing.T) {
	expired, cancelExpired := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancelExpired()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name     string
		overflow actor.Overflow
		ctx      context.Context
		want     []error // every one must match with errors.Is
	}{
		{"fail fast", actor.FailFast, context.Background(), []error{actor.ErrMailboxFull}},
		{"block until the deadline", actor.Block, expired, []error{actor.ErrMailboxFull, actor.ErrTimeout, context.DeadlineExceeded}},
		{"block until cancelled", actor.Block, cancelled, []error{actor.ErrMailboxFull, context.Canceled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gate := make(chan struct{})
			behaviour, got := recording(gate)
			a := actor.New(behaviour, actor.Options{Capacity: 2, Overflow: tt.overflow})
			for i := range 2 {
				if err := a.Tell(context.Background(), i); err != nil {
					t.Fatalf("Tell(%d) with room: %v", i, err)
				}
			}
			err := a.Tell(tt.ctx, 2)
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("Tell on a full mailbox = %v, want %v", err, want)
				}
			}
			if _, err := a.Ask(tt.ctx, 3); !errors.Is(err, tt.want[0]) {
				t.Errorf("Ask on a full mailbox = %v, want %v", err, tt.want[0])
			}
			close(gate)
			stop(t, a)
			if want := []int{0, 1}; !slices.Equal(*got, want) {
				t.Errorf("received %v, want %v", *got, want)
			}
		})
	}
}

func TestBlockWaitsForRoom(t *testing.T) {
	gate := make(chan struct{})
	behaviour, got := recording(gate)
	a := actor.New(behaviour, actor.Options{Capacity: 1, Overflow: actor.Block})
	if err := a.Tell(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	sent := make(chan error)
	go func() { sent <- a.Tell(context.Background(), 2) }()
	close(gate) // the actor takes 1, which makes room for 2
	if err := <-sent; err != nil {
		t.Errorf("blocked Tell = %v, want nil once there is room", err)
	}
	stop(t, a)
	if want := []int{1, 2}; !slices.Equal(*got, want) {
		t.Errorf("received %v, want %v", *got, want)
	}
}

func TestAskTimeout(t *testing.T) {
	silent := func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		for range mb.All() { // never replies
		}
		return nil
	}
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	a := actor.New(silent, actor.Options{})
	_, err := a.Ask(expired, 1)
	if !errors.Is(err, actor.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ask with no reply = %v, want ErrTimeout and DeadlineExceeded", err)
	}
	stop(t, a)
}

func TestAskFailAndReplyOnce(t *testing.T) {
	errNo := errors.New("no")
	a := actor.New(func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		for env := range mb.All() {
			if env.Msg < 0 {
				env.Fail(errNo)
				env.Reply(1) // too late: the first answer counts
				continue
			}
			env.Reply(env.Msg)
			env.Reply(-1)
		}
		return nil
	}, actor.Options{})
	defer stop(t, a)
	ctx := context.Background()
	if _, err := a.Ask(ctx, -5); err != errNo {
		t.Errorf("Ask(-5) error = %v, want the behaviour's own error", err)
	}
	if v, err := a.Ask(ctx, 5); v != 5 || err != nil {
		t.Errorf("Ask(5) = %d, %v; want 5, nil", v, err)
	}
}

func TestStopDrainsThenRefuses(t *testing.T) {
	gate := make(chan struct{})
	behaviour, got := recording(gate)
	a := actor.New(behaviour, actor.Options{Capacity: 8})
	for i := range 3 {
		if err := a.Tell(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	asked := make(chan error)
	go func() {
		v, err := a.Ask(context.Background(), 3)
		if err == nil && v != 6 {
			err = fmt.Errorf("reply %d, want 6", v)
		}
		asked <- err
	}()
	waitLen(a, 4)
	// A cancelled context: Stop closes the mailbox and returns at once.
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Stop(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Stop(cancelled) = %v, want context.Canceled wrapped", err)
	}
	if err := a.Tell(context.Background(), 99); !errors.Is(err, actor.ErrStopped) {
		t.Errorf("Tell after Stop = %v, want ErrStopped", err)
	}
	close(gate)
	if err := <-asked; err != nil {
		t.Errorf("an ask queued before Stop: %v, want its reply", err)
	}
	stop(t, a)
	if want := []int{0, 1, 2, 3}; !slices.Equal(*got, want) {
		t.Errorf("received %v, want everything queued before Stop: %v", *got, want)
	}
	if a.Reason() != actor.Shutdown {
		t.Errorf("Reason() = %q, want shutdown", a.Reason())
	}
}

func TestKillDropsQueued(t *testing.T) {
	gate := make(chan struct{})
	behaviour, got := recording(gate)
	a := actor.New(behaviour, actor.Options{Capacity: 8})
	for i := range 2 {
		if err := a.Tell(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	asked := make(chan error)
	go func() {
		_, err := a.Ask(context.Background(), 2)
		asked <- err
	}()
	waitLen(a, 3)
	a.Kill()
	if err := <-asked; !errors.Is(err, actor.ErrStopped) {
		t.Errorf("an ask queued before Kill = %v, want ErrStopped", err)
	}
	close(gate)
	<-a.Done()
	if len(*got) != 0 {
		t.Errorf("received %v after Kill, want nothing", *got)
	}
	if err := a.Tell(context.Background(), 3); !errors.Is(err, actor.ErrStopped) {
		t.Errorf("Tell after Kill = %v, want ErrStopped", err)
	}
	if err := a.Stop(context.Background()); err != nil {
		t.Errorf("Stop after Kill = %v, want nil", err)
	}
	if a.Reason() != actor.Shutdown {
		t.Errorf("Reason() = %q, want shutdown", a.Reason())
	}
}

func TestKillUnblocksBlockedSender(t *testing.T) {
	gate := make(chan struct{})
	behaviour, _ := recording(gate)
	a := actor.New(behaviour, actor.Options{Capacity: 1})
	if err := a.Tell(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	sent := make(chan error)
	go func() { sent <- a.Tell(context.Background(), 2) }()
	a.Kill()
	if err := <-sent; !errors.Is(err, actor.ErrStopped) && err != nil {
		t.Errorf("Tell blocked across Kill = %v, want ErrStopped (or nil if it got in first)", err)
	}
	close(gate)
	<-a.Done()
}

func TestEndedActorRefuses(t *testing.T) {
	// The behaviour answers one message and returns: asks after that get
	// ErrStopped, whether queued in time or sent after the end.
	a := actor.New(func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		env, _ := mb.Receive()
		env.Reply(env.Msg)
		return nil
	}, actor.Options{})
	if v, err := a.Ask(context.Background(), 7); v != 7 || err != nil {
		t.Fatalf("Ask(7) = %d, %v", v, err)
	}
	<-a.Done()
	if a.Reason() != actor.Normal {
		t.Errorf("Reason() = %q, want normal", a.Reason())
	}
	for _, send := range []func() error{
		func() error { return a.Tell(context.Background(), 1) },
		func() error { _, err := a.Ask(context.Background(), 1); return err },
	} {
		if err := send(); !errors.Is(err, actor.ErrStopped) {
			t.Errorf("send to an ended actor = %v, want ErrStopped", err)
		}
	}
}

func TestUnansweredAskWhenActorEnds(t *testing.T) {
	// The behaviour takes the ask and returns without replying.
	a := actor.New(func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		mb.Receive()
		return nil
	}, actor.Options{})
	if _, err := a.Ask(context.Background(), 1); !errors.Is(err, actor.ErrStopped) {
		t.Errorf("Ask the actor dropped = %v, want ErrStopped", err)
	}
}

func TestDefaultCapacity(t *testing.T) {
	a := actor.New(func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		if mb.Cap() != actor.DefaultCapacity || mb.Len() != 0 {
			return fmt.Errorf("Cap() = %d, Len() = %d", mb.Cap(), mb.Len())
		}
		return nil
	}, actor.Options{Capacity: -3})
	<-a.Done()
	if err := a.Err(); err != nil {
		t.Error(err)
	}
}

// TestOrderPerSender: several goroutines tell numbered messages at once; the
// actor sees each sender's in the order sent, whatever the interleaving.
func TestOrderPerSender(t *testing.T) {
	const senders, each = 8, 200
	type msg struct{ from, seq int }
	a := actor.New(func(ctx context.Context, mb *actor.Mailbox[msg, int]) error {
		next := make([]int, senders)
		for env := range mb.All() {
			if env.Msg.seq != next[env.Msg.from] {
				return fmt.Errorf("sender %d: got %d, want %d", env.Msg.from, env.Msg.seq, next[env.Msg.from])
			}
			next[env.Msg.from]++
		}
		for from, n := range next {
			if n != each {
				return fmt.Errorf("sender %d: %d messages, want %d", from, n, each)
			}
		}
		return nil
	}, actor.Options{Capacity: 4})
	var wg sync.WaitGroup
	for from := range senders {
		wg.Go(func() {
			for seq := range each {
				if err := a.Tell(context.Background(), msg{from, seq}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	stop(t, a)
	if err := a.Err(); err != nil {
		t.Error(err)
	}
}

// TestStopRacingTells: senders tell while the actor is being stopped; every
// Tell that returned nil was handled, and every other one got ErrStopped.
// That holds for any interleaving, which is what the test relies on.
func TestStopRacingTells(t *testing.T) {
	const senders, each = 4, 300
	handled := 0
	a := actor.New(func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		for range mb.All() {
			handled++
		}
		return nil
	}, actor.Options{Capacity: 2})
	accepted := make([]int, senders)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for s := range senders {
		wg.Go(func() {
			<-start
			for i := range each {
				err := a.Tell(context.Background(), i)
				switch {
				case err == nil:
					accepted[s]++
				case !errors.Is(err, actor.ErrStopped):
					t.Errorf("Tell = %v", err)
				}
			}
		})
	}
	close(start)
	stop(t, a)
	wg.Wait()
	total := 0
	for _, n := range accepted {
		total += n
	}
	if handled != total {
		t.Errorf("handled %d messages, %d Tells returned nil", handled, total)
	}
}
