// Package kafka gives the chapter's code and tests a Kafka broker: the one
// TWINBOOK_KAFKA names (a real Apache Kafka, in CI) or, when it is unset, an
// embedded one, franz-go's kfake, started in this process on 127.0.0.1 and a
// free port. Both speak the Kafka protocol, so the code under test never knows
// which it got; kfake starts in milliseconds, which is why it is the default.
//
// The program go/cmd/twinbook-kafka runs the same embedded broker as a
// process, for the Python side (twinbook.kafka) and for readers.
package kafka

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// EnvVar names the environment variable that points every helper at a real
// broker: a bootstrap server, "host:port" (several may be given, comma-separated).
const EnvVar = "TWINBOOK_KAFKA"

// DefaultPartitions is how many partitions a topic gets when it is created
// without a count (auto-created by a producer, or CreateTopics with -1). The
// real broker of the tests is configured with the same number (num.partitions),
// so that a test sees the same layout on both.
const DefaultPartitions = 3

// ErrStart wraps every reason the embedded broker could not start.
var ErrStart = errors.New("kafka: the embedded broker did not start")

// Config says how to run the embedded broker. The zero value is ready to use:
// a free port, DefaultPartitions, topics created on first use as Kafka's
// default auto.create.topics.enable does.
type Config struct {
	// Port to listen on, on 127.0.0.1; 0 picks a free one.
	Port int
	// Partitions of a topic created without a count; 0 means DefaultPartitions.
	Partitions int
	// NoAutoCreate refuses to create a topic that a client merely names
	// (Kafka's auto.create.topics.enable=false): only CreateTopics creates.
	NoAutoCreate bool
	// FailProduce makes the first FailProduce produce requests fail with
	// FailProduceError, for the tests of producer retries (test only: no
	// real broker can be told to do this). Faults reach the Python side only
	// through the program's -fail-produce flag, hence a field and not only
	// Options.
	FailProduce int
	// FailProduceError is the retriable error of FailProduce; nil means
	// NOT_ENOUGH_REPLICAS_AFTER_APPEND, which kfake answers after writing
	// the batch, as a real broker does when the write outran its replicas:
	// the retry is then a second copy unless the producer is idempotent.
	FailProduceError *kerr.Error
	// Options are more kfake options, applied last (a test that needs to
	// inject faults, for example kfake.SeedTopics or kfake.BrokerConfigs).
	Options []kfake.Opt
}

// Broker is a running embedded broker: one kfake node on 127.0.0.1.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
	failed  *kfake.FaultHandle // Config.FailProduce's faults, or nil
}

// Start runs an embedded broker in this process. It accepts connections as
// soon as Start returns; Close stops it.
func Start(cfg Config) (*Broker, error) {
	partitions := cfg.Partitions
	if partitions == 0 {
		partitions = DefaultPartitions
	}
	if partitions < 0 {
		return nil, fmt.Errorf("%w: partitions must be positive, not %d", ErrStart, partitions)
	}
	if cfg.FailProduce < 0 {
		return nil, fmt.Errorf("%w: cannot fail %d produce requests", ErrStart, cfg.FailProduce)
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("%w: no such port %d", ErrStart, cfg.Port)
	}
	// One node, like the single-node real broker of the tests: a coordinator,
	// a leader and a client's bootstrap server are then all the same address.
	opts := []kfake.Opt{
		kfake.Ports(cfg.Port),
		kfake.DefaultNumPartitions(partitions),
		kfake.ClusterID("twinbook"),
	}
	if !cfg.NoAutoCreate {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	opts = append(opts, cfg.Options...)
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	var failed *kfake.FaultHandle
	if cfg.FailProduce > 0 {
		failure := cfg.FailProduceError
		if failure == nil {
			failure = kerr.NotEnoughReplicasAfterAppend
		}
		// A Fault, not a Control hook: kfake then answers every partition of
		// the request with the error in a well-formed response, and performs
		// the write or not as a real broker would for that error.
		failed = cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: failure, Count: cfg.FailProduce})
	}
	addrs := cluster.ListenAddrs()
	if len(addrs) == 0 {
		cluster.Close()
		return nil, fmt.Errorf("%w: kfake listens on no address", ErrStart)
	}
	return &Broker{cluster: cluster, addr: addrs[0], failed: failed}, nil
}

// Addr is the broker's bootstrap server, "127.0.0.1:PORT".
func (b *Broker) Addr() string { return b.addr }

// Cluster is the kfake cluster itself, for tests that steer it (kfake's
// Control hooks inject errors and delays into chosen requests).
func (b *Broker) Cluster() *kfake.Cluster { return b.cluster }

// ProduceFailures is how many produce requests Config.FailProduce has
// failed so far: a test of retries checks that its faults fired.
func (b *Broker) ProduceFailures() int {
	if b.failed == nil {
		return 0
	}
	return b.failed.Hits()
}

// Close stops the broker and drops its data; closing twice is harmless.
func (b *Broker) Close() { b.cluster.Close() }

// FromEnv returns the bootstrap server that TWINBOOK_KAFKA names, and whether
// it names one (an unset or blank variable names none).
func FromEnv() (string, bool) {
	addr := strings.TrimSpace(os.Getenv(EnvVar))
	return addr, addr != ""
}

// Bootstrap returns a bootstrap server to use: TWINBOOK_KAFKA's when it is
// set (stop then does nothing: that broker is not ours to stop), else the
// address of an embedded broker started for the caller, which stop closes.
func Bootstrap() (addr string, stop func(), err error) {
	if addr, ok := FromEnv(); ok {
		return addr, func() {}, nil
	}
	b, err := Start(Config{})
	if err != nil {
		return "", nil, err
	}
	return b.Addr(), b.Close, nil
}
