package saga_test

import (
	"context"
	"errors"
	"fmt"

	"twinbook/saga"
)

// An order saga whose shipping fails for good: the payment and the
// reservation are undone, latest first, each call carrying its key.
func Example() {
	do := func(ctx context.Context, c saga.Call) error {
		fmt.Println(c.Key)
		if c.Step == "ship" {
			return errors.New("no courier")
		}
		return nil
	}
	def := saga.Definition{ID: "order", Steps: []saga.Step{
		{Name: "reserve", Action: do, Compensation: do},
		{Name: "charge", Action: do, Compensation: do},
		{Name: "ship", Retries: 1, Action: do},
	}}
	o, err := saga.New(def, saga.NewMemoryLog(), saga.Options{Backoff: saga.NoBackoff})
	if err != nil {
		fmt.Println(err)
		return
	}
	state, err := o.Run(context.Background(), "order-7")
	fmt.Println(state, err)
	// Output:
	// order-7:reserve:action
	// order-7:charge:action
	// order-7:ship:action
	// order-7:ship:action
	// order-7:charge:compensation
	// order-7:reserve:compensation
	// compensated <nil>
}

// A definition with a duplicate step is refused before anything runs.
func ExampleDefinition_Validate() {
	nop := func(context.Context, saga.Call) error { return nil }
	def := saga.Definition{ID: "order", Steps: []saga.Step{
		{Name: "reserve", Action: nop, Compensation: nop},
		{Name: "reserve", Action: nop},
	}}
	err := def.Validate()
	fmt.Println(errors.Is(err, saga.ErrInvalidSaga))
	fmt.Println(err)
	// Output:
	// true
	// saga: invalid definition: order: step 1: duplicate step name "reserve"
}
