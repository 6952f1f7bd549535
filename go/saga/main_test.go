package saga_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind (a store's
// connection opener, a backoff timer nobody waits for).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
