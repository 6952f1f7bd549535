// Package outbox is chapter 5's transactional outbox and its relay: the
// answer to the dual write. A service that saves an order and then produces
// "order placed" to Kafka loses the event when it dies between the two, or
// announces an order that was rolled back. Instead it writes the event as a
// row of the outbox table in the same transaction as the order ([Add]); a
// separate [Relay] reads the outbox and publishes it. The row and the order
// commit together or not at all, and the relay delivers at least once: a
// relay killed after the broker acknowledged a batch but before its delete
// committed publishes that batch again, so consumers deduplicate by the event
// id the relay puts in the header "event-id" (package twinbook/inbox).
//
// One concern per file:
//
//   - event.go: [Event], what a row carries, and its validation.
//   - schema.go: [Migrate], the tables outbox and outbox_parked.
//   - add.go: [Add], the row written in the caller's transaction.
//   - publisher.go: [Publisher], [MemoryPublisher], and [ErrPoison] for what no
//     retry can deliver.
//   - kafka.go: [KafkaPublisher], the publisher to chapter 4's broker (kgo,
//     idempotent, key = aggregate).
//   - relay.go: [Relay] and [RelayConfig]: claim, publish, delete, in one
//     transaction; back off while the broker is down.
//   - metrics.go: [Backlog], [Lag], [Parked].
//
// Python's twinbook.outbox has the same concepts under the same names.
package outbox
