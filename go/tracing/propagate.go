package tracing

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// w3c is the only propagator used: the outbox validates "traceparent" as
// W3C's, and the global propagator may be unset (a no-op) in a program that
// never configured one.
var w3c = propagation.TraceContext{}

func otelTracerProvider() trace.TracerProvider { return otel.GetTracerProvider() }

// Headers returns the W3C headers ("traceparent", and "tracestate" when
// there is one) of ctx's span, for an outbox event's Headers; nil when ctx
// has no valid span, so an untraced caller writes no header at all.
func Headers(ctx context.Context) map[string]string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	h := map[string]string{}
	w3c.Inject(ctx, propagation.MapCarrier(h))
	return h
}

// inject returns a copy of headers with ctx's span context in place of any
// traceparent headers had; headers itself is not changed.
func inject(ctx context.Context, headers map[string]string) map[string]string {
	out := make(map[string]string, len(headers)+1)
	for k, v := range headers {
		if k != "traceparent" && k != "tracestate" {
			out[k] = v
		}
	}
	w3c.Inject(ctx, propagation.MapCarrier(out))
	return out
}

// mapCarrier reads a header map without ever writing to it (a nil map
// included).
type mapCarrier map[string]string

func (c mapCarrier) Get(key string) string { return c[key] }
func (c mapCarrier) Set(string, string)    {}
func (c mapCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// recordCarrier reads and writes a Kafka record's headers.
type recordCarrier struct{ rec *kgo.Record }

func (c recordCarrier) Get(key string) string {
	for _, h := range c.rec.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c recordCarrier) Set(key, value string) {
	for i, h := range c.rec.Headers {
		if h.Key == key {
			c.rec.Headers[i].Value = []byte(value)
			return
		}
	}
	c.rec.Headers = append(c.rec.Headers, kgo.RecordHeader{Key: key, Value: []byte(value)})
}

func (c recordCarrier) Keys() []string {
	keys := make([]string, len(c.rec.Headers))
	for i, h := range c.rec.Headers {
		keys[i] = h.Key
	}
	return keys
}

// Extract returns ctx carrying the remote span context of rec's
// "traceparent" header. A record without one, or with one that is not
// W3C's, gives ctx unchanged: the consumer's span then starts a trace of
// its own rather than failing the message.
func Extract(ctx context.Context, rec *kgo.Record) context.Context {
	return w3c.Extract(ctx, recordCarrier{rec})
}
