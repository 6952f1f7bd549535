package outbox

import (
	"testing"
	"time"
)

func TestBackoffDoublesUpToTheCeiling(t *testing.T) {
	r := NewRelay(nil, nil, RelayConfig{MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	for n, want := range []time.Duration{10, 10, 20, 40, 50, 50} {
		if n == 0 {
			continue
		}
		if got := r.backoff(n); got != want*time.Millisecond {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want*time.Millisecond)
		}
	}
}
