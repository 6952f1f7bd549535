// Package storetest is a TEMPORARY stand-in for the STORE helper's package.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twinbook/store"
)

// Open returns a fresh, empty store for the test.
func Open(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	if dsn := os.Getenv("TWINBOOK_PG"); dsn != "" {
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		name := "t_" + strings.ToLower(rand.Text()[:12])
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = admin.ExecContext(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
			admin.Close()
		})
		i := strings.LastIndex(dsn, "/")
		url = dsn[:i+1] + name
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
