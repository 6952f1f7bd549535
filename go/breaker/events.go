package breaker

import (
	"fmt"
	"time"
)

// EventType says what an [Event] reports.
type EventType uint8

// The events a subscriber sees.
const (
	// EventTransition: the breaker moved From one state to State.
	EventTransition EventType = iota + 1
	// EventReset: Reset forgot everything (after its transition, if any).
	EventReset
	// EventSuccess, EventFailure, EventIgnored: a call finished and was
	// classified so (before it is recorded, so before any transition it
	// causes).
	EventSuccess
	EventFailure
	EventIgnored
	// EventNotPermitted: a call was refused; Err is the [*OpenError].
	EventNotPermitted
	// EventDiscarded: a call finished whose permission was granted before
	// the latest transition; Outcome is what it would have recorded.
	EventDiscarded
)

var eventNames = [...]string{
	EventTransition:   "transition",
	EventReset:        "reset",
	EventSuccess:      "success",
	EventFailure:      "failure",
	EventIgnored:      "ignored",
	EventNotPermitted: "not_permitted",
	EventDiscarded:    "discarded",
}

// String returns the event type's name: transition, reset, success, failure,
// ignored, not_permitted or discarded.
func (t EventType) String() string {
	if int(t) < len(eventNames) && eventNames[t] != "" {
		return eventNames[t]
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// docs:start event

// Event is what subscribers see: transitions, and the outcome of every call.
type Event struct {
	Type EventType
	Name string    // the breaker's name
	At   time.Time // when it happened (a time-driven transition: when it was due)
	// State is the state the event happened in; for a transition, the new
	// state, and From the one it left.
	State, From State
	// For call outcomes: how long the call took, whether that was slow, what
	// it returned (nil for a bare Done), and for EventDiscarded the outcome
	// that was thrown away.
	Duration time.Duration
	Slow     bool
	Err      error
	Outcome  Outcome
}

// docs:end event

// String describes the event, e.g. "closed->open" or "failure (12ms, slow)".
func (e Event) String() string {
	switch e.Type {
	case EventTransition:
		return e.From.String() + "->" + e.State.String()
	case EventSuccess, EventFailure, EventIgnored, EventDiscarded:
		s := e.Type.String() + " (" + e.Duration.String()
		if e.Slow {
			s += ", slow"
		}
		return s + ")"
	}
	return e.Type.String()
}

type subscriber struct{ fn func(Event) }

// Subscribe calls fn with every later event until cancel is called.
//
// Call outcomes (also those of a Disabled breaker, which records nothing)
// are delivered on the goroutine that finished the call, so fn may run on
// several goroutines at once and must be safe for that.
// Transitions and resets are delivered in the order they happened, one at a
// time, each on the goroutine that caused it or on one already delivering.
// fn may use the breaker (even cause transitions: their events follow), but
// should be quick: a slow subscriber slows the calls it hears about.
func (b *Breaker) Subscribe(fn func(Event)) (cancel func()) {
	s := &subscriber{fn: fn}
	b.mu.Lock()
	defer b.mu.Unlock()
	var list []*subscriber
	if old := b.subs.Load(); old != nil {
		list = append(list, *old...)
	}
	list = append(list, s)
	b.subs.Store(&list)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		old := b.subs.Load()
		if old == nil {
			return
		}
		var list []*subscriber
		for _, x := range *old {
			if x != s {
				list = append(list, x)
			}
		}
		if len(list) == 0 {
			b.subs.Store(nil)
			return
		}
		b.subs.Store(&list)
	}
}

func (b *Breaker) subscribed() bool { return b.subs.Load() != nil }

func (b *Breaker) publish(e Event) {
	if subs := b.subs.Load(); subs != nil {
		for _, s := range *subs {
			s.fn(e)
		}
	}
}

// dispatch delivers queued transition events in order, unless another
// goroutine is already doing so (it will deliver these too).
func (b *Breaker) dispatch() {
	b.mu.Lock()
	if b.dispatching {
		b.mu.Unlock()
		return
	}
	b.dispatching = true
	b.mu.Unlock()
	finished := false
	defer func() { // a subscriber panicked: let the next transition dispatch
		if !finished {
			b.mu.Lock()
			b.dispatching = false
			b.mu.Unlock()
		}
	}()
	for {
		b.mu.Lock()
		events := b.queue
		b.queue = nil
		if len(events) == 0 {
			b.dispatching = false
			b.mu.Unlock()
			finished = true
			return
		}
		b.mu.Unlock()
		for _, e := range events {
			b.publish(e)
		}
	}
}

// outcome publishes a call's outcome event, if anyone listens.
func (b *Breaker) outcome(p *phase, start, end int64, o Outcome, err error) {
	if !b.subscribed() {
		return
	}
	t := EventSuccess
	switch o {
	case Failure:
		t = EventFailure
	case Ignored:
		t = EventIgnored
	}
	d := end - start
	b.publish(Event{Type: t, Name: b.name, At: b.tl.at(end), State: p.state,
		Duration: durationOf(d), Slow: o != Ignored && d > b.slow, Err: err, Outcome: o})
}

// discarded publishes a late result's event, if anyone listens.
func (b *Breaker) discarded(p *phase, start, end int64, o Outcome, err error) {
	if !b.subscribed() {
		return
	}
	d := end - start
	b.publish(Event{Type: EventDiscarded, Name: b.name, At: b.tl.at(end), State: b.phase.Load().state,
		Duration: durationOf(d), Slow: d > b.slow, Err: err, Outcome: o})
}

func durationOf(ns int64) time.Duration { return time.Duration(ns) }
