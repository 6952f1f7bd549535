package saga_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"twinbook/saga"
	"twinbook/store/storetest"
)

func openStoreLog(t *testing.T) saga.Log {
	t.Helper()
	log, err := saga.NewStoreLog(t.Context(), storetest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	return log
}

func init() {
	logKinds = append(logKinds, logKind{"store", func(t *testing.T) func(*testing.T) func() saga.Log {
		db := storetest.Open(t)
		if _, err := saga.NewStoreLog(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		return func(t *testing.T) func() saga.Log {
			// The subtests run one at a time: each starts from empty tables.
			for _, table := range []string{"saga_log", "sagas"} {
				if _, err := db.ExecContext(t.Context(), "DELETE FROM "+table); err != nil {
					t.Fatal(err)
				}
			}
			return func() saga.Log {
				log, err := saga.NewStoreLog(t.Context(), db)
				if err != nil {
					t.Fatal(err)
				}
				return log
			}
		}
	}})
}

// TestLogs runs the Log contract on every implementation.
func TestLogs(t *testing.T) {
	for _, kind := range logKinds {
		t.Run(kind.name, func(t *testing.T) {
			ctx := t.Context()
			log := emptyLog(t, kind)
			p := saga.Progress{SagaID: "o1", Definition: "order", State: saga.Running}
			got, err := log.Begin(ctx, p)
			if err != nil || got != p {
				t.Fatalf("Begin: %+v %v", got, err)
			}
			if err := log.Start(ctx, "o1", "reserve", saga.Action); err != nil {
				t.Fatal(err)
			}
			next := saga.Progress{SagaID: "o1", Definition: "order", State: saga.Compensating, Step: 3, Failures: 2}
			if err := log.Finish(ctx, "o1", "reserve", saga.Action, saga.Fail, next); err != nil {
				t.Fatal(err)
			}
			// Begin of a recorded saga changes nothing and returns what is recorded.
			if got, err := log.Begin(ctx, p); err != nil || got != next {
				t.Fatalf("second Begin: %+v %v", got, err)
			}
			entries, err := log.Entries(ctx, "o1")
			want := []saga.Entry{{"reserve", saga.Action, saga.Started}, {"reserve", saga.Action, saga.Fail}}
			if err != nil || fmt.Sprint(entries) != fmt.Sprint(want) {
				t.Fatalf("Entries: %v %v", entries, err)
			}
			if _, err := log.Begin(ctx, saga.Progress{SagaID: "o2", Definition: "order", State: saga.Running}); err != nil {
				t.Fatal(err)
			}
			done := saga.Progress{SagaID: "o2", Definition: "order", State: saga.Completed, Step: 1}
			if err := log.Finish(ctx, "o2", "a", saga.Action, saga.OK, done); err != nil {
				t.Fatal(err)
			}
			if _, err := log.Begin(ctx, saga.Progress{SagaID: "o3", Definition: "order", State: saga.Running}); err != nil {
				t.Fatal(err)
			}
			if ids, err := log.Unfinished(ctx, "order"); err != nil || fmt.Sprint(ids) != "[o1 o3]" {
				t.Fatalf("Unfinished: %v %v", ids, err)
			}
			if ids, err := log.Unfinished(ctx, "refund"); err != nil || len(ids) != 0 {
				t.Fatalf("Unfinished(refund): %v %v", ids, err)
			}
			for name, err := range map[string]error{
				"Load":   func() error { _, err := log.Load(ctx, "nope"); return err }(),
				"Start":  log.Start(ctx, "nope", "a", saga.Action),
				"Finish": log.Finish(ctx, "nope", "a", saga.Action, saga.OK, next),
				"Entries": func() error {
					_, err := log.Entries(ctx, "nope")
					return err
				}(),
			} {
				if !errors.Is(err, saga.ErrUnknownSaga) {
					t.Errorf("%s of an unknown saga: %v", name, err)
				}
			}
		})
	}
}

// TestStoreLogFromManyGoroutines: 8 orchestrators (one per goroutine, as
// separate processes would be) on one store run 24 sagas; every one ends
// and its log holds a start and a result for every attempt.
func TestStoreLogFromManyGoroutines(t *testing.T) {
	log := openStoreLog(t)
	r := newRecorder()
	for i := range 24 {
		if i%4 == 0 {
			r.fail[fmt.Sprintf("s%d:charge:action", i)] = 9
		}
	}
	def := threeSteps(r, 1)
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for g := range 8 {
		wg.Go(func() {
			o, err := saga.New(def, log, saga.Options{Backoff: saga.NoBackoff})
			if err != nil {
				errs <- err
				return
			}
			for i := g; i < 24; i += 8 {
				if _, err := o.Run(t.Context(), fmt.Sprintf("s%d", i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range 24 {
		p, err := log.Load(t.Context(), fmt.Sprintf("s%d", i))
		want := saga.Completed
		if i%4 == 0 {
			want = saga.Compensated
		}
		if err != nil || p.State != want {
			t.Errorf("s%d: %+v %v, want %v", i, p, err, want)
		}
		entries, _ := log.Entries(t.Context(), fmt.Sprintf("s%d", i))
		if len(entries)%2 != 0 || len(entries) == 0 {
			t.Errorf("s%d: %d entries", i, len(entries))
		}
	}
}
