"""Fixtures of the events tests: the broker's config and names no other test uses.

``kafka_bootstrap`` comes from the Kafka plugin (``tests/plugins/kafka.py``): every
test here runs on the embedded kfake and again on real Apache Kafka. Each test makes
its own topics and groups (:func:`fresh`), so tests never see each other's records on
a shared broker.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest

from twinbook.events import Config, create_topic


@pytest.fixture
def config(kafka_bootstrap: str) -> Config:
    return Config(kafka_bootstrap, timeout=10.0)


@pytest.fixture
def fresh(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """``fresh(what)``: a topic or group name unique to this test and this run."""
    base = re.sub(r"[^a-z0-9._-]+", "-", request.node.name.lower())[:60]
    return lambda what: f"{base}-{what}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def topic(config: Config, fresh: Callable[[str], str]) -> Callable[[str, int], str]:
    """``topic(what, partitions)``: a new topic of this test."""

    def make(what: str, partitions: int) -> str:
        name = fresh(what)
        create_topic(config, name, partitions)
        return name

    return make
