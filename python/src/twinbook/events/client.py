"""What every client of the package needs: :class:`Config`, and a broker that answers.

The Go twin is ``go/events/client.go``. librdkafka connects lazily and retries
for ever, so a wrong address would otherwise show up as a record that never
leaves its buffer; asking for the cluster's metadata once, with a deadline,
turns it into :class:`BrokerUnavailableError` at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

__all__ = ["DEFAULT_TIMEOUT", "BrokerUnavailableError", "Config", "create_topic"]

#: Bounds every network wait when a :class:`Config` does not say (seconds).
DEFAULT_TIMEOUT = 10.0


class BrokerUnavailableError(ConnectionError):
    """No broker answered within the config's timeout."""


@dataclass(frozen=True)
class Config:
    """One broker's ``host:port`` (the client learns the rest) and the longest wait."""

    bootstrap: str
    timeout: float = DEFAULT_TIMEOUT

    def librdkafka(self, settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """librdkafka's settings: ours, then ``settings`` over them."""
        ms = max(int(self.timeout * 1000), 1000)  # librdkafka's floor: a second
        base: dict[str, Any] = {
            "bootstrap.servers": self.bootstrap,
            # librdkafka 2.16 pushes client metrics by default and logs when it cannot.
            "enable.metrics.push": False,
            "socket.connection.setup.timeout.ms": ms,
            "socket.timeout.ms": ms,
        }
        return base | dict(settings or {})


class _HasMetadata(Protocol):
    def list_topics(self, topic: str | None = None, timeout: float = -1) -> Any: ...


# docs:start events-connect
def ping(client: _HasMetadata, config: Config) -> None:
    """Ask for the cluster's metadata once, so that a broker that is not there is
    :class:`BrokerUnavailableError` now, within the timeout, and not a record that
    waits for ever in a buffer later."""
    try:
        client.list_topics(timeout=config.timeout)
    except KafkaException as err:
        raise BrokerUnavailableError(f"{config.bootstrap}: {err}") from err


# docs:end events-connect


def create_topic(config: Config, topic: str, partitions: int) -> None:
    """Create ``topic`` with ``partitions`` partitions and one replica (the
    chapter's brokers have one node); a topic that exists already is no error."""
    # Errors only: on destruction librdkafka notes, now and then, the background
    # events nobody served ("Purging 1 unserved events"), on stderr, where a notebook
    # that created a topic would show it.
    admin = AdminClient(config.librdkafka({"log_level": 3}))
    ping(admin, config)
    future = admin.create_topics(
        [NewTopic(topic, num_partitions=partitions, replication_factor=1)],
        operation_timeout=config.timeout,
        request_timeout=config.timeout,
    )[topic]
    try:
        future.result(timeout=config.timeout)
    except KafkaException as err:
        if err.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            raise
