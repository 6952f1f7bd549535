package store_test

import (
	"testing"

	"twinbook/store"
	"twinbook/store/storetest"
)

func TestRebindDollar(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"none", "SELECT 1", "SELECT 1"},
		{"in order", "INSERT INTO t (a, b, c) VALUES (?, ?, ?)", "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)"},
		{"adjacent", "SELECT ?||?", "SELECT $1||$2"},
		{"ten and more", "VALUES (?,?,?,?,?,?,?,?,?,?,?)", "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"},
		{"string literal", "SELECT '?' , ?", "SELECT '?' , $1"},
		{"escaped quote in literal", "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"quoted identifier", `SELECT "a?b" FROM t WHERE x = ?`, `SELECT "a?b" FROM t WHERE x = $1`},
		{"line comment", "SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{"line comment at end", "SELECT ? -- why?", "SELECT $1 -- why?"},
		{"block comment", "SELECT /* ? */ ?", "SELECT /* ? */ $1"},
		{"unclosed block comment", "SELECT ? /* ?", "SELECT $1 /* ?"},
		{"dollar quoted", "SELECT $$ ? $$, ?", "SELECT $$ ? $$, $1"},
		{"tagged dollar quoted", "SELECT $f$ ?$$? $f$, ?", "SELECT $f$ ?$$? $f$, $1"},
		{"positional parameter is not a tag", "SELECT $1, ?", "SELECT $1, $1"},
		{"unclosed literal", "SELECT ?, 'a?", "SELECT $1, 'a?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.RebindDollar(tt.in); got != tt.want {
				t.Fatalf("RebindDollar(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRebindFollowsTheDialect(t *testing.T) {
	db := storetest.Open(t)
	q := "SELECT ? + ?"
	want := q
	if db.Dialect() == store.Postgres {
		want = "SELECT $1 + $2"
	}
	if got := db.Rebind(q); got != want {
		t.Fatalf("Rebind(%q) on %s = %q, want %q", q, db.Dialect(), got, want)
	}
	var sum int
	if err := db.QueryRow(db.Rebind("SELECT CAST(? AS INTEGER) + CAST(? AS INTEGER)"), 2, 3).Scan(&sum); err != nil || sum != 5 {
		t.Fatalf("the rebound query answered %d, %v; want 5", sum, err)
	}
}
