"""Fixtures of the tracing tests: a store (both stores) with the outbox, the inbox and
the tables ``orders`` and ``payments``; a tracer provider exporting to memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from twinbook.inbox import migrate as migrate_inbox
from twinbook.outbox import migrate
from twinbook.store import Store, connect


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with connect(store_url) as s:
        migrate(s)
        migrate_inbox(s)
        with s.transaction() as tx:
            tx.execute("CREATE TABLE orders (id TEXT PRIMARY KEY)")
            tx.execute("CREATE TABLE payments (order_id TEXT PRIMARY KEY)")
        yield s


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    """Each span exported synchronously, as it ends."""
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    yield tp
    tp.shutdown()
