package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"twinbook/store"
)

// Backlog is how many events wait in the outbox: the relay's queue.
func Backlog(ctx context.Context, db *store.DB) (int64, error) {
	return count(ctx, db, "outbox")
}

// Parked is how many events were parked (poison or corrupt) and wait for
// a person.
func Parked(ctx context.Context, db *store.DB) (int64, error) {
	return count(ctx, db, "outbox_parked")
}

func count(ctx context.Context, db *store.DB, table string) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox: count %s: %w", table, err)
	}
	return n, nil
}

// Lag is the age, at now, of the oldest event waiting: how far behind the
// relay is (0 when the outbox is empty). A backlog that is large but young
// is a burst; a lag that grows is a relay that is stuck.
func Lag(ctx context.Context, db *store.DB, now time.Time) (time.Duration, error) {
	var oldest sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT MIN(created_ms) FROM outbox").Scan(&oldest); err != nil {
		return 0, fmt.Errorf("outbox: lag: %w", err)
	}
	if !oldest.Valid {
		return 0, nil
	}
	return max(0, now.Sub(time.UnixMilli(oldest.Int64))), nil
}
