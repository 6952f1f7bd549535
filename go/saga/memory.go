package saga

import (
	"context"
	"fmt"
	"sync"
)

// MemoryLog is a Log in memory, safe for concurrent use. It outlives an
// Orchestrator that "crashed", which is what the tests need; it does not
// outlive the process, which is what StoreLog is for.
type MemoryLog struct {
	mu      sync.Mutex
	order   []string
	sagas   map[string]Progress
	entries map[string][]Entry
}

// NewMemoryLog returns an empty MemoryLog.
func NewMemoryLog() *MemoryLog {
	return &MemoryLog{sagas: map[string]Progress{}, entries: map[string][]Entry{}}
}

// Begin implements Log.
func (m *MemoryLog) Begin(_ context.Context, p Progress) (Progress, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if got, ok := m.sagas[p.SagaID]; ok {
		return got, nil
	}
	m.sagas[p.SagaID] = p
	m.order = append(m.order, p.SagaID)
	return p, nil
}

// Start implements Log.
func (m *MemoryLog) Start(_ context.Context, sagaID, step string, kind Kind) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sagas[sagaID]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownSaga, sagaID)
	}
	m.entries[sagaID] = append(m.entries[sagaID], Entry{step, kind, Started})
	return nil
}

// Finish implements Log.
func (m *MemoryLog) Finish(_ context.Context, sagaID, step string, kind Kind, result Result, next Progress) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sagas[sagaID]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownSaga, sagaID)
	}
	m.entries[sagaID] = append(m.entries[sagaID], Entry{step, kind, result})
	m.sagas[sagaID] = next
	return nil
}

// Load implements Log.
func (m *MemoryLog) Load(_ context.Context, sagaID string) (Progress, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.sagas[sagaID]
	if !ok {
		return Progress{}, fmt.Errorf("%w: %q", ErrUnknownSaga, sagaID)
	}
	return p, nil
}

// Unfinished implements Log.
func (m *MemoryLog) Unfinished(_ context.Context, definition string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for _, id := range m.order {
		if p := m.sagas[id]; p.Definition == definition && !p.State.Finished() {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Entries implements Log.
func (m *MemoryLog) Entries(_ context.Context, sagaID string) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sagas[sagaID]; !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSaga, sagaID)
	}
	return append([]Entry(nil), m.entries[sagaID]...), nil
}
