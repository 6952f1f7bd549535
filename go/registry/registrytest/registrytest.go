// Package registrytest starts the project's schema registry for tests: in
// process, on a broker, on a topic of the test's own, stopped when the test
// ends.
package registrytest

import (
	"context"
	"net/http/httptest"
	"testing"

	"twinbook/kafka/kafkatest"
	"twinbook/registry"
)

// Start serves a registry whose log is a new topic on bootstrap (a
// kafkatest.Bootstrap address) and returns its base URL; the server and
// its Kafka clients are closed by t.Cleanup.
func Start(t testing.TB, bootstrap string) string {
	t.Helper()
	store, err := registry.OpenKafka(context.Background(), registry.KafkaConfig{
		Bootstrap: bootstrap, Topic: "_schemas." + kafkatest.Name(t),
	})
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	svc, err := registry.New(context.Background(), store, registry.AvroChecker{}, registry.Options{})
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	srv := httptest.NewServer(registry.NewHandler(svc))
	t.Cleanup(srv.Close)
	return srv.URL
}
