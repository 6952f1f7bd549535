package registry_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind (a Kafka
// client or an HTTP server not closed).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
