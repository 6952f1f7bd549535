package tracing

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"twinbook/inbox"
	"twinbook/outbox"
	"twinbook/store"
)

// Metric names, the same in Python's twinbook.tracing.
const (
	MetricOutboxBacklog   = "outbox.backlog"   // gauge: events waiting
	MetricOutboxLag       = "outbox.lag"       // gauge, seconds: age of the oldest waiting
	MetricOutboxParked    = "outbox.parked"    // gauge: events parked for a person
	MetricInboxApplied    = "inbox.applied"    // counter: messages applied
	MetricInboxDuplicates = "inbox.duplicates" // counter: redeliveries absorbed
)

// ObserveOutbox registers gauges of db's outbox on meter, read at each
// collection from [outbox.Backlog], [outbox.Lag] (at now()) and
// [outbox.Parked]: nothing is counted twice, and a relay in another process
// is measured as well as one in this. Unregister the returned registration
// before closing db.
func ObserveOutbox(meter metric.Meter, db *store.DB, now func() time.Time) (metric.Registration, error) {
	backlog, err := meter.Int64ObservableGauge(MetricOutboxBacklog, metric.WithUnit("{event}"),
		metric.WithDescription("Events in the outbox, waiting for the relay."))
	if err != nil {
		return nil, fmt.Errorf("tracing: %s: %w", MetricOutboxBacklog, err)
	}
	lag, err := meter.Float64ObservableGauge(MetricOutboxLag, metric.WithUnit("s"),
		metric.WithDescription("Age of the oldest event waiting in the outbox (0 when empty)."))
	if err != nil {
		return nil, fmt.Errorf("tracing: %s: %w", MetricOutboxLag, err)
	}
	parked, err := meter.Int64ObservableGauge(MetricOutboxParked, metric.WithUnit("{event}"),
		metric.WithDescription("Events parked as poison or corrupt, waiting for a person."))
	if err != nil {
		return nil, fmt.Errorf("tracing: %s: %w", MetricOutboxParked, err)
	}
	reg, err := meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		n, err := outbox.Backlog(ctx, db)
		if err != nil {
			return err
		}
		l, err := outbox.Lag(ctx, db, now())
		if err != nil {
			return err
		}
		p, err := outbox.Parked(ctx, db)
		if err != nil {
			return err
		}
		o.ObserveInt64(backlog, n)
		o.ObserveFloat64(lag, l.Seconds())
		o.ObserveInt64(parked, p)
		return nil
	}, backlog, lag, parked)
	if err != nil {
		return nil, fmt.Errorf("tracing: outbox metrics: %w", err)
	}
	return reg, nil
}

// ObserveInbox registers counters of in on meter, attributed to consumer
// (messaging.consumer.group.name): messages applied and duplicates
// absorbed, read from [inbox.Inbox.Applied] and [inbox.Inbox.Duplicates].
func ObserveInbox(meter metric.Meter, in *inbox.Inbox, consumer string) (metric.Registration, error) {
	applied, err := meter.Int64ObservableCounter(MetricInboxApplied, metric.WithUnit("{message}"),
		metric.WithDescription("Messages the inbox applied."))
	if err != nil {
		return nil, fmt.Errorf("tracing: %s: %w", MetricInboxApplied, err)
	}
	dups, err := meter.Int64ObservableCounter(MetricInboxDuplicates, metric.WithUnit("{message}"),
		metric.WithDescription("Redelivered messages the inbox absorbed without applying them."))
	if err != nil {
		return nil, fmt.Errorf("tracing: %s: %w", MetricInboxDuplicates, err)
	}
	attrs := metric.WithAttributes(attribute.String("messaging.consumer.group.name", consumer))
	reg, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(applied, in.Applied(), attrs)
		o.ObserveInt64(dups, in.Duplicates(), attrs)
		return nil
	}, applied, dups)
	if err != nil {
		return nil, fmt.Errorf("tracing: inbox metrics: %w", err)
	}
	return reg, nil
}
