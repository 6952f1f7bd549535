package registry_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"twinbook/registry"
)

// benchSchemas is how many schemas the lookups spread over.
const benchSchemas = 100

// BenchmarkSchemaByID measures GET /schemas/ids/{id} over HTTP keep-alive,
// with no client cache (every lookup is a request), from parallel clients:
// lookups/s and the p99 latency. It runs on the Go registry in process, or
// on the registry at $TWINBOOK_REGISTRY_BENCH_URL (for example the Python
// one: the same load generator for both implementations).
func BenchmarkSchemaByID(b *testing.B) {
	url := os.Getenv("TWINBOOK_REGISTRY_BENCH_URL")
	if url == "" {
		svc, err := registry.New(context.Background(), registry.NewMemoryStore(), registry.AvroChecker{}, registry.Options{})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(registry.NewHandler(svc))
		defer srv.Close()
		url = srv.URL
	}
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	subject := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	ids := make([]int, benchSchemas)
	for i := range ids {
		schema := fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"f","type":"long"}]}`, i)
		resp, err := client.Post(url+"/subjects/"+subject+fmt.Sprint(i)+"/versions", registry.ContentType,
			strings.NewReader(fmt.Sprintf(`{"schema":%q}`, schema)))
		if err != nil {
			b.Fatal(err)
		}
		var id int
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if _, err := fmt.Sscanf(string(raw), `{"id":%d}`, &id); err != nil {
			b.Fatalf("register: %s", raw)
		}
		ids[i] = id
	}
	var mu sync.Mutex
	var latencies []time.Duration
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		i := 0
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Get(fmt.Sprintf("%s/schemas/ids/%d", url, ids[i%len(ids)]))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			mine = append(mine, time.Since(t0))
			i++
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "lookups/s")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
}
