package resilience_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/resilience"
)

// hang waits for its context and returns its error.
func hang(ctx context.Context) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

func TestTimeout(t *testing.T) {
	tests := []struct {
		name        string
		callerLimit time.Duration // 0: none
		cancel      bool
		call        resilience.Func[string]
		wantTimeout bool
		wantErr     error
		wantAfter   time.Duration
	}{
		{name: "fast call", call: func(context.Context) (string, error) { return "ok", nil }},
		{name: "slow call times out", call: hang, wantTimeout: true, wantErr: context.DeadlineExceeded, wantAfter: time.Second},
		{name: "the caller's shorter deadline is the caller's", callerLimit: 300 * time.Millisecond, call: hang,
			wantErr: context.DeadlineExceeded, wantAfter: 300 * time.Millisecond},
		{name: "the caller's cancellation passes through", cancel: true, call: hang, wantErr: context.Canceled},
		{name: "an error before the deadline is not a timeout", call: func(context.Context) (string, error) {
			return "", errBoom
		}, wantErr: errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				if tt.callerLimit > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.callerLimit)
					defer cancel()
				}
				if tt.cancel {
					var cancel context.CancelFunc
					ctx, cancel = context.WithCancel(ctx)
					cancel()
				}
				start := time.Now()
				v, err := resilience.WithTimeout(tt.call, time.Second)(ctx)
				if tt.wantErr == nil && (err != nil || v != "ok") {
					t.Fatalf("= %q, %v; want ok", v, err)
				}
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want one matching %v", err, tt.wantErr)
				}
				if got := errors.Is(err, resilience.ErrTimeout); got != tt.wantTimeout {
					t.Errorf("errors.Is(err, ErrTimeout) = %v, want %v (err %v)", got, tt.wantTimeout, err)
				}
				if elapsed := time.Since(start); elapsed != tt.wantAfter {
					t.Errorf("returned after %v, want %v", elapsed, tt.wantAfter)
				}
			})
		})
	}
}

func TestTimeoutErrorMessage(t *testing.T) {
	err := &resilience.TimeoutError{After: 2 * time.Second, Err: context.DeadlineExceeded}
	if want := "resilience: timed out after 2s: context deadline exceeded"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}
