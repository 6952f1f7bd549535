"""The librdkafka settings every confluent-kafka client of the project starts from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BASE_SETTINGS: Mapping[str, Any] = {
    # librdkafka 2.x pushes client metrics to brokers that ask for them (KIP-714); kfake
    # and Kafka 4 both answer the subscription request, and librdkafka then logs a line
    # per push attempt that teaches nothing and clutters notebooks and test output.
    "enable.metrics.push": False,
}


def client_config(bootstrap: str, settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A confluent-kafka configuration for the broker at ``bootstrap``: the project's base
    settings, then ``settings`` (which win)."""
    return {"bootstrap.servers": bootstrap, **BASE_SETTINGS, **(settings or {})}
