package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// EnvVar names the environment variable that points the chapter's code and
// tests at a PostgreSQL server: a URL, postgres://user@host:port/database.
const EnvVar = "TWINBOOK_PG"

// BusyTimeout is how long an SQLite connection waits for another process's
// write lock before it gives up with SQLITE_BUSY; inside one process, writers
// also queue on the DB's own lock (see InTx), for at most WriterWait.
const BusyTimeout = 5 * time.Second

// WriterWait bounds how long InTx waits for the other transactions of this
// process on SQLite, which has a single writer; past it InTx fails with
// ErrBusy rather than hanging.
const WriterWait = 30 * time.Second

// ErrBadURL wraps every reason Open refuses a URL before connecting.
var ErrBadURL = errors.New("store: bad database URL")

// ErrBusy is returned by InTx on SQLite when the write lock stayed taken by
// this process's other transactions for longer than WriterWait.
var ErrBusy = errors.New("store: the SQLite write lock stayed busy")

// Dialect is the SQL dialect of a store; the few statements that differ
// (claiming rows, upserts, time functions) switch on it.
type Dialect string

const (
	// SQLite is an SQLite file, opened with modernc.org/sqlite.
	SQLite Dialect = "sqlite"
	// Postgres is a PostgreSQL server, reached with pgx v5.
	Postgres Dialect = "postgres"
)

// DB is an open store: a *sql.DB with its dialect. It is safe for concurrent
// use, as *sql.DB is.
type DB struct {
	*sql.DB
	dialect Dialect
	// writer serialises this process's transactions on SQLite, so that they
	// queue in order instead of racing SQLite's busy handler (which sleeps
	// and retries, unfairly, and gives up after BusyTimeout). nil on PostgreSQL.
	writer chan struct{}
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// FromEnv returns TWINBOOK_PG's URL and true when it is set and not empty.
func FromEnv() (string, bool) {
	url := strings.TrimSpace(os.Getenv(EnvVar))
	return url, url != ""
}

// DefaultURL is the store a program uses when it is told nothing else:
// TWINBOOK_PG's server when it is set, else the SQLite file twinbook.db in dir.
func DefaultURL(dir string) string {
	if url, ok := FromEnv(); ok {
		return url
	}
	return "sqlite:" + filepath.Join(dir, "twinbook.db")
}

// Open opens and pings the store that url names:
//
//	sqlite:PATH                          an SQLite file (created if missing), in WAL mode
//	postgres://user@host:port/db?opts    a PostgreSQL database (postgresql:// too)
//
// A URL of neither form, an empty path, a path with '?' (it would be taken
// for options) and ":memory:" (each pooled connection would get a database
// of its own) are refused with an error wrapping ErrBadURL. An unreachable
// database is an error that does not.
func Open(ctx context.Context, url string) (*DB, error) {
	driver, dsn, dialect, err := parse(url)
	if err != nil {
		return nil, err
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", redact(url), err)
	}
	db := &DB{DB: conn, dialect: dialect}
	if dialect == SQLite {
		db.writer = make(chan struct{}, 1)
	}
	if err := conn.PingContext(ctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", redact(url), err)
	}
	return db, nil
}

// parse turns a store URL into a database/sql driver name and DSN.
func parse(url string) (driver, dsn string, dialect Dialect, err error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		switch {
		case path == "":
			return "", "", "", fmt.Errorf("%w: %q has no file path (sqlite:PATH)", ErrBadURL, url)
		case strings.Contains(path, "?"):
			return "", "", "", fmt.Errorf("%w: %q: a path with '?' would be read as options", ErrBadURL, url)
		case path == ":memory:" || strings.HasPrefix(path, "file:"):
			return "", "", "", fmt.Errorf("%w: %q: only a file path is supported (each pooled connection would see its own in-memory database)", ErrBadURL, url)
		}
		// _txlock=immediate: BEGIN IMMEDIATE takes the write lock at once, so a
		// transaction that reads then writes never fails on upgrading its lock.
		dsn := fmt.Sprintf("%s?_busy_timeout=%d&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate",
			path, BusyTimeout.Milliseconds())
		return "sqlite", dsn, SQLite, nil
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return "pgx", url, Postgres, nil
	default:
		return "", "", "", fmt.Errorf("%w: %q: want sqlite:PATH or postgres://HOST/DB", ErrBadURL, redact(url))
	}
}

// redact hides a password in a URL, for error messages.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return url
	}
	if user, _, hasPassword := strings.Cut(userinfo, ":"); hasPassword {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return url
}

// lockWriter takes this process's SQLite write turn; it returns a func that
// gives it back. On PostgreSQL it does nothing: its row locks are enough.
func (db *DB) lockWriter(ctx context.Context) (func(), error) {
	if db.writer == nil {
		return func() {}, nil
	}
	timer := time.NewTimer(WriterWait)
	defer timer.Stop()
	select {
	case db.writer <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-db.writer }) }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("store: waiting for the SQLite write lock: %w", ctx.Err())
	case <-timer.C:
		return nil, fmt.Errorf("%w for %v", ErrBusy, WriterWait)
	}
}
