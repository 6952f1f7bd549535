"""One trace per order across HTTP -> outbox row -> relay -> Kafka -> consumer + inbox
(kfake and real Kafka, SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import confluent_kafka
import httpx
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from timeouts import TIMEOUT

from twinbook import tracing
from twinbook.events import Config, create_topic
from twinbook.inbox import Inbox
from twinbook.kafka import client_config
from twinbook.outbox import Event, KafkaPublisher, Relay, add
from twinbook.store import Store, Tx

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def order_app(store: Store, topic: str) -> Any:
    """Saves the order named by the path's last part with its "order.placed" event,
    carrying the request's trace, in one transaction."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        order = scope["path"].rsplit("/", 1)[-1]
        with store.transaction() as tx:
            tx.execute("INSERT INTO orders (id) VALUES (?)", (order,))
            add(
                tx,
                Event(
                    id=f"ev-{order}",
                    aggregate=order,
                    topic=topic,
                    type="order.placed",
                    payload=order.encode(),
                    headers=tracing.headers(),
                ),
            )
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


def post_orders(app: Any, orders: list[str]) -> None:
    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for i, order in enumerate(orders):
                # The first caller traces: its trace goes on.
                hdrs = {"traceparent": f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"} if i == 0 else {}
                r = await client.post(f"/orders/{order}", headers=hdrs)
                assert r.status_code == 201, r.text

    asyncio.run(main())


def drain(relay: Relay, n: int) -> None:
    """Run the relay until it published ``n`` events. On PostgreSQL a committed row
    stays out of its reach while an older transaction of the shared cluster is open."""
    published, deadline = 0, time.monotonic() + 3 * TIMEOUT
    while published < n:
        assert time.monotonic() < deadline, f"relay published {published} of {n}"
        result = relay.run_once()
        published += result.published
        if result.published == 0:
            time.sleep(0.005)
    assert published == n


def consume(bootstrap: str, topic: str, n: int) -> list[confluent_kafka.Message]:
    consumer = confluent_kafka.Consumer(
        client_config(bootstrap, {"group.id": topic, "auto.offset.reset": "earliest"})
    )
    out: list[confluent_kafka.Message] = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + 3 * TIMEOUT
        while len(out) < n:
            assert time.monotonic() < deadline, f"consumed {len(out)} of {n}"
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                out.append(msg)
    finally:
        consumer.close()
    return out


def hexid(n: int, width: int) -> str:
    return f"{n:0{width}x}"


def test_one_trace_per_order(
    store: Store,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
    kafka_bootstrap: str,
    kafka_name: str,
) -> None:
    """Every order's request, producer and consumer spans share a trace id and chain
    parent to child, with the messaging conventions' kinds and attributes; a
    redelivered message gets a consumer span of its own in the same trace, marked as a
    duplicate; a caller's own traceparent is continued."""
    topic = kafka_name
    create_topic(Config(kafka_bootstrap, timeout=10.0), topic, 3)
    orders = ["o1", "o2", "o3", "o4"]
    post_orders(tracing.Middleware(order_app(store, topic), "/orders/{id}", provider), orders)

    publisher = KafkaPublisher(kafka_bootstrap)
    drain(Relay(store, tracing.Publisher(publisher, provider)), len(orders))

    inbox = Inbox(store, "payments")
    consumer = tracing.Consumer("payments", provider)
    records = consume(kafka_bootstrap, topic, len(orders))
    first = next(r for r in records if r.key() == b"o1")
    for i, record in enumerate([*records, first]):  # o1's twice: a redelivery
        order = (record.key() or b"").decode()

        def pay(tx: Tx, order: str = order) -> None:
            assert trace.get_current_span().get_span_context().is_valid
            tx.execute("INSERT INTO payments (order_id) VALUES (?)", (order,))

        assert consumer.process(inbox, record, pay) == (i < len(records))
    assert (inbox.applied, inbox.duplicates) == (len(orders), 1)

    spans = list(exporter.get_finished_spans())
    traces: dict[int, list[ReadableSpan]] = {}
    for s in spans:
        traces.setdefault(s.context.trace_id, []).append(s)  # type: ignore[union-attr]
    assert len(traces) == len(orders)
    for order in orders:
        server = [
            s
            for s in spans
            if s.kind is SpanKind.SERVER and s.attributes["url.path"].endswith(order)  # type: ignore[index,union-attr]
        ]
        producer = [
            s
            for s in spans
            if s.kind is SpanKind.PRODUCER and s.attributes["messaging.kafka.message.key"] == order  # type: ignore[index]
        ]
        consumers = [
            s
            for s in spans
            if s.kind is SpanKind.CONSUMER and s.attributes["messaging.kafka.message.key"] == order  # type: ignore[index]
        ]
        assert len(server) == 1 and len(producer) == 1, (order, server, producer)
        srv, prod = server[0], producer[0]
        tid = srv.context.trace_id  # type: ignore[union-attr]
        assert len(consumers) == (2 if order == "o1" else 1)
        assert len(traces[tid]) == 2 + len(consumers)
        if order == "o1":
            assert hexid(tid, 32) == CALLER_TRACE
        assert srv.name == "POST /orders/{id}"
        assert srv.attributes is not None and srv.attributes["http.response.status_code"] == 201
        assert prod.parent is not None and prod.parent.span_id == srv.context.span_id  # type: ignore[union-attr]
        assert prod.name == f"send {topic}"
        assert dict(prod.attributes or {}) | {
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.operation.name": "send",
            "messaging.operation.type": "send",
            "messaging.message.id": f"ev-{order}",
        } == dict(prod.attributes or {})
        for i, c in enumerate(consumers):
            assert c.context.trace_id == tid  # type: ignore[union-attr]
            assert c.parent is not None and c.parent.is_remote
            assert c.parent.span_id == prod.context.span_id  # type: ignore[union-attr]
            assert [link.context.span_id for link in c.links] == [prod.context.span_id]  # type: ignore[union-attr]
            assert c.name == f"process {topic}"
            attrs = dict(c.attributes or {})
            assert (
                attrs
                | {
                    "messaging.system": "kafka",
                    "messaging.destination.name": topic,
                    "messaging.operation.type": "process",
                    "messaging.consumer.group.name": "payments",
                    "messaging.message.id": f"ev-{order}",
                    tracing.ATTR_DUPLICATE: i > 0,
                }
                == attrs
            )
    rows = tracing.timeline(spans)
    assert len(rows) == len(spans)
    assert rows[0].kind == "server" and rows[-1].kind == "consumer"
