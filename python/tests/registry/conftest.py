"""Registry processes for the tests that need Kafka: one per implementation and module,
on the broker fixture ``kafka_bootstrap`` (kfake, and real Kafka under make test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from twinbook.registry import RegistryProcess, start

IMPLEMENTATIONS = ("python", "go")


def unique(prefix: str) -> str:
    """A topic or subject name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module", params=IMPLEMENTATIONS)
def registry(request: pytest.FixtureRequest, kafka_bootstrap: str) -> Iterator[RegistryProcess]:
    """A registry process of each implementation, on a topic of its own."""
    running = start(kafka_bootstrap, topic=unique("_schemas"), implementation=request.param)
    try:
        yield running
    finally:
        running.stop()
