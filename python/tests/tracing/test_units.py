"""The pieces of twinbook.tracing one at a time: headers, publisher, consumer, HTTP
middleware, metrics and timeline."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from twinbook import tracing
from twinbook.inbox import Inbox, InboxError
from twinbook.outbox import HEADER_EVENT_ID, Event, MemoryPublisher, add
from twinbook.store import Store, Tx

TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@dataclass
class FakeRecord:
    """A Kafka message as the consumer reads one (confluent-kafka's Message's methods)."""

    hdrs: list[tuple[str, bytes | str | None]]
    topic_: str = "t"

    def topic(self) -> str | None:
        return self.topic_

    def partition(self) -> int | None:
        return 0

    def offset(self) -> int | None:
        return 7

    def key(self) -> bytes | None:
        return b"k"

    def value(self) -> bytes | None:
        return b"v"

    def headers(self) -> list[tuple[str, bytes | str | None]] | None:
        return self.hdrs


def test_headers(provider: TracerProvider) -> None:
    """No span: no header; a span: a traceparent the outbox accepts."""
    assert tracing.headers() == {}
    with provider.get_tracer("t").start_as_current_span("s") as span:
        ctx = span.get_span_context()
        h = tracing.headers()
    assert h == {
        "traceparent": f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"
    }
    Event(aggregate="a", topic="t", type="x", headers=h).validate()


def test_publisher(provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    """Each event goes out with its producer span's traceparent (a child of the row's,
    or a new trace's root), the relay's own events are unchanged, and a failed publish
    marks its span."""
    refused = ConnectionError("refused")
    mem = MemoryPublisher(fail=lambda ev: refused if ev.id == "bad" else None)
    events = [
        Event(
            id="traced",
            aggregate="a",
            topic="t",
            type="x",
            headers={"traceparent": TP, "o": "kept"},
        ),
        Event(id="untraced", aggregate="b", topic="t", type="x"),
        Event(id="bad", aggregate="c", topic="t", type="x", headers={"traceparent": TP}),
    ]
    assert tracing.Publisher(mem, provider).publish(events, 1.0) == [None, None, refused]
    assert events[0].headers == {"traceparent": TP, "o": "kept"} and events[1].headers == {}
    spans = exporter.get_finished_spans()
    assert [s.kind for s in spans] == [SpanKind.PRODUCER] * 3
    traced, untraced, bad = spans
    for s in (traced, bad):
        assert s.parent is not None and f"{s.parent.span_id:016x}" == "00f067aa0ba902b7"
        assert f"{s.context.trace_id:032x}" == TP[3:35]  # type: ignore[union-attr]
    assert untraced.parent is None
    assert [s.status.status_code for s in spans] == [
        StatusCode.UNSET,
        StatusCode.UNSET,
        StatusCode.ERROR,
    ]
    sent = mem.published
    for s, ev in zip((traced, untraced), sent, strict=True):
        ctx = s.get_span_context()
        assert ctx is not None
        assert (
            ev.headers["traceparent"]
            == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"
        )
    assert sent[0].headers["o"] == "kept"


def test_publisher_raises(provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    """A publisher that raises instead of answering: the spans end, marked, and the
    exception goes on to the relay."""

    class Broken:
        def publish(self, events: Any, timeout: float) -> list[Exception | None]:
            raise RuntimeError("broken")

    with pytest.raises(RuntimeError):
        tracing.Publisher(Broken(), provider).publish(
            [Event(aggregate="a", topic="t", type="x")], 1.0
        )
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR


@pytest.mark.parametrize(
    "traceparent",
    [None, b"garbage", b"00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
)
def test_consumer_bad_traceparent(
    store: Store,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
    traceparent: bytes | None,
) -> None:
    """A record whose traceparent is missing or not W3C's is still processed, in a trace
    of its own, never failed for it."""
    hdrs: list[tuple[str, bytes | str | None]] = [(HEADER_EVENT_ID, b"m1")]
    if traceparent is not None:
        hdrs.append(("traceparent", traceparent))
    assert tracing.Consumer("c", provider).process(
        Inbox(store, "c"), FakeRecord(hdrs), lambda tx: None
    )
    (span,) = exporter.get_finished_spans()
    assert span.parent is None and not span.links and span.kind is SpanKind.CONSUMER
    assert span.attributes is not None and span.attributes["messaging.kafka.offset"] == 7


def test_consumer_errors(
    store: Store, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """No event id: the inbox refuses the record; an effect that fails rolls back; both
    spans are marked, and the exceptions go on."""
    consumer, inbox = tracing.Consumer("c", provider), Inbox(store, "c")
    with pytest.raises(InboxError):
        consumer.process(inbox, FakeRecord([]), lambda tx: None)

    def boom(tx: Tx) -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        consumer.process(inbox, FakeRecord([(HEADER_EVENT_ID, "m2")]), boom)
    assert [s.status.status_code for s in exporter.get_finished_spans()] == [StatusCode.ERROR] * 2
    assert inbox.applied == 0


def asgi(status: int) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send(
            {
                "type": "http.response.body",
                "body": tracing.headers().get("traceparent", "").encode(),
            }
        )

    return app


@pytest.mark.parametrize(("status", "error"), [(200, False), (409, False), (500, True)])
def test_middleware_status(
    provider: TracerProvider, exporter: InMemorySpanExporter, status: int, error: bool
) -> None:
    """A 5xx marks the server span as an error; a 4xx does not."""

    async def main() -> None:
        transport = httpx.ASGITransport(app=tracing.Middleware(asgi(status), "/x", provider))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/x")).status_code == status

    asyncio.run(main())
    (span,) = exporter.get_finished_spans()
    assert span.kind is SpanKind.SERVER and span.name == "GET /x"
    assert (span.status.status_code is StatusCode.ERROR) == error


def test_middleware_concurrent(provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    """Many requests at once, from many threads: each its own trace, seen by its app."""
    app = tracing.Middleware(asgi(200), "/x", provider)
    seen: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        async def main() -> None:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                rs = await asyncio.gather(*(c.get("/x") for _ in range(10)))
            with lock:
                seen.extend(r.text for r in rs)

        asyncio.run(main())

    threads = [threading.Thread(target=client) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(set(seen)) == 50 and all(seen)
    assert len(exporter.get_finished_spans()) == 50


def collect(reader: InMemoryMetricReader) -> dict[str, float]:
    data = reader.get_metrics_data()
    assert data is not None
    return {
        m.name: m.data.data_points[0].value  # type: ignore[union-attr]
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
    }


def test_metrics(store: Store) -> None:
    """The metrics read the outbox and the inbox at each collection."""
    reader = InMemoryMetricReader()
    mp = MeterProvider(metric_readers=[reader])
    meter = mp.get_meter(tracing.SCOPE_NAME)
    created = 1_700_000_000_000
    tracing.observe_outbox(meter, store, lambda: created + 90_000)
    inbox = Inbox(store, "payments")
    tracing.observe_inbox(meter, inbox)
    zero = dict.fromkeys(
        ["outbox.backlog", "outbox.lag", "outbox.parked", "inbox.applied", "inbox.duplicates"], 0
    )
    assert collect(reader) == zero
    with store.transaction() as tx:
        for i in range(3):
            add(tx, Event(id=f"e{i}", aggregate="a", topic="t", type="x", created_ms=created))
    for m in ["m1", "m2", "m1", "m1"]:
        inbox.process(m, lambda tx: None)
    assert collect(reader) == zero | {
        "outbox.backlog": 3,
        "outbox.lag": 90.0,
        "inbox.applied": 2,
        "inbox.duplicates": 2,
    }
    mp.shutdown()


def test_timeline(provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    """Rows by start time, and a CSV in the Go twin's format."""
    tr = provider.get_tracer("t")
    t0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
    s = 1_000_000_000
    root = tr.start_span("root", start_time=t0, kind=SpanKind.SERVER)
    ctx = trace.set_span_in_context(root)
    tr.start_span("late", context=ctx, start_time=t0 + 2 * s).end(end_time=t0 + 3 * s)
    tr.start_span("early", context=ctx, start_time=t0 + s, kind=SpanKind.PRODUCER).end(
        end_time=t0 + 4 * s + 500
    )
    root.end(end_time=t0 + 5 * s)
    rows = tracing.timeline(exporter.get_finished_spans())
    assert [r.name for r in rows] == ["root", "early", "late"]
    assert rows[0].parent_id == "" and rows[1].parent_id == rows[0].span_id
    assert rows[1].kind == "producer" and rows[2].end_ns == t0 + 3 * s
    out = io.StringIO()
    tracing.write_csv(rows, out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == ["start", "end", "name", "kind", "trace_id", "span_id", "parent_id"]
    assert lines[2][:4] == [
        "2026-01-01T00:00:01Z",
        "2026-01-01T00:00:04.0000005Z",
        "early",
        "producer",
    ]
