package concurrency_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/concurrency"
)

// unwrapAll returns the errors joined in err, or err alone.
func unwrapAll(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}

func TestGroupWait(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	succeed := func(context.Context) error { return nil }
	fail := func(err error) func(context.Context) error {
		return func(context.Context) error { return err }
	}
	tests := []struct {
		name  string
		tasks []func(context.Context) error
		want  []error // errors.Is must hold for each; nil for a nil Wait
	}{
		{"no tasks", nil, nil},
		{"all succeed", []func(context.Context) error{succeed, succeed, succeed}, nil},
		{"one fails", []func(context.Context) error{succeed, fail(errA), succeed}, []error{errA}},
		{"two fail", []func(context.Context) error{fail(errA), succeed, fail(errB)}, []error{errA, errB}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := concurrency.WithContext(t.Context())
			for _, task := range tt.tasks {
				g.Go(task)
			}
			err := g.Wait()
			if tt.want == nil {
				if err != nil {
					t.Errorf("Wait = %v, want nil", err)
				}
				return
			}
			if n := len(unwrapAll(err)); n != len(tt.want) {
				t.Errorf("Wait = %v: %d errors, want %d", err, n, len(tt.want))
			}
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("Wait = %v, want it to include %v", err, want)
				}
			}
		})
	}
}

// TestGroupFirstErrorCancels has one task fail and two others wait for the
// cancellation that failure causes, one of them failing in turn. The
// first failure must cancel the context, be its cause, and come first.
func TestGroupFirstErrorCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errFirst := errors.New("first")
		g, ctx := concurrency.WithContext(t.Context())
		g.Go(func(ctx context.Context) error {
			<-ctx.Done()
			return fmt.Errorf("second: %w", context.Cause(ctx))
		})
		g.Go(func(ctx context.Context) error {
			<-ctx.Done()
			return nil
		})
		g.Go(func(context.Context) error { return errFirst })

		err := g.Wait()
		errs := unwrapAll(err)
		if len(errs) != 2 {
			t.Fatalf("Wait = %v, want 2 errors", err)
		}
		if errs[0] != errFirst {
			t.Errorf("first error = %v, want %v", errs[0], errFirst)
		}
		if got, want := errs[1].Error(), "second: first"; got != want {
			t.Errorf("second error = %q, want %q", got, want)
		}
		if cause := context.Cause(ctx); cause != errFirst {
			t.Errorf("context cause = %v, want %v", cause, errFirst)
		}
	})
}

func TestGroupPanic(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name  string
		value any
		is    error // errors.Is(Wait(), is) must hold when set
	}{
		{"string", "kaput", nil},
		{"error", errBoom, errBoom},
		{"wrapped error", fmt.Errorf("wrapped: %w", errBoom), errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g, ctx := concurrency.WithContext(t.Context())
				g.Go(func(ctx context.Context) error {
					<-ctx.Done() // the panic elsewhere must cancel this task
					return nil
				})
				g.Go(func(context.Context) error { panicker(tt.value); return nil })

				err := g.Wait()
				var pe *concurrency.PanicError
				if !errors.As(err, &pe) {
					t.Fatalf("Wait = %v, want a *PanicError", err)
				}
				if pe.Value != tt.value {
					t.Errorf("Value = %v, want %v", pe.Value, tt.value)
				}
				if !strings.Contains(string(pe.Stack), "panicker") {
					t.Errorf("Stack does not show the panicking function:\n%s", pe.Stack)
				}
				if !strings.HasPrefix(err.Error(), fmt.Sprintf("concurrency: task panicked: %v\n", tt.value)) {
					t.Errorf("Error() = %q, want the panic value first", err)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
				}
				if context.Cause(ctx) != pe {
					t.Errorf("context cause = %v, want the *PanicError", context.Cause(ctx))
				}
			})
		})
	}
}

//go:noinline
func panicker(v any) { panic(v) }

