"""Keys to partitions, per-key order, and a broker that is not there."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from twinbook.events import (
    BrokerUnavailableError,
    Config,
    GroupConfig,
    Message,
    create_topic,
    join,
    new_producer,
    partition,
    produce_keyed,
)

from .helpers import read_all, values

KEYS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]


def test_keys_land_on_their_partition_in_order(
    config: Config, topic: Callable[[str, int], str]
) -> None:
    name = topic("keys", 6)
    producer = new_producer(config)
    sent = [Message(k, f"{k}:{i}".encode()) for i in range(40) for k in KEYS]
    delivered = produce_keyed(producer, name, [*sent, Message("alice", b"end")])

    assert [d.key for d in delivered] == [m.key for m in sent] + ["alice"]
    for d in delivered:
        assert d.partition == partition(d.key.encode(), 6), d
    assert len({d.partition for d in delivered}) >= 3

    got = values(read_all(config, name, len(sent) + 1))
    assert len(got) == len(sent) + 1
    for key in KEYS:  # per key, in the order produced
        assert [v for v in got if v.startswith(f"{key}:")] == [f"{key}:{i}" for i in range(40)]


def test_no_broker_is_a_named_error() -> None:
    nowhere = Config("127.0.0.1:1", timeout=0.5)
    with pytest.raises(BrokerUnavailableError):
        new_producer(nowhere)
    with pytest.raises(BrokerUnavailableError):
        join(GroupConfig(nowhere, "g", ["t"]))
    with pytest.raises(BrokerUnavailableError):
        create_topic(nowhere, "t", 1)
