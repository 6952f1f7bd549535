package tracing_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"twinbook/inbox"
	"twinbook/outbox"
	"twinbook/tracing"
)

const tp0 = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

// The publisher: each event goes out with its producer span's traceparent
// (a child of the row's, or a new trace's root when the row has none), the
// relay's own events are not changed, and a failed publish marks its span.
func TestPublisher(t *testing.T) {
	tp, exp := provider(t)
	refused := errors.New("refused")
	mem := &outbox.MemoryPublisher{Fail: func(ev outbox.Event) error {
		if ev.ID == "bad" {
			return refused
		}
		return nil
	}}
	in := []outbox.Event{
		{ID: "traced", Aggregate: "a", Topic: "t", Type: "x", Headers: map[string]string{"traceparent": tp0, "other": "kept"}},
		{ID: "untraced", Aggregate: "b", Topic: "t", Type: "x"},
		{ID: "bad", Aggregate: "c", Topic: "t", Type: "x", Headers: map[string]string{"traceparent": tp0}},
	}
	errs := tracing.NewPublisher(mem, tp).Publish(context.Background(), in)
	if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], refused) {
		t.Fatalf("errors %v", errs)
	}
	if in[0].Headers["traceparent"] != tp0 || in[1].Headers != nil {
		t.Errorf("the caller's events changed: %v, %v", in[0].Headers, in[1].Headers)
	}
	spans := exp.GetSpans().Snapshots()
	if len(spans) != 3 {
		t.Fatalf("%d spans", len(spans))
	}
	sent := mem.Published()
	tests := []struct {
		name      string
		span      sdktrace.ReadOnlySpan
		sent      *outbox.Event
		wantTrace string // "" = a new trace
		wantError bool
	}{
		{"traced", spans[0], &sent[0], "4bf92f3577b34da6a3ce929d0e0e4736", false},
		{"untraced", spans[1], &sent[1], "", false},
		{"bad", spans[2], nil, "4bf92f3577b34da6a3ce929d0e0e4736", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.span
			if s.SpanKind() != trace.SpanKindProducer {
				t.Errorf("kind %v", s.SpanKind())
			}
			if tc.wantTrace != "" && (s.SpanContext().TraceID().String() != tc.wantTrace || s.Parent().SpanID().String() != "00f067aa0ba902b7") {
				t.Errorf("trace %s parent %s, want the row's", s.SpanContext().TraceID(), s.Parent().SpanID())
			}
			if tc.wantTrace == "" && s.Parent().IsValid() {
				t.Errorf("an untraced row's span has parent %s", s.Parent().SpanID())
			}
			if got := s.Status().Code == codes.Error; got != tc.wantError {
				t.Errorf("error status %v, want %v", got, tc.wantError)
			}
			if tc.sent != nil {
				want := "00-" + s.SpanContext().TraceID().String() + "-" + s.SpanContext().SpanID().String() + "-01"
				if tc.sent.Headers["traceparent"] != want {
					t.Errorf("sent traceparent %q, want the producer span's %q", tc.sent.Headers["traceparent"], want)
				}
			}
		})
	}
	if sent[0].Headers["other"] != "kept" {
		t.Errorf("the event's other headers were lost: %v", sent[0].Headers)
	}
}

// Headers: a request without a span writes no header; with one, a
// traceparent the outbox accepts.
func TestHeaders(t *testing.T) {
	if h := tracing.Headers(context.Background()); h != nil {
		t.Errorf("no span, headers %v", h)
	}
	tp, _ := provider(t)
	ctx, span := tp.Tracer("t").Start(context.Background(), "s")
	defer span.End()
	h := tracing.Headers(ctx)
	want := "00-" + span.SpanContext().TraceID().String() + "-" + span.SpanContext().SpanID().String() + "-01"
	if h["traceparent"] != want {
		t.Errorf("headers %v, want traceparent %s", h, want)
	}
}

// A record whose traceparent is missing or not W3C's is still processed,
// in a trace of its own, never failed for it.
func TestConsumerBadTraceparent(t *testing.T) {
	db, ctx := setup(t)
	tp, exp := provider(t)
	in := inbox.New(db, "c")
	c := tracing.NewConsumer(tp, "c")
	for i, tpv := range []string{"", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"} {
		rec := &kgo.Record{Topic: "t", Key: []byte("k"), Headers: []kgo.RecordHeader{{Key: outbox.HeaderEventID, Value: []byte{byte('a' + i)}}}}
		if tpv != "" {
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: "traceparent", Value: []byte(tpv)})
		}
		fresh, err := c.Process(ctx, in, rec, func(context.Context, *sql.Tx) error { return nil })
		if err != nil || !fresh {
			t.Errorf("traceparent %q: fresh %v, %v", tpv, fresh, err)
		}
	}
	for _, s := range exp.GetSpans().Snapshots() {
		if s.Parent().IsValid() || len(s.Links()) != 0 {
			t.Errorf("span %s has parent %v, %d links", s.Name(), s.Parent(), len(s.Links()))
		}
	}
	// No event id: the inbox refuses the message; the span says so.
	exp.Reset()
	_, err := c.Process(ctx, in, &kgo.Record{Topic: "t"}, func(context.Context, *sql.Tx) error { return nil })
	if !errors.Is(err, inbox.ErrNoMessageID) {
		t.Errorf("no id: %v", err)
	}
	if s := exp.GetSpans().Snapshots(); len(s) != 1 || s[0].Status().Code != codes.Error {
		t.Errorf("no id: spans %v", s)
	}
}

