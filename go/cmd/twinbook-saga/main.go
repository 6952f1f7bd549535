// Command twinbook-saga is chapter 5's crash demo for sagas: it runs a
// fixed batch of order sagas against a participant that keeps its effects in
// the same store, deduplicated by idempotency key, so that it can be killed
// with SIGKILL at any moment and started again until every saga has ended.
//
//	twinbook-saga -store URL [-sagas N] [-timeout D]
//
// Each start first resumes what a killed run left unfinished, then runs
// sagas s0..s(N-1) (a finished one returns at once) and prints one JSON line,
// {"completed": C, "compensated": K}. The plan of each saga (which step fails,
// for how long) is fixed by its number, the same as `python -m twinbook.saga`,
// so both languages' runs can be checked the same way:
//
//	tables demo_calls   (key, attempt): every call the participant got
//	       demo_effects (key, seq):     every effect it applied, once per key
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"twinbook/saga"
	"twinbook/store"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "twinbook-saga:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	flags := flag.NewFlagSet("twinbook-saga", flag.ContinueOnError)
	url := flags.String("store", "", "the store: sqlite:PATH or postgres://...")
	n := flags.Int("sagas", 40, "how many sagas to run")
	timeout := flags.Duration("timeout", 2*time.Minute, "give up after this long")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("-store is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	db, err := store.Open(ctx, *url)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := Orchestrator(ctx, db)
	if err != nil {
		return err
	}
	if _, err := o.Resume(ctx); err != nil {
		return err
	}
	counts := map[saga.State]int{}
	for i := range *n {
		state, err := o.Run(ctx, fmt.Sprintf("s%d", i))
		if err != nil {
			return err
		}
		counts[state]++
	}
	return json.NewEncoder(out).Encode(map[string]int{
		"completed": counts[saga.Completed], "compensated": counts[saga.Compensated],
	})
}
