package registry_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"twinbook/registry"
)

// BenchmarkHandleSchemaByID is the server's own share of a GET
// /schemas/ids/{id}: routing, the lookup and the answer, with no network
// and no client, so its ns/op and allocs/op stay readable on a loaded
// machine where BenchmarkSchemaByID's lookups/s does not.
func BenchmarkHandleSchemaByID(b *testing.B) {
	svc, err := registry.New(context.Background(), registry.NewMemoryStore(), registry.AvroChecker{}, registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := registry.NewHandler(svc)
	schema := `{"type":"record","name":"R","fields":[{"name":"f","type":"long"}]}`
	reg := httptest.NewRequest("POST", "/subjects/bench/versions", strings.NewReader(fmt.Sprintf(`{"schema":%q}`, schema)))
	reg.Header.Set("Content-Type", registry.ContentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, reg)
	if rec.Code != 200 {
		b.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	req := httptest.NewRequest("GET", "/schemas/ids/1", nil)
	w := &discard{header: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		clear(w.header)
		w.status = 0
		h.ServeHTTP(w, req)
		if w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}

// discard is a ResponseWriter that keeps only the status, so the benchmark
// measures the handler rather than a recorder's buffer.
type discard struct {
	header http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(status int)      { d.status = status }
