package breaker_test

import (
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"twinbook/breaker"
)

// TestMain fails the run if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testClock is a breaker.Clock that tests set by hand, in milliseconds from
// the Unix epoch (the spec's clock starts at 0).
type testClock struct {
	mu sync.Mutex
	ms int64
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.UnixMilli(c.ms)
}

func (c *testClock) set(ms int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ms = ms
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ms += d.Milliseconds()
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

// newTestBreaker builds a breaker from cfg on a testClock at 0.
func newTestBreaker(t testing.TB, cfg breaker.Config) (*breaker.Breaker, *testClock) {
	t.Helper()
	clock := new(testClock)
	cfg.Clock = clock
	b, err := breaker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b, clock
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
