// Package storetest gives Go tests a fresh, empty store of their own, the
// same way on a laptop and in CI: a new database on the PostgreSQL server
// TWINBOOK_PG names, else an SQLite file in the test's temporary folder.
// `make test` runs the packages that use it twice, once on SQLite and once
// with TWINBOOK_PG pointing at the PostgreSQL cluster the test session
// starts (tests/plugins/gotest.py finds those packages by this import).
package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"twinbook/store"
)

// setupTimeout bounds creating and dropping a test's database.
const setupTimeout = 30 * time.Second

// Open returns an empty store for this test alone, closed (and on
// PostgreSQL dropped) by t.Cleanup. On PostgreSQL it is a database created
// for the test on TWINBOOK_PG's server (whose URL must name a user allowed
// to CREATE DATABASE), so tests never see each other's tables.
func Open(t testing.TB) *store.DB {
	t.Helper()
	u := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	db, err := store.Open(ctx, u)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// URL returns the URL of an empty database for this test alone, dropped by
// t.Cleanup: for a test that opens the store itself, or in another process.
func URL(t testing.TB) string {
	t.Helper()
	server, ok := store.FromEnv()
	if !ok {
		return "sqlite:" + filepath.Join(t.TempDir(), "store.db")
	}
	name := "tb_" + strings.ToLower(rand.Text()[:16])
	testURL, err := withDatabase(server, name)
	if err != nil {
		t.Fatalf("storetest: %s: %v", store.EnvVar, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := store.Open(ctx, server)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer admin.Close()
	// template0: template1 may hold what someone added to it, and copying
	// template0 never waits for other sessions connected to template1.
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE template0`, name)); err != nil {
		t.Fatalf("storetest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		admin, err := store.Open(ctx, server)
		if err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
			return
		}
		defer admin.Close()
		// WITH (FORCE): a connection the test leaked must not keep the database.
		if _, err := admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	return testURL
}

// withDatabase returns the server URL with its database replaced by name.
func withDatabase(server, name string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("%w: %v", store.ErrBadURL, err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("%w: %q is not a postgres:// URL", store.ErrBadURL, u.Redacted())
	}
	u.Path = "/" + name
	return u.String(), nil
}
