package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"twinbook/store"
	"twinbook/store/storetest"
)

func TestOpenRefusesBadURLs(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"empty", "", "want sqlite:PATH or postgres://"},
		{"other scheme", "mysql://root@localhost/db", "want sqlite:PATH or postgres://"},
		{"sqlite without path", "sqlite:", "no file path"},
		{"sqlite path with options", "sqlite:/tmp/x.db?mode=ro", "would be read as options"},
		{"sqlite in memory", "sqlite::memory:", "in-memory"},
		{"sqlite file URI", "sqlite:file:x.db", "only a file path"},
		{"password redacted", "mysql://u:secret@h/db", "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := store.Open(context.Background(), tt.url)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded, want an error wrapping ErrBadURL", tt.url)
			}
			if !errors.Is(err, store.ErrBadURL) {
				t.Fatalf("Open(%q) = %v, want it to wrap ErrBadURL", tt.url, err)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "secret") {
				t.Fatalf("Open(%q) = %q, want it to say %q (and no password)", tt.url, err, tt.want)
			}
		})
	}
}

func TestOpenUnreachableServerIsAnErrorNotAHang(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// port 1 on loopback: nothing listens, the connection is refused at once
	_, err := store.Open(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=5")
	if err == nil {
		t.Fatal("Open of a server that is not there succeeded")
	}
	if errors.Is(err, store.ErrBadURL) {
		t.Fatalf("Open = %v: a good URL to an absent server is not a bad URL", err)
	}
}

func TestOpenSQLiteIsWALWithABusyTimeout(t *testing.T) {
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect() != store.SQLite {
		t.Fatalf("Dialect() = %q, want %q", db.Dialect(), store.SQLite)
	}
	var mode string
	var timeout, fk int
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA busy_timeout").Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || timeout != int(store.BusyTimeout.Milliseconds()) || fk != 1 {
		t.Fatalf("journal_mode=%s busy_timeout=%d foreign_keys=%d, want wal, %d, 1",
			mode, timeout, fk, store.BusyTimeout.Milliseconds())
	}
}

func TestDefaultURL(t *testing.T) {
	t.Setenv(store.EnvVar, "")
	if got, want := store.DefaultURL("/data"), "sqlite:/data/twinbook.db"; got != want {
		t.Fatalf("DefaultURL without %s = %q, want %q", store.EnvVar, got, want)
	}
	t.Setenv(store.EnvVar, "postgres://u@h:5432/db")
	if got, want := store.DefaultURL("/data"), "postgres://u@h:5432/db"; got != want {
		t.Fatalf("DefaultURL with %s = %q, want %q", store.EnvVar, got, want)
	}
}

func TestStoretestGivesEachTestAnEmptyDatabaseOfTheDialectAsked(t *testing.T) {
	want := store.SQLite
	if _, ok := store.FromEnv(); ok {
		want = store.Postgres
	}
	a, b := storetest.Open(t), storetest.Open(t)
	if a.Dialect() != want || b.Dialect() != want {
		t.Fatalf("dialects %q and %q, want %q", a.Dialect(), b.Dialect(), want)
	}
	if _, err := a.Exec("CREATE TABLE mine (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	// b is another database: the same table name is free there
	if _, err := b.Exec("CREATE TABLE mine (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatalf("the second database is not empty: %v", err)
	}
}
