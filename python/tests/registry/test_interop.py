"""Clients the project did not write, against both registries, on the broker:
confluent-kafka's SchemaRegistryClient, AvroSerializer and AvroDeserializer in Python, and
franz-go's sr client with sr.Serde over hamba/avro in Go (go/cmd/twinbook-avro). Go
produces and Python consumes and the reverse; the bytes on the wire are checked (magic
byte 0, 4-byte big-endian id, Avro body); schemas evolve (v1 producer, v2 consumer and the
reverse), an incompatible v3 is refused with 409 and writes nothing; a record whose schema
id the registry does not know gets a named error."""

from __future__ import annotations

import io
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import fastavro
import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from twinbook.registry import RegistryProcess, wire
from twinbook.registry.server import go_program

from .conftest import unique

DEADLINE = 20.0

V1 = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [{"name": "id", "type": "string"}, {"name": "qty", "type": "long"}],
}
V2 = {**V1, "fields": [*V1["fields"], {"name": "note", "type": "string", "default": "none"}]}
# V3 adds a field without a default: under BACKWARD, a V3 reader cannot read V2's records.
V3 = {**V1, "fields": [*V2["fields"], {"name": "priority", "type": "int"}]}

ORDERS = [{"id": "a", "qty": 1}, {"id": "b", "qty": 2}, {"id": "c", "qty": 3}]

KAFKA_CONF = {"enable.metrics.push": False}


def produce_raw(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = Producer({**KAFKA_CONF, "bootstrap.servers": bootstrap})
    for v in values:
        producer.produce(topic, value=v, partition=0)
    assert producer.flush(DEADLINE) == 0


def consume_raw(bootstrap: str, topic: str, count: int) -> list[bytes]:
    """The first ``count`` values of the topic's partition 0, within the deadline."""
    consumer = Consumer(
        {
            **KAFKA_CONF,
            "bootstrap.servers": bootstrap,
            "group.id": unique("g"),
            "enable.auto.commit": False,
        }
    )
    try:
        consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        out: list[bytes] = []
        deadline = time.monotonic() + DEADLINE
        while len(out) < count:
            assert time.monotonic() < deadline, f"{len(out)} of {count} records from {topic}"
            msg = consumer.poll(0.2)
            if msg is None or msg.error() is not None:
                continue
            out.append(msg.value() or b"")
        return out
    finally:
        consumer.close()


def end_offset(bootstrap: str, topic: str) -> int:
    consumer = Consumer({**KAFKA_CONF, "bootstrap.servers": bootstrap, "group.id": unique("g")})
    try:
        return int(consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=DEADLINE)[1])
    finally:
        consumer.close()


