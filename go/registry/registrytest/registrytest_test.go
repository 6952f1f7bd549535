package registrytest_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"twinbook/kafka/kafkatest"
	"twinbook/registry/registrytest"
)

func TestStart(t *testing.T) {
	url := registrytest.Start(t, kafkatest.Bootstrap(t))
	client, err := sr.NewClient(sr.URLs(url))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := client.CreateSchema(ctx, "s", sr.Schema{Schema: `"string"`})
	if err != nil || got.ID != 1 || got.Version != 1 {
		t.Fatalf("CreateSchema on a fresh registry: %+v, %v; want id 1 version 1", got, err)
	}
}
