"""Chapter 4's serializer with a warm cache, from Python (pytest-benchmark).

confluent-kafka's ``AvroSerializer`` against the project's Python registry: the first
record registers the schema and learns its id (setup, not timed); every timed call then
encodes one record into Confluent's wire format without a request, as a producer does
after its first record. The Go twin is ``BenchmarkSerde`` (go/registry/bench_test.go,
franz-go's ``sr.Serde``). The registry is the one ``$TWINBOOK_REGISTRY_BENCH_URL`` names
(tests/benchmarks/go_registry.py sets it), else a Python registry program on the
embedded broker, started for this module. Run it alone (no xdist)::

    .venv/bin/pytest tests/benchmarks/test_registry_bench.py -o addopts="" -q \\
        --benchmark-only --benchmark-json=build/bench/registry-python.json

Timings are never asserted; the assertion checks the wire format's header.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from twinbook.kafka import bootstrap
from twinbook.registry import start

#: The same record as Go's BenchmarkSerde (go/registry/interop_test.go's orderSchema).
ORDER = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [{"name": "id", "type": "string"}, {"name": "qty", "type": "long"}],
}


@pytest.fixture(scope="module")
def registry_url() -> Iterator[str]:
    url = os.environ.get("TWINBOOK_REGISTRY_BENCH_URL", "").strip()
    if url:
        yield url
        return
    with bootstrap() as kafka:
        running = start(kafka, topic=f"_schemas_bench_{uuid.uuid4().hex[:8]}")
        try:
            yield running.url
        finally:
            running.stop()


def test_serializer_avro(benchmark: Any, registry_url: str) -> None:
    serializer = AvroSerializer(SchemaRegistryClient({"url": registry_url}), json.dumps(ORDER))
    ctx = SerializationContext(f"bench-{uuid.uuid4().hex[:12]}", MessageField.VALUE)
    record = {"id": "order-42", "qty": 3}
    first = serializer(record, ctx)  # registers the schema and caches its id: not timed
    assert first is not None and first[0] == 0
    out = benchmark(serializer, record, ctx)
    assert out == first
    benchmark.extra_info["records_per_s"] = 1 / benchmark.stats.stats.min
