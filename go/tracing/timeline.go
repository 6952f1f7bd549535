package tracing

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Row is one finished span as a notebook plots it: a bar from Start to End.
type Row struct {
	Start, End time.Time
	Name       string
	Kind       string // "server", "producer", "consumer"...
	TraceID    string
	SpanID     string
	ParentID   string // "" for a root span
}

// Timeline turns finished spans (an in-memory exporter's
// GetSpans().Snapshots()) into rows ordered by start, then by end.
func Timeline(spans []sdktrace.ReadOnlySpan) []Row {
	rows := make([]Row, 0, len(spans))
	for _, s := range spans {
		r := Row{Start: s.StartTime(), End: s.EndTime(), Name: s.Name(), Kind: s.SpanKind().String(),
			TraceID: s.SpanContext().TraceID().String(), SpanID: s.SpanContext().SpanID().String()}
		if s.Parent().IsValid() {
			r.ParentID = s.Parent().SpanID().String()
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return a.End.Compare(b.End)
	})
	return rows
}

// WriteCSV writes rows with a header line: start and end as RFC 3339 with
// nanoseconds (UTC), then name, kind, trace_id, span_id, parent_id.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"start", "end", "name", "kind", "trace_id", "span_id", "parent_id"})
	for _, r := range rows {
		_ = cw.Write([]string{r.Start.UTC().Format(time.RFC3339Nano), r.End.UTC().Format(time.RFC3339Nano),
			r.Name, r.Kind, r.TraceID, r.SpanID, r.ParentID})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("tracing: timeline csv: %w", err)
	}
	return nil
}
