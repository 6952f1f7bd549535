package outbox_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	"twinbook/outbox"
)

func count(t *testing.T, db interface {
	QueryRow(string, ...any) *sql.Row
}, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The business row and the outbox row commit together or not at all.
func TestAddCommitsOrRollsBackWithTheBusinessRow(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail bool
		want int
	}{
		{"commit", false, 1},
		{"rollback", true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, ctx := setup(t)
			err := placeOrder(ctx, db, "o1", tc.fail)
			if (err != nil) != tc.fail {
				t.Fatalf("placeOrder: %v", err)
			}
			if got := count(t, db, "orders"); got != tc.want {
				t.Errorf("orders: %d rows, want %d", got, tc.want)
			}
			if got := count(t, db, "outbox"); got != tc.want {
				t.Errorf("outbox: %d rows, want %d", got, tc.want)
			}
		})
	}
}

func TestAddRefusesInvalidEvents(t *testing.T) {
	db, ctx := setup(t) // one store for every case: each must leave it empty
	good := orderPlaced("o1")
	tp := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for _, tc := range []struct {
		name   string
		change func(*outbox.Event)
	}{
		{"no aggregate", func(e *outbox.Event) { e.Aggregate = "" }},
		{"no topic", func(e *outbox.Event) { e.Topic = "" }},
		{"no type", func(e *outbox.Event) { e.Type = "" }},
		{"id too long", func(e *outbox.Event) { e.ID = strings.Repeat("x", 256) }},
		{"reserved header", func(e *outbox.Event) { e.Headers = map[string]string{outbox.HeaderEventID: "x"} }},
		{"bad traceparent", func(e *outbox.Event) { e.Headers = map[string]string{"traceparent": "00-xyz"} }},
		{"zero trace id", func(e *outbox.Event) {
			e.Headers = map[string]string{"traceparent": "00-" + strings.Repeat("0", 32) + tp[35:]}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := good
			tc.change(&ev)
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				_, err := outbox.Add(ctx, tx, ev)
				return err
			})
			if !errors.Is(err, outbox.ErrInvalidEvent) {
				t.Fatalf("Add: %v, want ErrInvalidEvent", err)
			}
			if got := count(t, db, "outbox"); got != 0 {
				t.Errorf("outbox: %d rows after a refused event", got)
			}
		})
	}
	t.Run("valid traceparent", func(t *testing.T) {
		ev := good
		ev.ID = ""
		ev.Headers = map[string]string{"traceparent": tp}
		var id string
		err := db.InTx(ctx, func(tx *sql.Tx) (err error) {
			id, err = outbox.Add(ctx, tx, ev)
			return err
		})
		if err != nil || id == "" {
			t.Fatalf("Add: %q, %v", id, err)
		}
	})
}

// A second event with an id already in the outbox is refused by the
// table's unique key, and the transaction decides.
func TestAddRefusesADuplicateID(t *testing.T) {
	db, ctx := setup(t)
	if err := placeOrder(ctx, db, "o1", false); err != nil {
		t.Fatal(err)
	}
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := outbox.Add(ctx, tx, orderPlaced("o1"))
		return err
	})
	if err == nil {
		t.Fatal("a second event with the same id was added")
	}
}
