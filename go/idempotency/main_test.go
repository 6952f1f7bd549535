package idempotency_test

import (
	"testing"

	"go.uber.org/goleak"

	"twinbook/idempotency"
)

// TestMain fails the run if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recordKind is one implementation of idempotency.Records that every
// behaviour test runs on.
type recordKind struct {
	name string
	open func(t testing.TB) idempotency.Records
}

// recordKinds lists the implementations: the memory records, and the store
// records (see sql_test.go), each empty when open returns.
func recordKinds(parent testing.TB) []recordKind {
	return append([]recordKind{
		{"memory", func(testing.TB) idempotency.Records { return idempotency.NewMemory() }},
	}, storeKinds(parent)...)
}
