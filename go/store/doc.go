// Package store opens the database that chapter 5's idempotency records,
// outbox, inbox and sagas live in: SQLite by default (a file, no service,
// modernc.org/sqlite, pure Go) and PostgreSQL when TWINBOOK_PG names one
// (pgx v5 through database/sql). The code above it writes one SQL text with
// `?` placeholders and runs it through Rebind, so the same code runs on both.
//
// The package hides no SQL: *DB is a *sql.DB with the dialect, the rebinding
// and a transaction helper added, because the point of the chapter is to show
// the statements that make delivery reliable.
//
// SQL that runs on both (TestPortableSQL checks it): the column types BIGINT,
// TEXT and BYTEA (SQLite takes PostgreSQL's names), INSERT ... ON CONFLICT DO
// NOTHING (its row count says whether the row was new), RETURNING. Only
// PostgreSQL has FOR UPDATE [SKIP LOCKED]; SQLite does not need it, since
// InTx there holds the one write lock from BEGIN. Times are best stored as
// BIGINT milliseconds: the two drivers return timestamps differently.
package store
