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

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

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

// BenchmarkSerde measures franz-go's sr.Serde over hamba/avro with a warm
// cache: the schema is registered once (on the Go registry in process), its
// id is known, and each operation encodes one record into Confluent's wire
// format with no request at all, as a producer does after its first record.
func BenchmarkSerde(b *testing.B) {
	svc, err := registry.New(context.Background(), registry.NewMemoryStore(), registry.AvroChecker{}, registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(registry.NewHandler(svc))
	defer srv.Close()
	rcl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	created, err := rcl.CreateSchema(ctx, "bench-serde-value", sr.Schema{Schema: orderSchema, Type: sr.TypeAvro})
	if err != nil {
		b.Fatal(err)
	}
	schema := avro.MustParse(orderSchema)
	var serde sr.Serde
	serde.Register(created.ID, order{},
		sr.EncodeFn(func(v any) ([]byte, error) { return avro.Marshal(schema, v) }))
	rec := order{ID: "order-42", Qty: 3}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := serde.Encode(rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
