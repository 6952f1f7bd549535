package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ErrBrokerUnavailable is returned when no broker answered within the
// config's Timeout: a wrong address fails fast instead of hanging.
var ErrBrokerUnavailable = errors.New("events: broker unavailable")

// DefaultTimeout bounds every network wait when a Config leaves Timeout 0.
const DefaultTimeout = 10 * time.Second

// Config is what every client of the package needs.
type Config struct {
	// Bootstrap is one broker's "host:port"; the client learns the rest.
	Bootstrap string
	// Timeout bounds each network wait (DefaultTimeout when 0).
	Timeout time.Duration
}

// opts bound every wait of a kgo client by the timeout.
func (c Config) opts() []kgo.Opt {
	return []kgo.Opt{
		kgo.SeedBrokers(c.Bootstrap),
		kgo.DialTimeout(c.timeout()),
		kgo.RetryTimeout(c.timeout()),
		// kgo's floor for a record's delivery timeout is a second.
		kgo.RecordDeliveryTimeout(max(c.timeout(), time.Second)),
	}
}

func (c Config) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// docs:start events-connect

// connect makes a client and asks the cluster for its metadata once, so
// that a broker that is not there is a named error now, within the
// timeout, and not a record that waits forever in a buffer later.
func connect(ctx context.Context, c Config, opts ...kgo.Opt) (*kgo.Client, error) {
	cl, err := kgo.NewClient(append(c.opts(), opts...)...)
	if err != nil {
		return nil, err
	}
	if err := ping(ctx, c, cl); err != nil {
		cl.Close()
		return nil, err
	}
	return cl, nil
}

func ping(ctx context.Context, c Config, cl *kgo.Client) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	if err := cl.Ping(ctx); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBrokerUnavailable, c.Bootstrap, err)
	}
	return nil
}

// docs:end events-connect

// CreateTopic creates topic with the given number of partitions (one
// replica: the chapter's brokers have one node). A topic that exists
// already is not an error.
func CreateTopic(ctx context.Context, c Config, topic string, partitions int32) error {
	cl, err := connect(ctx, c)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	resp, err := kadm.NewClient(cl).CreateTopic(ctx, partitions, 1, nil, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("events: create topic %s: %w", topic, err)
	}
	return nil
}
