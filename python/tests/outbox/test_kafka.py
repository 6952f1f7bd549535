"""The relay to Kafka (kfake and real Kafka, SQLite and PostgreSQL), and kill -9."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable

import confluent_kafka
import pytest
from timeouts import TIMEOUT

from twinbook.events import Config, create_topic
from twinbook.inbox import Inbox
from twinbook.inbox import migrate as migrate_inbox
from twinbook.kafka import Config as KafkaConfig
from twinbook.kafka import client_config, start
from twinbook.outbox import (
    HEADER_EVENT_ID,
    Event,
    KafkaPublisher,
    PublishError,
    Relay,
    RelayConfig,
    add,
    backlog,
)
from twinbook.store import Store, Tx

from .helpers import add_events, run_once

TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


#: The kill -9 run's size: 5000 events and 10 kills by default (make test's short run);
#: the benchmark's full run (tests/benchmarks/ch05.py) asks for 100000 and 50.
KILL_EVENTS_ENV = "TWINBOOK_OUTBOX_EVENTS"
KILLS_ENV = "TWINBOOK_OUTBOX_KILLS"


def new_topic(bootstrap: str, name: str) -> str:
    create_topic(Config(bootstrap, timeout=10.0), name, 3)
    return name


def consume(
    bootstrap: str, topic: str, n: int, timeout: float = 3 * TIMEOUT
) -> list[confluent_kafka.Message]:
    consumer = confluent_kafka.Consumer(
        client_config(bootstrap, {"group.id": topic, "auto.offset.reset": "earliest"})
    )
    out: list[confluent_kafka.Message] = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + timeout
        while len(out) < n:
            assert time.monotonic() < deadline, f"consumed {len(out)} of {n}"
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                out.append(msg)
    finally:
        consumer.close()
    return out


def test_kafka_publisher(store: Store, kafka_bootstrap: str, kafka_name: str) -> None:
    """The aggregate is the key (one partition, in order); the event id and the
    traceparent travel as headers."""
    topic = new_topic(kafka_bootstrap, kafka_name)
    with store.transaction() as tx:
        for i in range(60):
            add(
                tx,
                Event(
                    id=f"e-{i:04d}",
                    aggregate=f"agg-{i % 6}",
                    topic=topic,
                    type="t",
                    headers={"traceparent": TP},
                ),
            )
    publisher = KafkaPublisher(kafka_bootstrap)
    assert run_once(Relay(store, publisher)).published == 60
    publisher.close()
    last: dict[bytes, str] = {}
    partition: dict[bytes, int] = {}
    for msg in consume(kafka_bootstrap, topic, 60):
        key = msg.key()
        assert key is not None
        headers = dict(msg.headers() or [])
        assert headers["traceparent"] == TP.encode() and headers["event-type"] == b"t"
        event_id = headers[HEADER_EVENT_ID].decode()
        assert partition.setdefault(key, msg.partition()) == msg.partition()
        assert event_id > last.get(key, "")
        last[key] = event_id


def test_kafka_poison_is_parked(store: Store, kafka_bootstrap: str, kafka_name: str) -> None:
    """A message the producer refuses for good (larger than message.max.bytes) is parked;
    the rest flows."""
    topic = new_topic(kafka_bootstrap, kafka_name)
    add_events(store, "e", 5, 1, topic=topic)
    with store.transaction() as tx:
        add(tx, Event(id="huge", aggregate="a", topic=topic, type="t", payload=bytes(4096)))
    publisher = KafkaPublisher(kafka_bootstrap, {"message.max.bytes": 2048})
    result = run_once(Relay(store, publisher))
    publisher.close()
    assert (result.published, result.parked) == (5, 1)
    with store.transaction() as tx:
        [(error,)] = tx.execute("SELECT error FROM outbox_parked").fetchall()
    assert error.startswith("PoisonError") and "MSG_SIZE_TOO_LARGE" in error
    consume(kafka_bootstrap, topic, 5)


def start_relay(store_url: str, bootstrap: str, batch: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twinbook.outbox",
            "--store",
            store_url,
            "--bootstrap",
            bootstrap,
            "--batch",
            str(batch),
            "--poll",
            "0.005",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    readable, _, _ = select.select([proc.stdout], [], [], 3 * TIMEOUT)
    if not readable:
        proc.kill()
        proc.wait(TIMEOUT)
        pytest.fail(f"the relay did not say ready within {3 * TIMEOUT}s")
    line = proc.stdout.readline()  # "ready", or EOF when it exited
    assert line == "ready\n", f"the relay did not start: {line!r}"
    return proc


def env_int(name: str, default: int) -> int:
    """The positive integer the variable ``name`` holds, else ``default``."""
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else default


def test_relay_survives_kill9(
    store: Store,
    store_url: str,
    kafka_bootstrap: str,
    kafka_name: str,
    record_property: pytest.RecordProperty,
) -> None:
    """kill -9 the relay at random moments while events flow: nothing is lost, a kill
    duplicates at most one batch, and behind an inbox every effect is applied once.
    (make test's short run; the benchmark runs the long one: KILL_EVENTS_ENV, KILLS_ENV.)"""
    per_tx, batch = 25, 100
    events = env_int(KILL_EVENTS_ENV, 5000) // per_tx * per_tx
    kills = env_int(KILLS_ENV, 10)
    # a larger run gets more time: about 2 ms an event through the inbox, a start per kill
    limit = 120 + events * 0.002 + kills * 2
    topic = new_topic(kafka_bootstrap, kafka_name)
    migrate_inbox(store)
    with store.transaction() as tx:
        tx.execute("CREATE TABLE effects (id TEXT PRIMARY KEY, n INTEGER NOT NULL)")

    def write() -> None:
        for i in range(0, events, per_tx):
            with store.transaction() as tx:
                for j in range(i, i + per_tx):
                    add(tx, Event(id=f"e{j:05d}", aggregate=f"o{j % 50}", topic=topic, type="t"))

    writer = threading.Thread(target=write)
    writer.start()

    inbox = Inbox(store, "kill9")
    deliveries = Counter[str]()
    consumer_errors: list[BaseException] = []
    done = threading.Event()

    def effect(event_id: str):  # type: ignore[no-untyped-def]
        def apply(tx: Tx) -> None:
            tx.execute(
                "INSERT INTO effects (id, n) VALUES (?, 1)"
                " ON CONFLICT (id) DO UPDATE SET n = effects.n + 1",
                (event_id,),
            )

        return apply

    def consume_all() -> None:
        consumer = confluent_kafka.Consumer(
            client_config(kafka_bootstrap, {"group.id": topic, "auto.offset.reset": "earliest"})
        )
        try:
            consumer.subscribe([topic])
            deadline = time.monotonic() + limit
            while len(deliveries) < events and time.monotonic() < deadline:
                msg = consumer.poll(0.1)
                if msg is None or msg.error():
                    continue
                event_id = dict(msg.headers() or [])[HEADER_EVENT_ID].decode()
                deliveries[event_id] += 1
                inbox.process(event_id, effect(event_id))
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            consumer_errors.append(exc)
        finally:
            consumer.close()
            done.set()

    reader = threading.Thread(target=consume_all)
    reader.start()
    rng = random.Random()
    final = None
    try:
        for _ in range(kills):
            proc = start_relay(store_url, kafka_bootstrap, batch)
            target = deliveries.total() + rng.randint(1, events // kills)
            while deliveries.total() < target and not done.is_set():
                time.sleep(0.001)  # polling the consumer's progress
            time.sleep(rng.uniform(0, 0.005))  # a random moment: often inside a batch
            proc.send_signal(signal.SIGKILL)
            proc.wait(TIMEOUT)
            assert proc.stdout is not None
            proc.stdout.close()
        final = start_relay(store_url, kafka_bootstrap, batch)
        writer.join(limit)
        assert done.wait(limit), f"consumed {len(deliveries)} of {events}"
    finally:
        if final is not None:
            final.terminate()
            final.wait(TIMEOUT)
            assert final.stdout is not None
            final.stdout.close()
        done.wait(limit + 10)
        reader.join(10)
    assert consumer_errors == []
    duplicates = deliveries.total() - len(deliveries)
    summary = {"events": events, "kills": kills, "batch": batch}
    summary |= {"deliveries": deliveries.total(), "lost": events - len(deliveries)}
    summary |= {"duplicates": duplicates, "bound": kills * batch}
    summary |= {"inbox_applied": inbox.applied, "inbox_absorbed": inbox.duplicates}
    record_property("kill9", json.dumps(summary))  # the benchmark reads it (ch05.py)
    assert len(deliveries) == events  # nothing lost
    assert duplicates <= kills * batch
    assert (inbox.applied, inbox.duplicates) == (events, duplicates)
    with store.transaction() as tx:
        assert tx.execute("SELECT COUNT(*) FROM effects WHERE n <> 1").fetchone()[0] == 0
    assert backlog(store) == 0
    print(f"{events} events, {kills} kills: {duplicates} duplicates absorbed")


def test_kafka_broker_down(store: Store, kafka_name: str) -> None:
    """The broker is down (an embedded one of the test's own, stopped): no batch is
    acknowledged and nothing leaves the outbox; it comes back on the same address and the
    relay, still running, delivers every event."""
    with start(KafkaConfig()) as gone:
        addr, port = gone.addr, int(gone.addr.rsplit(":", 1)[1])
    topic = kafka_name
    want = add_events(store, "e", 20, 4, topic=topic)
    failures: list[Exception] = []
    publisher = KafkaPublisher(addr, {"reconnect.backoff.max.ms": 100, "log_level": 0})
    relay = Relay(
        store,
        publisher,
        RelayConfig(
            batch_size=10,
            publish_timeout=0.3,
            min_backoff=0.01,
            max_backoff=0.1,
            on_error=failures.append,
        ),
    )
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop,))
    worker.start()
    try:
        wait_for(lambda: len(failures) >= 2)
        assert all(isinstance(f, PublishError) for f in failures)
        assert backlog(store) == 20
        with start(KafkaConfig(port=port)):
            new_topic(addr, topic)
            wait_for(lambda: backlog(store) == 0)
            got = {dict(m.headers() or [])[HEADER_EVENT_ID] for m in consume(addr, topic, 20)}
    finally:
        stop.set()
        worker.join(TIMEOUT)
        publisher.close()
    assert got == {w.encode() for w in want}


def wait_for(cond: Callable[[], bool], timeout: float = 3 * TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)
