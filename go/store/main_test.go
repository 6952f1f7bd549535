package store_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind (a pool's
// connection opener, a transaction never finished).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
