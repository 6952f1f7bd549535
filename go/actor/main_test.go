package actor_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test, example or benchmark leaves a
// goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
