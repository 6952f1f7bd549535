"""Fixtures for twinbook.kafka's tests: a confluent-kafka round trip, and process checks."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator

import confluent_kafka
import pytest
from timeouts import TIMEOUT

from twinbook.kafka import client_config


def round_trip(bootstrap: str, topic: str | None = None) -> bytes:
    """Produce one record to a fresh topic with confluent-kafka and consume it back."""
    topic = topic or f"round-trip.{uuid.uuid4().hex}"
    producer = confluent_kafka.Producer(client_config(bootstrap))
    producer.produce(topic, key=b"k", value=b"hello")
    assert producer.flush(TIMEOUT) == 0, "the record was not delivered"
    consumer = confluent_kafka.Consumer(
        client_config(bootstrap, {"group.id": topic, "auto.offset.reset": "earliest"})
    )
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + 3 * TIMEOUT
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():  # a topic's leader not known yet: retried until the deadline
                continue
            value = msg.value()
            assert isinstance(value, bytes)
            return value
        pytest.fail(f"no record consumed from {topic} within {3 * TIMEOUT}s")
    finally:
        consumer.close()


def gone(pid: int) -> bool:
    """Whether process ``pid`` has exited (a zombie no one has reaped yet counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_gone(pid: int, timeout: float = TIMEOUT) -> bool:
    """Poll until process ``pid`` is gone, or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real broker named: the helpers start the embedded one."""
    monkeypatch.delenv("TWINBOOK_KAFKA", raising=False)


@pytest.fixture
def kill_on_exit() -> Iterator[Callable[[int], None]]:
    """Note a pid to SIGKILL when the test ends, should the test fail before it does."""
    pids: list[int] = []
    yield pids.append
    for pid in pids:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
