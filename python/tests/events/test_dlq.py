"""A poison record goes to ``<topic>.dlq`` with its error and origin; the rest go on."""

from __future__ import annotations

import threading
from collections.abc import Callable

from confluent_kafka import Message as KafkaMessage

from twinbook.events import (
    HEADER_ERROR,
    HEADER_OFFSET,
    HEADER_PARTITION,
    HEADER_TOPIC,
    Config,
    GroupConfig,
    consume_with_dlq,
    create_topic,
    dlq_topic,
    join,
    new_producer,
)

from .helpers import DEADLINE, committed_offset, produce, read_until, wait_for


def test_poison_goes_to_the_dead_letter_topic(
    config: Config, topic: Callable[[str, int], str], fresh: Callable[[str], str]
) -> None:
    name = topic("in", 1)
    create_topic(config, dlq_topic(name), 1)
    produce(config, name, "1", "2", "x", "4")
    group = fresh("group")
    member = join(GroupConfig(config, group, [name], "m"))
    stop = threading.Event()
    good: list[int] = []

    def handle(msg: KafkaMessage) -> None:
        if msg.offset() == 3:
            stop.set()
        good.append(int(msg.value() or b""))

    try:
        consume_with_dlq(member, new_producer(config), handle, stop, DEADLINE)
    finally:
        member.close()
    assert good == [1, 2, 4]

    [dead] = read_until(config, dlq_topic(name), "x")
    headers = {k: v for k, v in dead.headers() or []}
    assert b"invalid literal for int()" in headers[HEADER_ERROR]
    assert headers[HEADER_ERROR].startswith(b"ValueError: ")
    assert headers[HEADER_TOPIC] == name.encode()
    assert (headers[HEADER_PARTITION], headers[HEADER_OFFSET]) == (b"0", b"2")
    assert dead.key() == b"k"

    wait_for(
        "the poison record's offset committed too",
        lambda: committed_offset(config, group, name) == 4,
    )
