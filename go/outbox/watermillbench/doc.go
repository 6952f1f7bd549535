// Package watermillbench holds chapter 5's peer benchmark and nothing else:
// watermill-sql's PostgreSQL subscriber delivering the rows of its messages
// table to Kafka, the work the outbox relay does (go/outbox's
// BenchmarkRelayKafka), measured in the same run. watermill and
// watermill-sql are benchmark-only dependencies: no twinbook package
// imports them.
package watermillbench
