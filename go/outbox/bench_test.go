package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"twinbook/outbox"
	"twinbook/store/storetest"
)

// BenchmarkRelay measures the relay from the store into memory (no broker:
// the store's side alone), batched against one event per transaction;
// ns/op is per event, and "events/s" is reported. Each round adds b.N
// events first (outside the timer), then relays them all.
func BenchmarkRelay(b *testing.B) {
	for _, batch := range []int{100, 1} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b)
			if err := outbox.Migrate(ctx, db); err != nil {
				b.Fatal(err)
			}
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				for i := range b.N {
					ev := outbox.Event{ID: fmt.Sprintf("e%09d", i), Aggregate: fmt.Sprint(i % 100), Topic: "t", Type: "t", Payload: make([]byte, 100)}
					if _, err := outbox.Add(ctx, tx, ev); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			r := outbox.NewRelay(db, &outbox.MemoryPublisher{}, outbox.RelayConfig{BatchSize: batch})
			settle(b, ctx, db) // a shared server's other transactions, not the relay's time
			b.ResetTimer()
			published := 0
			for published < b.N {
				res, err := r.RunOnce(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if res.Claimed == 0 {
					b.Fatalf("the relay claimed nothing with %d events left", b.N-published)
				}
				published += res.Published
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
