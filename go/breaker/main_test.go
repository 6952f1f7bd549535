package breaker_test

import (
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"twinbook/breaker"
	"twinbook/clock"
)

// TestMain fails the run if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// specConfig is the spec's example configuration, in Go.
func specConfig() breaker.Config {
	return breaker.Config{
		SlidingWindow:          breaker.CountWindow,
		WindowSize:             4,
		MinimumCalls:           4,
		FailureRateThreshold:   50,
		SlowCallRateThreshold:  100,
		SlowCallDuration:       time.Second,
		WaitInOpen:             5 * time.Second,
		HalfOpenPermittedCalls: 2,
	}
}

// newTestBreaker builds a breaker from cfg on a manual clock at the Unix
// epoch: the spec's clock starts at 0, and vectors give times in ms from it.
func newTestBreaker(t testing.TB, cfg breaker.Config) (*breaker.Breaker, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(time.UnixMilli(0))
	cfg.Clock = clk
	b, err := breaker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b, clk
}

// transitions records the breaker's transitions as "from->to".
type transitions struct {
	mu  sync.Mutex
	log []string
}

func watch(b *breaker.Breaker) *transitions {
	tr := new(transitions)
	b.Subscribe(func(e breaker.Event) {
		if e.Type == breaker.EventTransition {
			tr.mu.Lock()
			tr.log = append(tr.log, e.String())
			tr.mu.Unlock()
		}
	})
	return tr
}

// take returns the transitions since the last take.
func (tr *transitions) take() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	log := tr.log
	tr.log = nil
	return log
}
