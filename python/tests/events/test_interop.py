"""Go and Python on one topic: the same key on the same partition, the same bytes.

The Go side is ``go/cmd/twinbook-events`` (package ``events`` on kgo), built once
into the cache; the Python side is :mod:`twinbook.events` on confluent-kafka. Avro
across languages is the registry's (its tests); these records are plain bytes.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from twinbook._goprograms import cached_program
from twinbook.events import Config, Message, new_producer, partition, produce_keyed

from .helpers import DEADLINE, read_all

GO = Path(__file__).resolve().parents[3] / "go"
KEYS = [f"customer-{i}" for i in range(40)] + ["", "ü", "a-much-longer-key-than-the-rest"]
PARTITIONS = 7


@pytest.fixture(scope="module")
def go_events() -> str:
    main = GO / "cmd" / "twinbook-events" / "main.go"
    package = [p for p in sorted((GO / "events").glob("*.go")) if not p.name.endswith("_test.go")]
    return cached_program("twinbook-events", [main, *package, GO / "go.mod", GO / "go.sum"])


def run_go(program: str, command: str, *args: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [program, command, "-timeout", f"{DEADLINE}s", *args],
        capture_output=True,
        text=True,
        timeout=DEADLINE + 10,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_go_producer_to_python_consumer(
    config: Config, topic: Callable[[str, int], str], go_events: str
) -> None:
    name = topic("go-to-py", PARTITIONS)
    pairs = [f"{k}={k}:{i}" for i in range(3) for k in KEYS]
    delivered = run_go(go_events, "produce", "-bootstrap", config.bootstrap, "-topic", name, *pairs)

    assert [d["key"] for d in delivered] == [p.split("=")[0] for p in pairs]
    for d in delivered:  # Go's partitioner is Python's partition()
        assert d["partition"] == partition(d["key"].encode(), PARTITIONS), d
    got = read_all(config, name, len(pairs))
    assert sorted((m.key() or b"").decode() + "=" + (m.value() or b"").decode() for m in got) == (
        sorted(pairs)
    )
    where = {(d["partition"], d["offset"]): d["key"] for d in delivered}
    assert all(where[(m.partition(), m.offset())] == (m.key() or b"").decode() for m in got)


def test_python_producer_to_go_consumer(
    config: Config, topic: Callable[[str, int], str], go_events: str
) -> None:
    name = topic("py-to-go", PARTITIONS)
    sent = [Message(k, f"{k}:{i}".encode()) for i in range(3) for k in KEYS]
    delivered = produce_keyed(new_producer(config), name, sent)
    got = run_go(
        go_events, "consume", "-bootstrap", config.bootstrap, "-topic", name, "-n", str(len(sent))
    )

    assert sorted((g["key"], g["value"]) for g in got) == sorted(
        (m.key, m.value.decode()) for m in sent
    )
    for g in got:  # per key, one partition, in order
        assert g["partition"] == partition(g["key"].encode(), PARTITIONS)
    for key in KEYS:
        assert [g["value"] for g in got if g["key"] == key] == [f"{key}:{i}" for i in range(3)]
    assert {(d.key, d.partition) for d in delivered} == {(g["key"], g["partition"]) for g in got}


def test_a_broker_that_is_not_there_fails_the_go_side_by_name(go_events: str) -> None:
    done = subprocess.run(
        [go_events, "produce", "-bootstrap", "127.0.0.1:1", "-topic", "t", "-timeout", "1s", "k=v"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert "broker unavailable" in done.stderr
