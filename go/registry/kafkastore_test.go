package registry_test

import (
	"context"
	"errors"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/kafka/kafkatest"
	"twinbook/registry"
)

func openKafka(t *testing.T, bootstrap, topic string) *registry.KafkaStore {
	t.Helper()
	store, err := registry.OpenKafka(context.Background(), registry.KafkaConfig{Bootstrap: bootstrap, Topic: topic})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// TestKafkaStore runs the route table on a registry whose log is a topic,
// then opens a second registry on the same topic: every answer is the
// same, and the topic is compacted, one partition, with Confluent's keys.
func TestKafkaStore(t *testing.T) {
	bootstrap := kafkatest.Bootstrap(t)
	topic := kafkatest.Name(t)
	first := newServer(t, openKafka(t, bootstrap, topic))
	runSteps(t, first, routeSteps())
	second := newServer(t, openKafka(t, bootstrap, topic))
	for _, path := range replayedPaths {
		s1, b1, _ := call(t, first, "GET", path, "", "")
		s2, b2, _ := call(t, second, "GET", path, "", "")
		if s1 != s2 || !reflect.DeepEqual(b1, b2) {
			t.Errorf("GET %s: first registry %d %v, second %d %v", path, s1, b1, s2, b2)
		}
	}

	client, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	adm := kadm.NewClient(client)
	configs, err := adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.On(topic, nil)
	if err != nil {
		t.Fatal(err)
	}
	policy := ""
	for _, c := range cfg.Configs {
		if c.Key == "cleanup.policy" && c.Value != nil {
			policy = *c.Value
		}
	}
	if policy != "compact" {
		t.Errorf("cleanup.policy of %s = %q, want compact", topic, policy)
	}
	details, err := adm.ListTopics(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(details[topic].Partitions); n != 1 {
		t.Errorf("%s has %d partitions, want 1", topic, n)
	}
}

// TestRecordKeys pins the record keys' bytes: compaction keeps the latest
// record per key, so Go, Python and Confluent must spell keys alike.
func TestRecordKeys(t *testing.T) {
	store := registry.NewMemoryStore()
	srv := newServer(t, store)
	runSteps(t, srv, []step{
		{name: "register", method: "POST", path: "/subjects/s/versions", body: body(`"string"`), status: 200},
		{name: "subject level", method: "PUT", path: "/config/s", body: `{"compatibility":"FULL"}`, status: 200},
		{name: "global level", method: "PUT", path: "/config", body: `{"compatibility":"NONE"}`, status: 200},
		{name: "soft delete", method: "DELETE", path: "/subjects/s", status: 200},
	})
	var got []string
	for _, r := range store.Records() {
		got = append(got, string(r.Key.MarshalKey()))
	}
	want := []string{
		`{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}`,
		`{"keytype":"CONFIG","subject":"s","magic":0}`,
		`{"keytype":"CONFIG","subject":null,"magic":0}`,
		`{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}`,
		`{"keytype":"CONFIG","subject":"s","magic":0}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("record keys:\n got %q\nwant %q", got, want)
	}
}

// TestKafkaUnavailable: a broker that is not there is a named error within
// the timeout, not a hang.
func TestKafkaUnavailable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close() // nothing listens there any more
	_, err = registry.OpenKafka(context.Background(), registry.KafkaConfig{Bootstrap: addr, Timeout: time.Second})
	if !errors.Is(err, registry.ErrKafkaUnavailable) {
		t.Fatalf("OpenKafka on %s: %v, want ErrKafkaUnavailable", addr, err)
	}
}
