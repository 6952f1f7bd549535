package outbox

import (
	"context"
	"errors"
	"sync"
)

// ErrPoison marks a publish failure that no retry can cure (a message the
// broker will never take: too large, a forbidden topic). The relay parks
// such an event in outbox_parked with its error and goes on with the rest;
// any other failure is transient, and the event stays in the outbox.
var ErrPoison = errors.New("outbox: poison event")

// Publisher delivers a batch of events to a broker.
type Publisher interface {
	// Publish sends events and waits for the broker's answer to each. It
	// returns one error per event, in order: nil means the broker
	// acknowledged that event (it will not be lost), an error wrapping
	// [ErrPoison] means it never will, any other error means not this time.
	Publish(ctx context.Context, events []Event) []error
}

// MemoryPublisher is a [Publisher] that keeps what it is given, for unit tests and
// benchmarks without a broker. Fail, when set, decides per event whether
// publishing it fails (and with what). A Memory is safe for concurrent use.
type MemoryPublisher struct {
	// Fail returns the error publishing ev gets, or nil to accept it.
	Fail func(ev Event) error

	mu   sync.Mutex
	sent []Event
}

// Publish keeps each event Fail accepts and returns Fail's verdicts.
func (m *MemoryPublisher) Publish(ctx context.Context, events []Event) []error {
	errs := make([]error, len(events))
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, ev := range events {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if m.Fail != nil {
			if errs[i] = m.Fail(ev); errs[i] != nil {
				continue
			}
		}
		m.sent = append(m.sent, ev)
	}
	return errs
}

// Published returns every event acknowledged so far, in order (a
// redelivered event appears once per delivery).
func (m *MemoryPublisher) Published() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Event(nil), m.sent...)
}
