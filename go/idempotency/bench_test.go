package idempotency_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"twinbook/clock"
	"twinbook/idempotency"
	"twinbook/store"
)

// The middleware's overhead per request against the bare handler (chapter
// 5's aim: under 1 ms on SQLite). Each request runs ServeHTTP on an
// httptest recorder, so the figures leave HTTP's own costs out: they are
// what the middleware adds. "new key" requests take the whole path (insert
// the mark, run the handler, store the answer: two transactions); "replay"
// requests find a stored answer (one transaction).
//
//	go test ./idempotency -run '^$' -bench . -benchtime 2000x

var benchBody = `{"qty":1}`

func benchHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":1}`))
	})
}

func benchRequest(key string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/orders", strings.NewReader(benchBody))
	if key != "" {
		r.Header.Set(idempotency.Header, key)
	}
	return r
}

func BenchmarkBareHandler(b *testing.B) {
	h := benchHandler()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), benchRequest(""))
	}
}

func benchRecords(b *testing.B, name string) idempotency.Records {
	if name == "memory" {
		return idempotency.NewMemory()
	}
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	sqlRecords, err := idempotency.NewSQL(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	return sqlRecords
}

func BenchmarkMiddleware(b *testing.B) {
	for _, name := range []string{"memory", "sqlite"} {
		for _, replay := range []bool{false, true} {
			mode := "new_key"
			if replay {
				mode = "replay"
			}
			b.Run(name+"/"+mode, func(b *testing.B) {
				mw, err := idempotency.Middleware(idempotency.DefaultConfig(), benchRecords(b, name), clock.System{})
				if err != nil {
					b.Fatal(err)
				}
				h := mw(benchHandler())
				i := 0
				for b.Loop() {
					key := "k"
					if !replay {
						i++
						key = fmt.Sprintf("key-%d", i)
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, benchRequest(key))
					if rec.Code != http.StatusCreated {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
			})
		}
	}
}
