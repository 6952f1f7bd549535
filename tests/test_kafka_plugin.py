"""Tests of tests/plugins/kafka.py: the ``kafka_bootstrap`` fixture on both brokers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import confluent_kafka
import pytest

from tests.plugins.kafka import unique_name
from tests.services.kafka import jars
from twinbook.kafka import client_config

WAIT = 30.0
"""Seconds a produce or a consume may take before it counts as a hang (a real broker's
first consumer group takes a few seconds to settle)."""


def test_the_fixture_gives_a_working_broker(kafka_bootstrap: str, kafka_name: str) -> None:
    """Produce one record and consume it back with confluent-kafka: on kfake and on Kafka."""
    producer = confluent_kafka.Producer(client_config(kafka_bootstrap))
    producer.produce(kafka_name, key=b"k", value=b"on both brokers")
    assert producer.flush(WAIT) == 0, "the record was not delivered"
    consumer = confluent_kafka.Consumer(
        client_config(kafka_bootstrap, {"group.id": kafka_name, "auto.offset.reset": "earliest"})
    )
    try:
        consumer.subscribe([kafka_name])
        deadline = time.monotonic() + WAIT
        got = None
        while got is None and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error():
                got = (msg.key(), msg.value())
        assert got == (b"k", b"on both brokers")
    finally:
        consumer.close()


def test_kafka_name_is_unique_and_a_valid_topic_name(kafka_name: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9._-]+", kafka_name)
    assert kafka_name.startswith("test_kafka_name_is_unique")
    assert unique_name("a/b[c d]") != unique_name("a/b[c d]")
    assert unique_name("a/b[c d]").startswith("a.b.c.d.")


@pytest.mark.parametrize("name", ["x" * 300])
def test_unique_name_fits_kafkas_limit(name: str) -> None:
    assert len(unique_name(name)) <= 249


# --------------------------------------------------------------------------------------
# The real broker's lifecycle: one per session for all workers, never a JVM left behind

ROOT = Path(__file__).resolve().parents[1]
CACHE = jars.cache_root().parent
"""The user's cache (Kafka's jars): read now, before pytester points HOME elsewhere."""

INNER_TESTS = """
import json, os
from pathlib import Path

def test_a(kafka_bootstrap):
    record(kafka_bootstrap, "a")

def test_b(kafka_bootstrap):
    record(kafka_bootstrap, "b")

def record(addr, name):
    # the session's keeper state says which JVM serves this address
    states = list(Path("build/kafka").glob("*/state.json"))
    assert len(states) == 1, states
    state = json.loads(states[0].read_text())
    assert state["addr"] == addr
    Path(f"seen-{name}").write_text(json.dumps(state))
    if os.environ.get("HANG_AFTER_START") == "1":
        Path("started").write_text("")
        import time
        time.sleep(600)
"""


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A session of two tests on the real broker only, in pytester's folder."""
    monkeypatch.delenv("TWINBOOK_KAFKA", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("XDG_CACHE_HOME", str(CACHE))
    pytester.makepyfile(test_inner=INNER_TESTS)
    pytester.makeini("[pytest]\naddopts = -p tests.plugins.kafka -p no:cacheprovider\n")
    return pytester


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_one_real_broker_per_session_for_all_workers_and_no_jvm_left(inner) -> None:
    result = inner.runpytest_subprocess("-n", "2", "-k", "kafka", "-p", "xdist", timeout=300)
    result.assert_outcomes(passed=2)
    a = json.loads((inner.path / "seen-a").read_text())
    b = json.loads((inner.path / "seen-b").read_text())
    assert a["pid"] == b["pid"], "two workers, two brokers: want one per session"
    assert not alive(a["pid"]), "the session ended and left its JVM running"
    assert not alive(a["keeper"])
    assert not Path(a["workdir"]).exists(), "the broker's temporary folder is left"
    assert not any((inner.path / "build" / "kafka").iterdir())


def test_a_killed_session_leaves_no_jvm(inner) -> None:
    """SIGKILL to the session's pytest: no cleanup runs in it, the keeper stops Kafka."""
    env = {**os.environ, "HANG_AFTER_START": "1"}
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-n", "0", "-k", "kafka and test_a", "-q"],
        cwd=inner.path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while not (inner.path / "started").exists():
            assert session.poll() is None, "the inner session ended before its broker started"
            assert time.monotonic() < deadline, "the real broker did not start in 240s"
            time.sleep(0.2)
        state = json.loads((inner.path / "seen-a").read_text())
        assert alive(state["pid"])
    finally:
        session.kill()
        session.wait()
    deadline = time.monotonic() + 60
    while alive(state["pid"]) or alive(state["keeper"]):
        assert time.monotonic() < deadline, "the JVM outlived its killed session by 60s"
        time.sleep(0.1)
    assert not Path(state["workdir"]).exists()
