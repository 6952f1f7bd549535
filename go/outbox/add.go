package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// docs:start outbox-add

// Add writes ev as an outbox row inside tx, the caller's transaction, and
// returns its id. The business row and the event then commit or roll back
// together: there is no moment at which one exists without the other. Add
// publishes nothing; the [Relay] does, after the commit.
func Add(ctx context.Context, tx *sql.Tx, ev Event) (string, error) {
	if err := ev.validate(); err != nil {
		return "", err
	}
	ev = ev.withDefaults()
	headers, err := json.Marshal(ev.Headers)
	if err != nil {
		return "", fmt.Errorf("%w: headers: %w", ErrInvalidEvent, err)
	}
	// $n placeholders: PostgreSQL's, and SQLite (modernc) binds them by
	// position too, so one statement serves both stores.
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox
		(event_id, aggregate, topic, type, payload, headers, created_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		ev.ID, ev.Aggregate, ev.Topic, ev.Type, ev.Payload, string(headers),
		ev.CreatedAt.UnixMilli())
	if err != nil {
		return "", fmt.Errorf("outbox: add %s: %w", ev.ID, err)
	}
	return ev.ID, nil
}

// docs:end outbox-add

// withDefaults fills what [Add] may leave out: a new id, the time now, an
// empty payload rather than a NULL one.
func (ev Event) withDefaults() Event {
	if ev.ID == "" {
		ev.ID = NewID()
	}
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = time.Now()
	}
	if ev.Payload == nil {
		ev.Payload = []byte{}
	}
	return ev
}
