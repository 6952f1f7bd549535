package resilience_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/internal/testutil"
	"twinbook/resilience"
)

var errBoom = errors.New("boom")

func TestNewBulkheadRejects(t *testing.T) {
	for _, tt := range []struct {
		max     int
		wait    time.Duration
		mention string
	}{
		{0, 0, "max_concurrent: must be >= 1, got 0"},
		{-2, 0, "max_concurrent: must be >= 1, got -2"},
		{1, -time.Second, "max_wait: must be >= 0, got -1s"},
	} {
		if b, err := resilience.NewBulkhead(tt.max, tt.wait); b != nil || err == nil || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("NewBulkhead(%d, %v) = %v, %v; want an error saying %q", tt.max, tt.wait, b, err, tt.mention)
		}
	}
}

func TestBulkheadCapsConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit, callers = 3, 12
		bh, err := resilience.NewBulkhead(limit, 0)
		if err != nil {
			t.Fatal(err)
		}
		var g testutil.Gauge
		release := make(chan struct{})
		call := resilience.WithBulkhead(func(context.Context) (int, error) {
			g.Enter()
			defer g.Exit()
			<-release
			return 1, nil
		}, bh)
		var ran, full atomic.Int64
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				_, err := call(context.Background())
				switch {
				case err == nil:
					ran.Add(1)
				case errors.Is(err, resilience.ErrBulkheadFull):
					full.Add(1)
				default:
					t.Errorf("unexpected error %v", err)
				}
			})
		}
		synctest.Wait() // everyone either holds a slot or has been turned away
		if bh.InUse() != limit {
			t.Errorf("InUse = %d, want %d", bh.InUse(), limit)
		}
		close(release)
		wg.Wait()
		if ran.Load() != limit || full.Load() != callers-limit || g.Peak() != limit {
			t.Errorf("ran %d, rejected %d, peak %d; want %d, %d, %d", ran.Load(), full.Load(), g.Peak(), limit, callers-limit, limit)
		}
		if bh.InUse() != 0 {
			t.Errorf("InUse = %d after everything returned", bh.InUse())
		}
	})
}

func TestBulkheadWaitsForASlot(t *testing.T) {
	tests := []struct {
		name    string
		maxWait time.Duration
		cancel  time.Duration // cancel the waiter's ctx after this (0: never)
		wantErr error
		wantAt  time.Duration
	}{
		{"a slot frees in time", 100 * time.Millisecond, 0, nil, 50 * time.Millisecond},
		{"no slot in time", 20 * time.Millisecond, 0, resilience.ErrBulkheadFull, 20 * time.Millisecond},
		{"the caller gives up", time.Second, 10 * time.Millisecond, context.Canceled, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				bh, _ := resilience.NewBulkhead(1, tt.maxWait)
				hold := resilience.WithBulkhead(func(context.Context) (int, error) {
					time.Sleep(50 * time.Millisecond)
					return 0, nil
				}, bh)
				go hold(context.Background())
				synctest.Wait()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tt.cancel > 0 {
					time.AfterFunc(tt.cancel, cancel)
				}
				start := time.Now()
				v, err := resilience.WithBulkhead(func(context.Context) (int, error) { return 7, nil }, bh)(ctx)
				if !errors.Is(err, tt.wantErr) || (err == nil && v != 7) {
					t.Errorf("= %d, %v; want %v", v, err, tt.wantErr)
				}
				if d := time.Since(start); d != tt.wantAt {
					t.Errorf("returned after %v, want %v", d, tt.wantAt)
				}
				time.Sleep(time.Second) // let the holder finish
			})
		})
	}
}

func TestBulkheadFreesTheSlotOnPanic(t *testing.T) {
	bh, _ := resilience.NewBulkhead(1, 0)
	call := resilience.WithBulkhead(func(context.Context) (int, error) { panic("oops") }, bh)
	func() {
		defer func() { recover() }()
		call(context.Background())
	}()
	if bh.InUse() != 0 {
		t.Errorf("a panicking call kept its slot")
	}
}
