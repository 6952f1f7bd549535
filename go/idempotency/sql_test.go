package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"twinbook/idempotency"
	"twinbook/store"
	"twinbook/store/storetest"
)

// storeKinds is the store records on one database for the whole of parent
// (SQLite in a temporary folder, or a new database on TWINBOOK_PG's server:
// the gotest plugin runs this package a second time with it set), emptied
// each time open is called. One database per parent test, not per case:
// creating a PostgreSQL database costs a third of a second, and the
// subtests that share it run one after the other.
func storeKinds(parent testing.TB) []recordKind {
	var (
		once    sync.Once
		records *idempotency.SQL
		db      *store.DB
	)
	return []recordKind{{"store", func(t testing.TB) idempotency.Records {
		once.Do(func() {
			db = storetest.Open(parent)
			var err error
			if records, err = idempotency.NewSQL(context.Background(), db); err != nil {
				parent.Fatal(err)
			}
		})
		if records == nil {
			t.Fatal("the store records could not be opened")
		}
		if _, err := db.Exec("DELETE FROM " + idempotency.Table); err != nil {
			t.Fatal(err)
		}
		return records
	}}}
}

// TestStoreRecordsAreSharedThroughTheDatabase: two SQL records on one
// database (two replicas of a service) see each other's marks and answers,
// and opening the table twice is harmless.
func TestStoreRecordsAreSharedThroughTheDatabase(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	a, err := idempotency.NewSQL(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := idempotency.NewSQL(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	sc := idempotency.Scope{Method: "POST", Path: "/orders", Key: "k"}
	now := time.UnixMilli(1_000)
	d, err := a.Begin(ctx, sc, "fp", now, time.Hour, time.Minute)
	if err != nil || d.Verdict != idempotency.Acquired {
		t.Fatalf("a.Begin = %+v, %v; want Acquired", d, err)
	}
	if d2, err := b.Begin(ctx, sc, "fp", now, time.Hour, time.Minute); err != nil || d2.Verdict != idempotency.Conflict {
		t.Fatalf("b.Begin while a holds = %+v, %v; want Conflict", d2, err)
	}
	if ok, err := b.Complete(ctx, sc, "not-the-token", idempotency.Response{Status: 200}, now); ok || err != nil {
		t.Fatalf("Complete with another token = %v, %v; want false", ok, err)
	}
	if ok, err := a.Complete(ctx, sc, d.Token, idempotency.Response{Status: 201, ContentType: "text/plain", Body: []byte("made")}, now); !ok || err != nil {
		t.Fatalf("Complete = %v, %v; want true", ok, err)
	}
	d3, err := b.Begin(ctx, sc, "fp", now.Add(time.Second), time.Hour, time.Minute)
	if err != nil || d3.Verdict != idempotency.Replay || d3.Response.Status != 201 || string(d3.Response.Body) != "made" || d3.Response.ContentType != "text/plain" {
		t.Fatalf("b.Begin after completion = %+v, %v; want the replay", d3, err)
	}
	if ok, err := a.Release(ctx, sc, d.Token); ok || err != nil {
		t.Fatalf("Release of a completed record = %v, %v; want false", ok, err)
	}
}

// TestAStoreThatFailsIsA503AndTheHandlerIsNotCalled: records whose database
// is gone answer ErrRecords, and the middleware answers 503 without running
// the handler.
func TestAStoreThatFailsIsA503AndTheHandlerIsNotCalled(t *testing.T) {
	db := storetest.Open(t)
	records, err := idempotency.NewSQL(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	called := false
	h := newServer(t, idempotency.DefaultConfig(), records, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, post("k", "{}"))
	if rec.Code != http.StatusServiceUnavailable || called || !strings.Contains(rec.Body.String(), "records unavailable") {
		t.Fatalf("%d %q called=%v; want 503 naming the records, handler not called", rec.Code, rec.Body.String(), called)
	}
	_, err = records.Begin(context.Background(), idempotency.Scope{Method: "POST", Path: "/", Key: "k"}, "", time.Now(), time.Hour, time.Hour)
	if !errors.Is(err, idempotency.ErrRecords) {
		t.Fatalf("Begin on a closed store = %v, want ErrRecords", err)
	}
}

// TestExpiredRecordsAreDropped: the memory records sweep expired answers as
// Begin is called, and SQL.Purge deletes them; marks are kept by both.
func TestExpiredRecordsAreDropped(t *testing.T) {
	ctx := context.Background()
	ttl, lease := time.Second, time.Hour
	mem := idempotency.NewMemory()
	complete := func(r idempotency.Records, key string, at time.Time) {
		sc := idempotency.Scope{Method: "POST", Path: "/", Key: key}
		d, err := r.Begin(ctx, sc, "fp", at, ttl, lease)
		if err != nil || d.Verdict != idempotency.Acquired {
			t.Fatalf("Begin(%s) = %+v, %v", key, d, err)
		}
		if ok, err := r.Complete(ctx, sc, d.Token, idempotency.Response{Status: 200}, at); !ok || err != nil {
			t.Fatalf("Complete(%s) = %v, %v", key, ok, err)
		}
	}
	for i := range 1023 {
		complete(mem, fmt.Sprintf("old-%d", i), time.UnixMilli(0))
	}
	if _, err := mem.Begin(ctx, idempotency.Scope{Method: "POST", Path: "/", Key: "mark"}, "fp", time.UnixMilli(0), ttl, lease); err != nil {
		t.Fatal(err)
	}
	if n := mem.Len(); n != 1024 {
		t.Fatalf("before the sweep: %d records, want 1024", n)
	}
	// The 1024th Begin (the mark's) swept at 0, when nothing had expired.
	complete(mem, "new", time.UnixMilli(1000))
	if n := mem.Len(); n != 1025 {
		t.Fatalf("between sweeps: %d records, want 1025", n)
	}
	// The 2048th Begin sweeps at 1000 = ttl after the old ones: they go, the mark stays.
	for i := range 1024 {
		complete(mem, fmt.Sprintf("newer-%d", i), time.UnixMilli(1000))
	}
	if n := mem.Len(); n != 1+1+1024 {
		t.Fatalf("after the sweep: %d records, want the mark, new and 1024 newer", n)
	}

	records, err := idempotency.NewSQL(ctx, storetest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	complete(records, "a", time.UnixMilli(0))
	complete(records, "b", time.UnixMilli(1))
	if _, err := records.Begin(ctx, idempotency.Scope{Method: "POST", Path: "/", Key: "mark"}, "fp", time.UnixMilli(0), ttl, lease); err != nil {
		t.Fatal(err)
	}
	n, err := records.Purge(ctx, time.UnixMilli(1000), ttl)
	if err != nil || n != 1 {
		t.Fatalf("Purge at ttl after a = %d, %v; want 1 (a only: b is 1 ms younger, the mark is kept)", n, err)
	}
	d, err := records.Begin(ctx, idempotency.Scope{Method: "POST", Path: "/", Key: "b"}, "fp", time.UnixMilli(1000), ttl, lease)
	if err != nil || d.Verdict != idempotency.Replay {
		t.Fatalf("b after the purge = %+v, %v; want its replay", d, err)
	}
}
