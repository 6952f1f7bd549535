package kafka_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"

	"twinbook/kafka"
	"twinbook/kafka/kafkatest"
)

// A closed broker leaves no goroutine behind: tests start one per test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// roundTrip produces one record to a new topic and consumes it back.
func roundTrip(t *testing.T, addr string) {
	t.Helper()
	topic := kafkatest.Name(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.AllowAutoTopicCreation(),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	want := &kgo.Record{Topic: topic, Key: []byte("k"), Value: []byte("hello")}
	if err := cl.ProduceSync(ctx, want).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	for {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("no record consumed: %v", err)
		}
		for _, fe := range fetches.Errors() {
			t.Logf("fetch error (retried): %v", fe.Err)
		}
		if recs := fetches.Records(); len(recs) > 0 {
			if string(recs[0].Key) != "k" || string(recs[0].Value) != "hello" {
				t.Fatalf("consumed %q=%q, want k=hello", recs[0].Key, recs[0].Value)
			}
			return
		}
	}
}

// partitions asks the broker's metadata how many partitions topic has,
// creating it on the way when the broker auto-creates.
func partitions(t *testing.T, addr, topic string) (int, error) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	req.AllowAutoTopicCreation = true
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Topics) != 1 {
		t.Fatalf("metadata for %d topics, want 1", len(resp.Topics))
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil {
		return 0, err
	}
	return len(resp.Topics[0].Partitions), nil
}

func TestStartServesProduceAndConsume(t *testing.T) {
	b, err := kafka.Start(kafka.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	roundTrip(t, b.Addr())
}

func TestStartConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  kafka.Config
		want int // partitions of an auto-created topic; 0: not created
	}{
		{"defaults", kafka.Config{}, kafka.DefaultPartitions},
		{"partitions", kafka.Config{Partitions: 7}, 7},
		{"no auto create", kafka.Config{NoAutoCreate: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := kafka.Start(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			host, _, err := net.SplitHostPort(b.Addr())
			if err != nil || host != "127.0.0.1" {
				t.Fatalf("Addr() = %q, want 127.0.0.1:PORT", b.Addr())
			}
			got, err := partitions(t, b.Addr(), kafkatest.Name(t))
			if tt.want == 0 {
				if err == nil {
					t.Fatalf("topic created with %d partitions, want UNKNOWN_TOPIC_OR_PARTITION", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("partitions = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestStartFixedPort(t *testing.T) {
	free, err := kafka.Start(kafka.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(free.Addr())
	free.Close()
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	b, err := kafka.Start(kafka.Config{Port: p})
	if err != nil {
		t.Fatalf("Start on the port just freed: %v", err)
	}
	defer b.Close()
	if b.Addr() != "127.0.0.1:"+port {
		t.Fatalf("Addr() = %q, want 127.0.0.1:%s", b.Addr(), port)
	}
	// The port is taken now: a second broker on it must fail, naming why.
	if _, err := kafka.Start(kafka.Config{Port: p}); !errors.Is(err, kafka.ErrStart) {
		t.Fatalf("second Start on a taken port: %v, want ErrStart", err)
	}
}

func TestStartRefusesBadConfig(t *testing.T) {
	for _, cfg := range []kafka.Config{{Partitions: -1}, {Port: -1}, {Port: 70000}} {
		if b, err := kafka.Start(cfg); !errors.Is(err, kafka.ErrStart) {
			if b != nil {
				b.Close()
			}
			t.Errorf("Start(%+v) = %v, want ErrStart", cfg, err)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	b, err := kafka.Start(kafka.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	b.Close()
	if conn, err := net.DialTimeout("tcp", b.Addr(), time.Second); err == nil {
		conn.Close()
		t.Fatal("a closed broker still accepts connections")
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		value string
		want  string
		ok    bool
	}{
		{"", "", false},
		{"   ", "", false},
		{"127.0.0.1:9092", "127.0.0.1:9092", true},
		{" h1:1,h2:2 ", "h1:1,h2:2", true},
	}
	for _, tt := range tests {
		t.Setenv(kafka.EnvVar, tt.value)
		got, ok := kafka.FromEnv()
		if got != tt.want || ok != tt.ok {
			t.Errorf("FromEnv() with %q = %q, %v; want %q, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBootstrap(t *testing.T) {
	t.Run("env", func(t *testing.T) {
		t.Setenv(kafka.EnvVar, "example.invalid:9092")
		addr, stop, err := kafka.Bootstrap()
		if err != nil || addr != "example.invalid:9092" {
			t.Fatalf("Bootstrap() = %q, %v; want the variable's value", addr, err)
		}
		stop()
	})
	t.Run("embedded", func(t *testing.T) {
		t.Setenv(kafka.EnvVar, "")
		addr, stop, err := kafka.Bootstrap()
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, addr)
		stop()
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Fatal("stop left the embedded broker running")
		}
	})
}

// TestKafkatestBootstrap runs on whichever broker the run has: the embedded
// one, or the real one when make test sets TWINBOOK_KAFKA.
func TestKafkatestBootstrap(t *testing.T) {
	roundTrip(t, kafkatest.Bootstrap(t))
}

func TestName(t *testing.T) {
	a, b := kafkatest.Name(t), kafkatest.Name(t)
	if a == b {
		t.Fatalf("two names alike: %q", a)
	}
	t.Run("odd/chars: ünï", func(t *testing.T) {
		n := kafkatest.Name(t)
		for _, r := range n {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
			if !ok {
				t.Fatalf("Name() = %q holds %q, which Kafka refuses in a topic name", n, r)
			}
		}
	})
}

// BenchmarkStart measures an embedded broker's start and close: what a test
// pays for kafkatest.Bootstrap when TWINBOOK_KAFKA is unset.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		br, err := kafka.Start(kafka.Config{})
		if err != nil {
			b.Fatal(err)
		}
		br.Close()
	}
}
