// Package kafkatest gives Go tests a Kafka broker, the same way on a laptop
// and in CI: the real one TWINBOOK_KAFKA names, else an embedded kfake broker
// of the test's own. `make test` runs the packages that use it twice, once
// on kfake and once with TWINBOOK_KAFKA pointing at a real Apache Kafka that
// the test session starts (tests/plugins/gotest.py lists those packages).
package kafkatest

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"twinbook/kafka"
)

// Bootstrap returns a bootstrap server for the test: TWINBOOK_KAFKA's when it
// is set, else the address of an embedded broker started for this test alone
// and closed by t.Cleanup. A real broker is shared with every other test
// (and package) of the run, so a test must use topic and group names of its
// own (see Name).
func Bootstrap(t testing.TB) string {
	t.Helper()
	// docs:start bootstrap
	if addr, ok := kafka.FromEnv(); ok {
		return addr // a real broker, shared: not ours to stop
	}
	b, err := kafka.Start(kafka.Config{})
	if err != nil {
		t.Fatalf("kafkatest: %v", err)
	}
	t.Cleanup(b.Close)
	return b.Addr()
	// docs:end bootstrap
}

// Name returns a topic (or group, or transactional id) name that no other
// test and no earlier run uses: the test's name, with what Kafka refuses in a
// topic name replaced by '.', and a random suffix. A real broker outlives
// one run (`make kafka`), so the suffix matters as much as the test's name.
func Name(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, r := range t.Name() {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('.')
		}
	}
	name := b.String()
	// Kafka allows 249 characters; keep room for the suffix.
	if len(name) > 200 {
		name = name[:200]
	}
	return fmt.Sprintf("%s.%s", name, rand.Text()[:10])
}