func TestGroupPanicNil(t *testing.T) {
	var g concurrency.Group
	g.Go(func(context.Context) error { panic(nil) })
	var pe *concurrency.PanicError
	if err := g.Wait(); !errors.As(err, &pe) {
		t.Fatalf("Wait = %v, want a *PanicError", err)
	}
	var nilErr *runtime.PanicNilError
	if !errors.As(pe, &nilErr) {
		t.Errorf("Value = %#v, want a *runtime.PanicNilError", pe.Value)
	}
}

func TestGroupLimit(t *testing.T) {
	tests := []struct {
		limit, tasks, wantPeak int
	}{
		{limit: 1, tasks: 5, wantPeak: 1},
		{limit: 2, tasks: 5, wantPeak: 2},
		{limit: 5, tasks: 10, wantPeak: 5},
		{limit: 20, tasks: 10, wantPeak: 10},
		{limit: -1, tasks: 10, wantPeak: 10}, // no limit
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("limit=%d", tt.limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var g gauge
				group, _ := concurrency.WithContext(t.Context())
				group.SetLimit(tt.limit)
				for range tt.tasks {
					group.Go(func(context.Context) error {
						g.enter()
						defer g.exit()
						time.Sleep(time.Millisecond)
						return nil
					})
				}
				if err := group.Wait(); err != nil {
					t.Fatal(err)
				}
				if got := g.peak.Load(); got != int64(tt.wantPeak) {
					t.Errorf("peak concurrency = %d, want %d", got, tt.wantPeak)
				}
			})
		})
	}
}

func TestGroupZeroValue(t *testing.T) {
	errA := errors.New("a")
	var g concurrency.Group
	failed := make(chan struct{})
	g.Go(func(context.Context) error {
		defer close(failed)
		return errA
	})
	g.Go(func(ctx context.Context) error {
		<-failed
		// A zero Group has no context of its own to cancel.
		return ctx.Err()
	})
	if err := g.Wait(); !errors.Is(err, errA) || len(unwrapAll(err)) != 1 {
		t.Errorf("Wait = %v, want just %v", err, errA)
	}
}

func TestWaitCancelsContext(t *testing.T) {
	g, ctx := concurrency.WithContext(t.Context())
	g.Go(func(ctx context.Context) error { return ctx.Err() })
	if err := g.Wait(); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if context.Cause(ctx) != context.Canceled {
		t.Errorf("after Wait, context cause = %v, want context.Canceled", context.Cause(ctx))
	}
}

func TestSetLimitPanics(t *testing.T) {
	tests := []struct {
		name string
		run  func(g *concurrency.Group, release <-chan struct{})
	}{
		{"zero", func(g *concurrency.Group, _ <-chan struct{}) {
			g.SetLimit(0)
		}},
		{"while running", func(g *concurrency.Group, release <-chan struct{}) {
			g.SetLimit(2)
			g.Go(func(context.Context) error { <-release; return nil })
			g.SetLimit(3)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g concurrency.Group
			release := make(chan struct{})
			defer func() {
				if recover() == nil {
					t.Error("SetLimit did not panic")
				}
				close(release)
				if err := g.Wait(); err != nil {
					t.Error(err)
				}
			}()
			tt.run(&g, release)
		})
	}
}

func ExampleGroup() {
	g, ctx := concurrency.WithContext(context.Background())
	g.SetLimit(2)
	g.Go(func(context.Context) error {
		return errors.New("disk full")
	})
	g.Go(func(ctx context.Context) error {
		<-ctx.Done() // cancelled by the failure above
		return fmt.Errorf("upload stopped: %w", context.Cause(ctx))
	})
	fmt.Println(g.Wait())
	fmt.Println("cause:", context.Cause(ctx))
	// Output:
	// disk full
	// upload stopped: disk full
	// cause: disk full
}

func ExamplePanicError() {
	var g concurrency.Group
	g.Go(func(context.Context) error {
		panic("disk on fire") // what a bug in a task would do
	})
	var pe *concurrency.PanicError
	if err := g.Wait(); errors.As(err, &pe) {
		fmt.Println("recovered:", pe.Value)
	}
	// Output: recovered: disk on fire
}
