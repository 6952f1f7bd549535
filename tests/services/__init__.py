"""Real services the tests start themselves (not part of the library): Apache Kafka."""
