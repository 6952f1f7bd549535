package supervisor_test

import (
	"context"
	"fmt"

	"twinbook/actor"
	"twinbook/supervisor"
)

// A one_for_one supervisor over two actors: the one that panics is replaced
// by a fresh one, the other keeps its state.
func Example() {
	counter := func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
		total := 0
		for env := range mb.All() {
			if env.Msg < 0 {
				panic("negative")
			}
			total += env.Msg
			env.Reply(total)
		}
		return nil
	}
	a := supervisor.NewActorWorker(counter, actor.Options{})
	b := supervisor.NewActorWorker(counter, actor.Options{})

	spec, err := supervisor.ParseSpec([]byte(`{"strategy": "one_for_one", "intensity": 3, "period_ms": 5000,
		"children": [{"id": "a", "restart": "permanent"}, {"id": "b", "restart": "permanent"}]}`))
	if err != nil {
		panic(err)
	}
	started := make(chan string, 8) // the paths the supervisor starts
	sup, err := supervisor.New(spec, map[string]supervisor.StartFunc{"a": a.Start, "b": b.Start},
		supervisor.Options{OnEvent: func(e supervisor.Event) {
			fmt.Println(e)
			if e.Op == supervisor.OpStart {
				started <- e.Path
			}
		}})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	_ = sup.Start(ctx)
	<-started
	<-started

	_, _ = a.Ask(ctx, 10)
	_, _ = b.Ask(ctx, 10)
	_ = b.Tell(ctx, -1) // b panics
	<-started           // and is started again, with an empty state
	totalA, _ := a.Ask(ctx, 1)
	totalB, _ := b.Ask(ctx, 1)
	fmt.Println("a:", totalA, "b:", totalB)

	_ = sup.Stop(ctx)
	// Output:
	// start a
	// start b
	// exit b crash
	// start b
	// a: 11 b: 1
	// terminate b
	// terminate a
}
