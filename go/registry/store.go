package registry

import (
	"context"
	"sync"
)

// Store is the registry's durable log. Every change is appended as records
// and acknowledged before the service applies it (as Confluent's leader
// does), and on start the whole log is replayed, so the state after a
// restart is the state the log says, whatever happened to the process.
type Store interface {
	// Load calls apply with every record of the log, oldest first, up to
	// the end of the log as it was when Load started.
	Load(ctx context.Context, apply func(Record) error) error
	// Append writes recs in order and returns once they are durable.
	Append(ctx context.Context, recs ...Record) error
	// Close releases the store's connections.
	Close() error
}

// MemoryStore is a Store in memory, for unit tests: the same replay as the
// Kafka store without a broker. Two services built one after the other on
// the same MemoryStore behave like a registry restarted on the same topic.
// It is safe for concurrent use.
type MemoryStore struct {
	mu  sync.Mutex
	log []Record
}

// NewMemoryStore returns an empty log.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Load implements Store.
func (m *MemoryStore) Load(ctx context.Context, apply func(Record) error) error {
	m.mu.Lock()
	log := append([]Record(nil), m.log...)
	m.mu.Unlock()
	for _, rec := range log {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := apply(rec); err != nil {
			return err
		}
	}
	return nil
}

// Append implements Store.
func (m *MemoryStore) Append(ctx context.Context, recs ...Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log = append(m.log, recs...)
	return nil
}

// Records returns a copy of the log, for tests that check what was written.
func (m *MemoryStore) Records() []Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Record(nil), m.log...)
}

// Close implements Store; a MemoryStore has nothing to release.
func (m *MemoryStore) Close() error { return nil }
