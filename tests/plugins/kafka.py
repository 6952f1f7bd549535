"""pytest plugin: a Kafka broker for every test that asks for one, on both brokers.

The fixture ``kafka_bootstrap`` (a bootstrap server, ``host:port``) is parametrized
over the two brokers the chapter runs on, so a test that uses it runs twice::

    test_produce[kfake]   the embedded broker (franz-go's kfake, go/cmd/twinbook-kafka)
    test_produce[kafka]   a real Apache Kafka

``kfake`` is one embedded broker per test session and xdist worker (it starts in tens
of milliseconds; tests use names of their own, see ``kafka_name``). ``kafka`` is the
broker ``TWINBOOK_KAFKA`` names when it is set, else one started for this session.

``kafka_name`` is a topic (or group, or transactional id) name of the test's own: the
same broker serves every test of a session, and a real one outlives sessions.

Enable with ``-p tests.plugins.kafka`` (pytest.ini does).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest

from twinbook.kafka import Config, from_env, start

BROKERS = ("kfake", "kafka")
"""The params of ``kafka_bootstrap``, in the order tests run on them."""


@pytest.fixture(scope="session")
def kfake_bootstrap() -> Iterator[str]:
    """The embedded broker of this worker's session."""
    with start(Config()) as broker:
        yield broker.addr


@pytest.fixture(scope="session")
def real_kafka_bootstrap() -> str:
    """A real Apache Kafka: the one TWINBOOK_KAFKA names."""
    named = from_env()
    if named is None:
        pytest.fail("no real Kafka for this session: set TWINBOOK_KAFKA")
    return named


def _brokers() -> list[str]:
    # Until the session can start a real broker itself, "kafka" runs only when one is named.
    return [b for b in BROKERS if b == "kfake" or from_env() is not None]


@pytest.fixture(scope="session", params=_brokers())
def kafka_bootstrap(request: pytest.FixtureRequest) -> str:
    """A bootstrap server: the test runs once per broker (``[kfake]``, ``[kafka]``)."""
    if request.param == "kfake":
        return str(request.getfixturevalue("kfake_bootstrap"))
    return str(request.getfixturevalue("real_kafka_bootstrap"))


def unique_name(test_name: str) -> str:
    """``test_name`` with what Kafka refuses in a topic name replaced by ``.``, and a
    random suffix (as Go's ``kafkatest.Name``)."""
    return f"{re.sub(r'[^A-Za-z0-9_-]', '.', test_name)[:200]}.{secrets.token_hex(5)}"


@pytest.fixture
def kafka_name(request: pytest.FixtureRequest) -> str:
    """A topic, group or transactional id name that no other test or run uses."""
    return unique_name(request.node.name)