def create_topic(bootstrap: str, topic: str) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({**KAFKA_CONF, "bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(
        DEADLINE
    )


def python_produce(
    url: str, bootstrap: str, topic: str, schema: dict[str, Any], records: list[dict[str, Any]]
) -> None:
    serializer = AvroSerializer(SchemaRegistryClient({"url": url}), json.dumps(schema))
    ctx = SerializationContext(topic, MessageField.VALUE)
    produce_raw(bootstrap, topic, [serializer(r, ctx) for r in records])


def python_consume(
    url: str, bootstrap: str, topic: str, count: int, reader: dict[str, Any] | None = None
) -> list[Any]:
    deserializer = AvroDeserializer(
        SchemaRegistryClient({"url": url}), json.dumps(reader) if reader else None
    )
    ctx = SerializationContext(topic, MessageField.VALUE)
    return [deserializer(v, ctx) for v in consume_raw(bootstrap, topic, count)]


def go_avro(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [go_program("twinbook-avro"), *args, "--timeout", f"{DEADLINE:g}s"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=DEADLINE + 10,
    )


def schema_file(tmp_path: Path, schema: dict[str, Any]) -> str:
    path = tmp_path / f"{schema['name']}-{len(schema['fields'])}.avsc"
    path.write_text(json.dumps(schema))
    return str(path)


def go_produce(
    url: str, bootstrap: str, topic: str, schema_path: str, records: list[dict[str, Any]]
) -> subprocess.CompletedProcess[str]:
    lines = "".join(json.dumps(r) + "\n" for r in records)
    return go_avro(
        "produce",
        "--registry",
        url,
        "--kafka",
        bootstrap,
        "--topic",
        topic,
        "--schema",
        schema_path,
        stdin=lines,
    )


def go_consume(
    url: str, bootstrap: str, topic: str, count: int, reader: str = ""
) -> list[dict[str, Any]]:
    args = [
        "consume",
        "--registry",
        url,
        "--kafka",
        bootstrap,
        "--topic",
        topic,
        "--count",
        str(count),
    ]
    done = go_avro(*args, *(["--schema", reader] if reader else []))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def avro_body(schema: dict[str, Any], record: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), record)
    return out.getvalue()


def test_python_producer_go_consumer(registry: RegistryProcess, kafka_bootstrap: str) -> None:
    topic = unique("orders")
    create_topic(kafka_bootstrap, topic)
    python_produce(registry.url, kafka_bootstrap, topic, V1, ORDERS)
    schema_id = (
        SchemaRegistryClient({"url": registry.url}).get_latest_version(f"{topic}-value").schema_id
    )
    for value, order in zip(consume_raw(kafka_bootstrap, topic, 3), ORDERS, strict=True):
        assert value[0] == 0  # the magic byte
        assert int.from_bytes(value[1:5], "big") == schema_id
        assert value[5:] == avro_body(V1, order)
        assert wire.decode(value) == (schema_id, avro_body(V1, order))
    got = go_consume(registry.url, kafka_bootstrap, topic, 3)
    assert got == [{"id": schema_id, "value": o} for o in ORDERS]


def test_go_producer_python_consumer(
    registry: RegistryProcess, kafka_bootstrap: str, tmp_path: Path
) -> None:
    topic = unique("orders")
    create_topic(kafka_bootstrap, topic)
    done = go_produce(registry.url, kafka_bootstrap, topic, schema_file(tmp_path, V1), ORDERS)
    assert done.returncode == 0, done.stderr
    schema_id = int(done.stdout)
    values = consume_raw(kafka_bootstrap, topic, 3)
    assert [wire.decode(v) for v in values] == [(schema_id, avro_body(V1, o)) for o in ORDERS]
    assert python_consume(registry.url, kafka_bootstrap, topic, 3) == ORDERS


def test_evolution_both_ways_and_an_incompatible_v3(
    registry: RegistryProcess, kafka_bootstrap: str, tmp_path: Path
) -> None:
    topic = unique("orders")
    create_topic(kafka_bootstrap, topic)
    # v1 producer (Python), then v2 producer (Go): v2 adds a field with a default.
    python_produce(registry.url, kafka_bootstrap, topic, V1, ORDERS[:1])
    done = go_produce(
        registry.url,
        kafka_bootstrap,
        topic,
        schema_file(tmp_path, V2),
        [{**ORDERS[1], "note": "rush"}],
    )
    assert done.returncode == 0, done.stderr
    # A v2 consumer (Go) reads v1's record with the default filled in...
    got = [
        r["value"]
        for r in go_consume(registry.url, kafka_bootstrap, topic, 2, schema_file(tmp_path, V2))
    ]
    assert got == [{**ORDERS[0], "note": "none"}, {**ORDERS[1], "note": "rush"}]
    # ...and a v1 consumer (Python) reads v2's record without the field it does not know.
    assert python_consume(registry.url, kafka_bootstrap, topic, 2, reader=V1) == ORDERS[:2]
    # v3 is refused by the registry, through either client, and nothing is written.
    before = end_offset(kafka_bootstrap, topic)
    with pytest.raises(SchemaRegistryError) as refused:
        python_produce(
            registry.url, kafka_bootstrap, topic, V3, [{**ORDERS[2], "note": "x", "priority": 1}]
        )
    assert (refused.value.http_status_code, refused.value.error_code) == (409, 409)
    done = go_produce(
        registry.url,
        kafka_bootstrap,
        topic,
        schema_file(tmp_path, V3),
        [{**ORDERS[2], "note": "x", "priority": 1}],
    )
    assert done.returncode == 3 and "409" in done.stderr, done.stderr
    assert end_offset(kafka_bootstrap, topic) == before
    client = SchemaRegistryClient({"url": registry.url})
    assert client.get_versions(f"{topic}-value") == [1, 2]


def test_unknown_schema_id_is_a_named_error(
    registry: RegistryProcess, kafka_bootstrap: str
) -> None:
    topic = unique("orders")
    create_topic(kafka_bootstrap, topic)
    produce_raw(kafka_bootstrap, topic, [wire.encode(987654, avro_body(V1, ORDERS[0]))])
    with pytest.raises(SchemaRegistryError) as unknown:
        python_consume(registry.url, kafka_bootstrap, topic, 1)
    assert (unknown.value.http_status_code, unknown.value.error_code) == (404, 40403)
    done = go_avro(
        "consume",
        "--registry",
        registry.url,
        "--kafka",
        kafka_bootstrap,
        "--topic",
        topic,
        "--count",
        "1",
    )
    assert done.returncode == 4 and "schema id 987654 is unknown" in done.stderr, done.stderr
