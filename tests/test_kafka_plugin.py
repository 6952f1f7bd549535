"""Tests of tests/plugins/kafka.py: the ``kafka_bootstrap`` fixture on both brokers."""

from __future__ import annotations

import re
import time

import confluent_kafka
import pytest

from tests.plugins.kafka import unique_name
from twinbook.kafka import client_config

WAIT = 30.0
"""Seconds a produce or a consume may take before it counts as a hang (a real broker's
first consumer group takes a few seconds to settle)."""


def test_the_fixture_gives_a_working_broker(kafka_bootstrap: str, kafka_name: str) -> None:
    """Produce one record and consume it back with confluent-kafka: on kfake and on Kafka."""
    producer = confluent_kafka.Producer(client_config(kafka_bootstrap))
    producer.produce(kafka_name, key=b"k", value=b"on both brokers")
    assert producer.flush(WAIT) == 0, "the record was not delivered"
    consumer = confluent_kafka.Consumer(
        client_config(kafka_bootstrap, {"group.id": kafka_name, "auto.offset.reset": "earliest"})
    )
    try:
        consumer.subscribe([kafka_name])
        deadline = time.monotonic() + WAIT
        got = None
        while got is None and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error():
                got = (msg.key(), msg.value())
        assert got == (b"k", b"on both brokers")
    finally:
        consumer.close()


def test_kafka_name_is_unique_and_a_valid_topic_name(kafka_name: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9._-]+", kafka_name)
    assert kafka_name.startswith("test_kafka_name_is_unique")
    assert unique_name("a/b[c d]") != unique_name("a/b[c d]")
    assert unique_name("a/b[c d]").startswith("a.b.c.d.")


@pytest.mark.parametrize("name", ["x" * 300])
def test_unique_name_fits_kafkas_limit(name: str) -> None:
    assert len(unique_name(name)) <= 249
