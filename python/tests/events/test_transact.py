"""Consume-transform-produce in each mode, an aborted step, and a zombie fenced off."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
from confluent_kafka import Message as KafkaMessage

from twinbook.events import (
    AbortedError,
    Config,
    FencedError,
    Message,
    Mode,
    Pipeline,
    PipelineConfig,
    Transform,
    end_transaction,
    new_transactional_producer,
    produce_keyed,
)

from .helpers import DEADLINE, committed_offset, produce, read_until, values, wait_for


class Poison(Exception):
    """The transform's one failure."""


def upper(fail_once: list[bool]) -> Transform:
    """The pipelines' transform; it fails once on "3" while ``fail_once[0]``."""

    def transform(msg: KafkaMessage) -> list[Message]:
        value = (msg.value() or b"").decode()
        if value == "3" and fail_once[0]:
            fail_once[0] = False
            raise Poison(value)
        return [Message((msg.key() or b"").decode(), f"V{value}".encode())]

    return transform


@pytest.mark.parametrize("mode", list(Mode), ids=str)
def test_pipeline_modes(
    config: Config,
    topic: Callable[[str, int], str],
    fresh: Callable[[str], str],
    mode: Mode,
) -> None:
    source, sink = topic("in", 1), topic("out", 1)
    produce(config, source, *(str(i) for i in range(8)))
    group = fresh("group")
    pipeline = Pipeline(PipelineConfig(config, group, source, sink, fresh("txn"), mode))
    fail_once = [mode is not Mode.PLAIN]
    aborted = done = 0
    deadline = time.monotonic() + DEADLINE
    try:
        while done < 8:
            assert time.monotonic() < deadline, f"{done} of 8 done in {DEADLINE} s"
            try:
                done += pipeline.step(upper(fail_once), timeout=0.2)
            except AbortedError as err:
                assert isinstance(err.__cause__, Poison)
                aborted += 1
    finally:
        pipeline.close()
    assert aborted == (0 if mode is Mode.PLAIN else 1)

    produce(config, sink, "end")
    got = values(read_until(config, sink, "end", committed=True))
    assert got == [f"V{i}" for i in range(8)] + ["end"]
    # Real Kafka makes offsets committed in a transaction visible a little later.
    wait_for("the group's offset 8", lambda: committed_offset(config, group, source) == 8)


def test_a_zombie_is_fenced(config: Config, topic: Callable[[str, int], str]) -> None:
    name = topic("out", 1)
    txn = f"zombie-{uuid.uuid4().hex}"
    zombie = new_transactional_producer(config, txn)
    zombie.begin_transaction()
    produce_keyed(zombie, name, [Message("k", b"zombie")])

    fresh = new_transactional_producer(config, txn)  # fences the zombie off
    fresh.begin_transaction()
    produce_keyed(fresh, name, [Message("k", b"fresh")])
    end_transaction(fresh, commit=True)

    with pytest.raises(FencedError):
        end_transaction(zombie, commit=True)
    assert values(read_until(config, name, "fresh", committed=True)) == ["fresh"]
    assert "zombie" in values(read_until(config, name, "fresh"))
