"""Tests of tests/plugins/kafka.py: the ``kafka_bootstrap`` fixture on both brokers."""

from __future__ import annotations

import json
import os
import re
import signal
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

INNER_TEST = """
import json, os, time
from pathlib import Path

def test_{name}(kafka_bootstrap):
    # the session's keeper state says which JVM serves this address
    states = list(Path("build/kafka").glob("*/state.json"))
    assert len(states) == 1, states
    state = json.loads(states[0].read_text())
    assert state["addr"] == kafka_bootstrap
    state["worker"] = os.environ["PYTEST_XDIST_WORKER"]
    Path("seen-{name}").write_text(json.dumps(state))
    if "{name}" == "b":  # hold the session open until the other worker has been served
        deadline = time.monotonic() + 240
        while not Path("seen-a").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        Path("started").write_text("")
        time.sleep(600)  # until the outer test kills the session
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_one_real_broker_for_all_workers_and_no_jvm_left_when_killed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers, one real broker; then SIGKILL to the whole session (controller and
    workers: no cleanup runs in them): the keeper sees its owner gone and stops the JVM.
    (A session that ends normally checks the same itself: the plugin's sessionfinish.)"""
    monkeypatch.delenv("TWINBOOK_KAFKA", raising=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(CACHE)}
    for name in ("a", "b"):
        pytester.makepyfile(**{f"test_inner_{name}": INNER_TEST.replace("{name}", name)})
    pytester.makeini("[pytest]\naddopts = -p tests.plugins.kafka -p no:cacheprovider\n")
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-k", "kafka"],
        cwd=pytester.path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: one killpg ends it and its workers
    )
    try:
        deadline = time.monotonic() + 300
        while not (pytester.path / "started").exists():
            assert session.poll() is None, "the inner session ended before both tests ran"
            assert time.monotonic() < deadline, "the inner session did not get going in 300s"
            time.sleep(0.2)
    finally:
        os.killpg(session.pid, signal.SIGKILL)
        session.wait()
    a = json.loads((pytester.path / "seen-a").read_text())
    b = json.loads((pytester.path / "seen-b").read_text())
    assert a["worker"] != b["worker"], "loadfile put both files on one worker"
    assert a["pid"] == b["pid"], "two workers, two brokers: want one per session"
    deadline = time.monotonic() + 60
    while alive(a["pid"]) or alive(a["keeper"]):
        assert time.monotonic() < deadline, "the JVM outlived its killed session by 60s"
        time.sleep(0.1)
    assert not Path(a["workdir"]).exists(), "the broker's temporary folder is left"
