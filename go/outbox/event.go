package outbox

import (
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Header names the relay sets on every message, beside the event's own.
const (
	// HeaderEventID carries [Event.ID], which a consumer's inbox
	// deduplicates on.
	HeaderEventID = "event-id"
	// HeaderEventType carries [Event.Type].
	HeaderEventType = "event-type"
	// HeaderTraceparent is W3C Trace Context's header: given in
	// [Event.Headers], it travels from the request that wrote the row to the
	// consumer, so one trace spans the asynchronous hop.
	HeaderTraceparent = "traceparent"
)

// ErrInvalidEvent wraps every reason [Add] refuses an event: the row is
// never written, so the caller's transaction decides what to do.
var ErrInvalidEvent = errors.New("outbox: invalid event")

// ErrCorruptRow wraps every reason a row read back from the outbox cannot
// be an event (edited by hand, written by another program); the relay parks
// such a row with this error instead of losing it or stalling on it.
var ErrCorruptRow = errors.New("outbox: corrupt outbox row")

// Event is one message to publish, stored as one outbox row.
type Event struct {
	// ID identifies the event across redeliveries; [Add] makes one when it
	// is empty.
	ID string
	// Aggregate is the entity the event is about (an order id): the Kafka
	// key, so that one aggregate's events stay in order in one partition.
	Aggregate string
	// Topic is where the event is published.
	Topic string
	// Type names what happened ("order.placed").
	Type string
	// Payload is the message's value, opaque to the outbox.
	Payload []byte
	// Headers travel as message headers (a "traceparent" among them when
	// the caller traces).
	Headers map[string]string
	// CreatedAt is when the event was added; [Add] sets it when zero. The
	// relay lag ([Lag]) is measured from it.
	CreatedAt time.Time
}

// traceparent is W3C Trace Context's version-00 form: version, trace id,
// parent id, flags; all-zero ids are invalid.
var traceparent = regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$`)

// validate says what makes ev unusable, or nil.
func (ev Event) validate() error {
	switch {
	case ev.Aggregate == "":
		return fmt.Errorf("%w: no aggregate (the message key)", ErrInvalidEvent)
	case ev.Topic == "":
		return fmt.Errorf("%w: no topic", ErrInvalidEvent)
	case ev.Type == "":
		return fmt.Errorf("%w: no type", ErrInvalidEvent)
	case len(ev.ID) > 255:
		return fmt.Errorf("%w: an id of %d bytes (at most 255)", ErrInvalidEvent, len(ev.ID))
	}
	for _, reserved := range []string{HeaderEventID, HeaderEventType} {
		if _, ok := ev.Headers[reserved]; ok {
			return fmt.Errorf("%w: header %q is the relay's", ErrInvalidEvent, reserved)
		}
	}
	if tp, ok := ev.Headers[HeaderTraceparent]; ok {
		if !traceparent.MatchString(tp) || tp[3:35] == zeros[:32] || tp[36:52] == zeros[:16] {
			return fmt.Errorf("%w: traceparent %q is not W3C's 00-TRACEID-PARENTID-FLAGS", ErrInvalidEvent, tp)
		}
	}
	return nil
}

const zeros = "00000000000000000000000000000000"

// NewID returns a random event id (26 characters of base32).
func NewID() string { return rand.Text() }
