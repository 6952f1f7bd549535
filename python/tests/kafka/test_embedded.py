"""twinbook.kafka's embedded broker: the Go program as a child process, started and stopped."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import confluent_kafka
import pytest
from timeouts import TIMEOUT

from twinbook import _goprograms
from twinbook.kafka import Config, StartError, client_config, start
from twinbook.kafka import embedded as embedded_module

from .conftest import gone, round_trip, wait_gone


def test_start_serves_produce_and_consume() -> None:
    with start() as broker:
        assert broker.addr.startswith("127.0.0.1:")
        assert round_trip(broker.addr) == b"hello"


def partitions_of_named_topic(bootstrap: str, topic: str) -> int | None:
    """Partitions of ``topic`` after a producer names it (None: the broker did not create it)."""
    producer = confluent_kafka.Producer(client_config(bootstrap))
    meta = producer.list_topics(topic, timeout=TIMEOUT)
    found = meta.topics[topic]
    if found.error is not None:
        assert found.error.code() == confluent_kafka.KafkaError.UNKNOWN_TOPIC_OR_PART
        return None
    return len(found.partitions)


@pytest.mark.parametrize(
    ("config", "want"),
    [(Config(), 3), (Config(partitions=5), 5), (Config(auto_create=False), None)],
    ids=["defaults", "partitions", "no-auto-create"],
)
def test_config(config: Config, want: int | None) -> None:
    with start(config) as broker:
        assert partitions_of_named_topic(broker.addr, "named") == want


def test_close_stops_the_program_and_is_idempotent() -> None:
    broker = start()
    broker.close()
    assert gone(broker.pid)
    broker.close()


def test_no_orphan_when_the_with_body_raises() -> None:
    with pytest.raises(RuntimeError, match="boom"), start() as broker:
        pid = broker.pid
        raise RuntimeError("boom")
    assert gone(pid)


def test_the_program_dies_with_its_parent(tmp_path: Path, kill_on_exit) -> None:
    """A parent killed with SIGKILL runs no cleanup; the broker still exits (stdin's EOF)."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
                import sys, time
                from twinbook.kafka import start
                broker = start()
                print(broker.pid, flush=True)
                time.sleep(600)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    kill_on_exit(parent.pid)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    kill_on_exit(child)
    assert not gone(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait(TIMEOUT)
    parent.stdout.close()
    assert wait_gone(child), "the broker outlived its parent"


def script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-twinbook-kafka"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("echo 'twinbook-kafka: listen: address in use' >&2; exit 1", "exited with code 1"),
        ("echo hello; exec sleep 600", "first line was 'hello'"),
        ("exec sleep 600", "printed no address within 0.5s"),
    ],
    ids=["exits", "wrong-line", "silent"],
)
def test_a_program_that_does_not_start_is_a_named_error(
    tmp_path: Path, body: str, why: str
) -> None:
    program = script(tmp_path, body)
    started = time.monotonic()
    with pytest.raises(StartError, match=why) as caught:
        start(Config(program=program, start_timeout=0.5))
    assert time.monotonic() - started < TIMEOUT
    if "exit 1" in body:
        assert "address in use" in str(caught.value)  # its stderr is part of the message
    # nothing left running: no process of the fake program remains
    left = subprocess.run(["pgrep", "-f", program], capture_output=True, text=True).stdout
    assert left == ""


def test_a_program_that_cannot_run_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(StartError, match="could not be run"):
        start(Config(program=str(tmp_path / "missing")))


def test_go_missing_is_a_named_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_go() -> str:
        raise FileNotFoundError("the go command was not found on PATH")

    monkeypatch.setattr(_goprograms, "go_binary", no_go)
    embedded_module.program.cache_clear()
    try:
        with pytest.raises(StartError, match="needs Go .*TWINBOOK_KAFKA"):
            start()
    finally:
        embedded_module.program.cache_clear()


def test_a_broken_build_is_a_named_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(name: str, sources: list[Path]) -> str:
        raise subprocess.CalledProcessError(1, ["go", "build"], stderr=b"main.go:1: syntax error")

    monkeypatch.setattr(_goprograms, "cached_program", failing)
    embedded_module.program.cache_clear()
    try:
        with pytest.raises(StartError, match="go build ./cmd/twinbook-kafka failed:\nmain.go:1"):
            start()
    finally:
        embedded_module.program.cache_clear()


def test_program_is_built_into_the_cache() -> None:
    binary = Path(embedded_module.program())
    assert binary.name.startswith("twinbook-kafka-")
    assert os.access(binary, os.X_OK)
