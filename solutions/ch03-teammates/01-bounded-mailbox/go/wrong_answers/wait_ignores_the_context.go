// wrong: wait waits only for a change, never for ctx, so a Put on a stuck mailbox ignores its deadline and waits forever
package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrMailboxFull is what Put returns when there is no room: at once (FailFast), or, wrapped
// with the context's error, when its context ended before there was room (Block).
var ErrMailboxFull = errors.New("mailbox full")

// ErrClosed is what Put returns once the mailbox is closed, and Get once it is also empty.
var ErrClosed = errors.New("mailbox closed")

// Overflow is what a sender meets when the mailbox is full.
type Overflow int

const (
	// Block waits for room until the sender's context ends.
	Block Overflow = iota
	// FailFast returns ErrMailboxFull at once.
	FailFast
)

// Mailbox is a bounded FIFO of messages between goroutines: an actor's mailbox, smaller.
// It is safe for use by many goroutines at once. (The fields are a suggestion: you may
// change them.)
type Mailbox[T any] struct {
	mu       sync.Mutex
	items    []T // the queued messages, oldest first
	capacity int
	overflow Overflow
	closed   bool
	changed  chan struct{} // closed (and replaced) at every change: wakes every waiter
}

// NewMailbox returns an empty, open mailbox with room for capacity messages, or an error
// when capacity is less than 1 or overflow is not Block or FailFast.
func NewMailbox[T any](capacity int, overflow Overflow) (*Mailbox[T], error) {
	if capacity < 1 {
		return nil, fmt.Errorf("mailbox: capacity must be at least 1, got %d", capacity)
	}
	if overflow != Block && overflow != FailFast {
		return nil, fmt.Errorf("mailbox: unknown overflow policy %d", overflow)
	}
	return &Mailbox[T]{capacity: capacity, overflow: overflow, changed: make(chan struct{})}, nil
}

// wake tells every goroutine waiting in wait that something changed. Call it with m.mu held.
func (m *Mailbox[T]) wake() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// wait releases m.mu until the next change or until ctx ends (then it returns ctx's
// error), and takes m.mu again before it returns. Call it with m.mu held.
func (m *Mailbox[T]) wait(ctx context.Context) error {
	changed := m.changed
	m.mu.Unlock()
	defer m.mu.Lock()
	<-changed
	return nil
}

// Put queues msg. When the mailbox is full, FailFast returns ErrMailboxFull at once, and
// Block waits for room until ctx ends, then returns ErrMailboxFull wrapped with ctx's error.
// Once the mailbox is closed it returns ErrClosed, also to a Put waiting for room.
func (m *Mailbox[T]) Put(ctx context.Context, msg T) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for !m.closed && len(m.items) >= m.capacity {
		if m.overflow == FailFast {
			return fmt.Errorf("put: %w (%d messages)", ErrMailboxFull, m.capacity)
		}
		if err := m.wait(ctx); err != nil {
			return fmt.Errorf("put: %w (%d messages): %w", ErrMailboxFull, m.capacity, err)
		}
	}
	if m.closed {
		return fmt.Errorf("put: %w", ErrClosed)
	}
	m.items = append(m.items, msg)
	m.wake()
	return nil
}

// Get returns the oldest message, waiting for one until ctx ends (then it returns ctx's
// error). Once the mailbox is closed and empty it returns ErrClosed.
func (m *Mailbox[T]) Get(ctx context.Context) (T, error) {
	var zero T
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.items) == 0 {
		if m.closed {
			return zero, fmt.Errorf("get: %w", ErrClosed)
		}
		if err := m.wait(ctx); err != nil {
			return zero, fmt.Errorf("get: %w", err)
		}
	}
	msg := m.items[0]
	m.items[0] = zero // the mailbox lets go of the message
	m.items = m.items[1:]
	m.wake()
	return msg, nil
}

// Close makes every later Put, and every Put waiting for room, return ErrClosed; Get still
// delivers what is queued, then returns ErrClosed. Closing twice is fine.
func (m *Mailbox[T]) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.wake()
}