// A handler that fails (500) marks the server span as an error; one that
// answers 4xx does not.
func TestMiddlewareStatus(t *testing.T) {
	tests := []struct {
		status    int
		wantError bool
	}{{http.StatusOK, false}, {http.StatusConflict, false}, {http.StatusInternalServerError, true}}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			tp, exp := provider(t)
			h := tracing.Middleware(tp, "/x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
			s := exp.GetSpans().Snapshots()
			if len(s) != 1 || s[0].SpanKind() != trace.SpanKindServer || (s[0].Status().Code == codes.Error) != tc.wantError {
				t.Fatalf("spans %v", s)
			}
		})
	}
}

// Many requests at once: each gets a trace of its own.
func TestMiddlewareConcurrent(t *testing.T) {
	tp, exp := provider(t)
	var mu sync.Mutex
	seen := map[string]bool{}
	h := tracing.Middleware(tp, "/x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[tracing.Headers(r.Context())["traceparent"]] = true
		mu.Unlock()
	}))
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil)) })
	}
	wg.Wait()
	if len(seen) != 50 || len(exp.GetSpans()) != 50 {
		t.Errorf("%d traceparents, %d spans for 50 requests", len(seen), len(exp.GetSpans()))
	}
}

// The metrics read the outbox and the inbox at each collection.
func TestMetrics(t *testing.T) {
	db, ctx := setup(t)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	meter := mp.Meter(tracing.ScopeName)
	created := time.UnixMilli(1_700_000_000_000)
	now := created.Add(90 * time.Second)
	regOut, err := tracing.ObserveOutbox(meter, db, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = regOut.Unregister() }()
	in := inbox.New(db, "payments")
	regIn, err := tracing.ObserveInbox(meter, in, "payments")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = regIn.Unregister() }()

	collect := func() map[string]float64 {
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(ctx, &rm); err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				switch d := m.Data.(type) {
				case metricdata.Gauge[int64]:
					got[m.Name] = float64(d.DataPoints[0].Value)
				case metricdata.Gauge[float64]:
					got[m.Name] = d.DataPoints[0].Value
				case metricdata.Sum[int64]:
					got[m.Name] = float64(d.DataPoints[0].Value)
				}
			}
		}
		return got
	}
	want := func(got, w map[string]float64) {
		t.Helper()
		for k, v := range w {
			if got[k] != v {
				t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
			}
		}
	}
	want(collect(), map[string]float64{"outbox.backlog": 0, "outbox.lag": 0, "outbox.parked": 0,
		"inbox.applied": 0, "inbox.duplicates": 0})
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		for _, id := range []string{"e1", "e2", "e3"} {
			if _, err := outbox.Add(ctx, tx, outbox.Event{ID: id, Aggregate: "a", Topic: "t", Type: "x", CreatedAt: created}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"m1", "m2", "m1", "m1"} {
		if _, err := in.Process(ctx, id, func(*sql.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	want(collect(), map[string]float64{"outbox.backlog": 3, "outbox.lag": 90, "inbox.applied": 2, "inbox.duplicates": 2})
}

// The timeline: rows by start time, and a CSV a notebook reads.
func TestTimeline(t *testing.T) {
	tp, exp := provider(t)
	tr := tp.Tracer("t")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx, root := tr.Start(context.Background(), "root", trace.WithTimestamp(t0), trace.WithSpanKind(trace.SpanKindServer))
	_, late := tr.Start(ctx, "late", trace.WithTimestamp(t0.Add(2*time.Second)))
	late.End(trace.WithTimestamp(t0.Add(3 * time.Second)))
	_, early := tr.Start(ctx, "early", trace.WithTimestamp(t0.Add(time.Second)), trace.WithSpanKind(trace.SpanKindProducer))
	early.End(trace.WithTimestamp(t0.Add(4 * time.Second)))
	root.End(trace.WithTimestamp(t0.Add(5 * time.Second)))

	rows := tracing.Timeline(exp.GetSpans().Snapshots())
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "root,early,late" || rows[0].ParentID != "" || rows[1].ParentID != rows[0].SpanID ||
		rows[1].Kind != "producer" || !rows[2].End.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("rows %+v", rows)
	}
	var buf bytes.Buffer
	if err := tracing.WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0], ",") != "start,end,name,kind,trace_id,span_id,parent_id" ||
		recs[2][0] != "2026-01-01T00:00:01Z" || recs[2][2] != "early" {
		t.Errorf("csv %v", recs)
	}
}
