// Package registry is the project's schema registry: Confluent's REST API
// (subjects, versions, global schema ids, compatibility levels, soft and
// hard deletes, references) over a log of records in a compacted Kafka topic,
// the way Confluent's registry keeps its state, so that the same clients
// (confluent-kafka's SchemaRegistryClient, franz-go's sr) talk to it
// unchanged and a registry killed and restarted replays the topic to the
// same state.
//
// One concern per file: errors.go (Confluent's error codes), model.go (what
// the API answers), record.go (the log's records and their JSON, the same
// as Confluent's KafkaStore), store.go (the Store interface and the in-memory
// store for tests), kafkastore.go (the compacted topic), service.go (the rules:
// ids, versions, deduplication, compatibility, deletes), checker.go (what the
// service needs of an Avro implementation, and the one built on package
// schema), http.go (the routes), wire.go (Confluent's wire format: magic
// byte 0, a 4-byte big-endian schema id, the Avro body).
package registry
