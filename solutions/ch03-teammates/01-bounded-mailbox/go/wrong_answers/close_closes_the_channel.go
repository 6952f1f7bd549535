// wrong: Close closes the buffered channel, so a Put after Close (or a second Close) panics instead of returning ErrClosed
package main

import (
	"context"
	"errors"
	"fmt"
)

// ErrMailboxFull is what Put returns when there is no room.
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

// Mailbox is a buffered channel.
type Mailbox[T any] struct {
	ch       chan T
	overflow Overflow
}

// NewMailbox returns an empty mailbox.
func NewMailbox[T any](capacity int, overflow Overflow) (*Mailbox[T], error) {
	if capacity < 1 {
		return nil, fmt.Errorf("mailbox: capacity must be at least 1, got %d", capacity)
	}
	if overflow != Block && overflow != FailFast {
		return nil, fmt.Errorf("mailbox: unknown overflow policy %d", overflow)
	}
	return &Mailbox[T]{ch: make(chan T, capacity), overflow: overflow}, nil
}

// Put queues msg.
func (m *Mailbox[T]) Put(ctx context.Context, msg T) error {
	select {
	case m.ch <- msg:
		return nil
	default:
	}
	if m.overflow == FailFast {
		return ErrMailboxFull
	}
	select {
	case m.ch <- msg:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrMailboxFull, ctx.Err())
	}
}

// Get returns the oldest message.
func (m *Mailbox[T]) Get(ctx context.Context) (T, error) {
	var zero T
	select {
	case msg, ok := <-m.ch:
		if !ok {
			return zero, ErrClosed
		}
		return msg, nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Close closes the channel.
func (m *Mailbox[T]) Close() {
	close(m.ch)
}
