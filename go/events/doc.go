// Package events is chapter 4's producers and consumers, written to teach
// what Kafka promises and what it leaves to the application: keys and
// partitions, per-key ordering, consumer groups and their rebalances,
// at-most-once against at-least-once, transactions, and dead letters.
//
// One concern per file:
//
//   - client.go: [Config], what every client needs (the bootstrap server and
//     a deadline for every network wait); a broker that is not there is
//     [ErrBrokerUnavailable] within it. [CreateTopic] makes a topic.
//   - partition.go: [Partition], the default partitioner's choice of
//     partition for a key (murmur2, as Java, kgo and librdkafka's
//     "murmur2_random" compute it).
//   - producer.go: [NewProducer] (idempotent, acks=all) and [ProduceKeyed].
//   - group.go: [Join], a [Member] of a consumer group whose rebalances are
//     written to a [RebalanceLog] a notebook can show; commits are manual.
//   - delivery.go: [Consume] with [AtMostOnce] (commit, then process) or
//     [AtLeastOnce] (process, then commit): what a crash costs.
//   - transact.go: [Pipeline], consume-transform-produce in transactions
//     with the consumed offsets inside them; [ErrFenced] for a zombie.
//   - dlq.go: [DeadLetter] and [ConsumeWithDLQ]: a poison record goes to
//     "<topic>.dlq" with its error in headers, and consuming goes on.
//   - concurrent.go: [ConsumeConcurrently], records in flight at once,
//     each key still in order, and a [Watermark] so that commits never
//     pass the oldest record not yet done.
//
// The clients are franz-go's kgo. Python's twinbook.events has the same
// concepts under the same names, on confluent-kafka (and aiokafka for the
// concurrent consumer, where asyncio's tasks take the goroutines' place).
package events
