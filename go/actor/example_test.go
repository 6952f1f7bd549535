package actor_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"twinbook/actor"
)

// A counter that nobody else can touch: its state is a local variable of
// the behaviour, and every change comes through the mailbox.
func Example() {
	// docs:start counter
	counter := actor.New(func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		total := 0
		for env := range mb.All() {
			total += env.Msg
			env.Reply(total) // a Tell's envelope ignores the reply
		}
		return nil
	}, actor.Options{Capacity: 16})

	ctx := context.Background()
	_ = counter.Tell(ctx, 40) // fire and forget
	total, err := counter.Ask(ctx, 2)
	fmt.Println(total, err)

	_ = counter.Stop(ctx) // drain, then stop
	fmt.Println(counter.Reason())
	fmt.Println(counter.Tell(ctx, 1))
	// docs:end counter

	// Output:
	// 42 <nil>
	// shutdown
	// actor: stopped
}

// FailFast tells the sender at once that the actor has no room; Block makes
// it wait, at most until its context's deadline.
func ExampleOverflow() {
	gate := make(chan struct{})
	slow := actor.New(func(ctx context.Context, mb *actor.Mailbox[string, struct{}]) error {
		<-gate // busy with something else
		for range mb.All() {
		}
		return nil
	}, actor.Options{Capacity: 1, Overflow: actor.FailFast})

	ctx := context.Background()
	fmt.Println(slow.Tell(ctx, "first"))
	err := slow.Tell(ctx, "second")
	fmt.Println(err, errors.Is(err, actor.ErrMailboxFull))

	close(gate)
	_ = slow.Stop(ctx)
	// Output:
	// <nil>
	// actor: mailbox full true
}

// A panic in the behaviour does not take the program down: the actor ends
// with reason crash, and its supervisor decides what happens next.
func ExampleActor_Reason() {
	fragile := actor.New(func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		for env := range mb.All() {
			env.Reply(100 / env.Msg)
		}
		return nil
	}, actor.Options{})

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := fragile.Ask(ctx, 0)
	<-fragile.Done()
	fmt.Println(err)
	fmt.Println(fragile.Reason(), fragile.Err())
	// Output:
	// actor: stopped
	// crash actor: panic: runtime error: integer divide by zero
}
