"""The swarm's faults with real processes, both ways (``PAIRS``): a worker killed with
kill -9, a worker that hangs (SIGSTOP), a coordinator that is gone, a worker id taken twice.

As in test_swarm.py, assertions read the processes' own accounting (their JSON
event lines); a wait that does not end in :data:`timeouts.TIMEOUT` fails.
"""

from __future__ import annotations

import signal
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
from timeouts import TIMEOUT

from .conftest import PAIRS
from .harness import Swarm, submit

LEASE_MS = 1000
"""The fault tests' lease, against heartbeats every 100 ms: ten beats a lease, so that a
loaded machine is not taken for a dead worker, and a lease still runs out in a second."""

pytestmark = pytest.mark.parametrize(
    ("coord_lang", "worker_lang"), PAIRS, ids=["go-coord", "py-coord"]
)


def test_a_killed_worker_loses_its_tasks_to_another(
    swarm: Swarm, coord_lang: str, worker_lang: str
) -> None:
    """kill -9 mid-task: after the lease, another worker gets both tasks; none is lost, and a
    second Submit of the same id is recognised and not run again."""
    coord = swarm.coordinator(coord_lang, lease_ms=LEASE_MS)
    doomed = swarm.worker(worker_lang, coord.address, "doomed", credits=2, heartbeat_ms=100)
    coord.wait_event("credit", worker="doomed")
    stub = swarm.stub(coord)
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(submit, stub, "sleep", b"300", f"k{i}") for i in (1, 2)]
        doomed.wait_event("task_start", task="k1")
        doomed.wait_event("task_start", task="k2")
        doomed.process.signal(signal.SIGKILL)
        assert doomed.process.wait(TIMEOUT) is not None
        swarm.worker(worker_lang, coord.address, "heir", credits=2, heartbeat_ms=100)
        replies = [f.result(TIMEOUT) for f in futures]
    assert [(r.task_id, r.worker_id, r.attempts) for r in replies] == [
        ("k1", "heir", 2),
        ("k2", "heir", 2),
    ]
    assert {e["task"] for e in coord.events("lease_expired")} == {"k1", "k2"}
    again = submit(stub, "sleep", b"300", "k1")
    assert (again.worker_id, again.attempts, again.output) == ("heir", 2, b"slept 300")
    assert coord.wait_event("same_task", task="k1")
    assert len([a for a in coord.events("assign") if a["task"] == "k1"]) == 2


def test_a_hung_worker_is_detected_and_its_late_result_is_a_duplicate(
    swarm: Swarm, coord_lang: str, worker_lang: str
) -> None:
    coord = swarm.coordinator(coord_lang, lease_ms=LEASE_MS)
    hung = swarm.worker(worker_lang, coord.address, "hung", credits=1, heartbeat_ms=100)
    coord.wait_event("credit", worker="hung")
    stub = swarm.stub(coord)
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(submit, stub, "sleep", b"1000", "h1")
        hung.wait_event("task_start", task="h1")
        hung.process.signal(signal.SIGSTOP)
        coord.wait_event("worker_silent", worker="hung")  # missed heartbeats, noticed
        coord.wait_event("lease_expired", worker="hung", task="h1")
        swarm.worker(worker_lang, coord.address, "fresh", credits=1, heartbeat_ms=100)
        reply = future.result(TIMEOUT)
    assert (reply.worker_id, reply.attempts) == ("fresh", 2)
    hung.process.signal(signal.SIGCONT)
    coord.wait_event("worker_back", worker="hung")
    dup = coord.wait_event("duplicate", worker="hung", task="h1")  # its late result, by task id
    assert dup["duplicates"] == 1


def test_a_worker_whose_coordinator_is_gone_exits_with_a_message(
    swarm: Swarm, coord_lang: str, worker_lang: str
) -> None:
    """Nobody listening: the worker tries a bounded number of times, then exits 1 naming why.
    Then a coordinator killed under a connected worker: the same."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        nowhere = f"127.0.0.1:{s.getsockname()[1]}"
    lonely = swarm.worker(worker_lang, nowhere, "lonely", attempts=3, backoff_ms=50)
    exit = lonely.process.wait(TIMEOUT)
    assert exit is not None and exit.code == 1, lonely.text()
    assert "coordinator is gone" in lonely.text() and nowhere in lonely.text()

    coord = swarm.coordinator(coord_lang)
    orphan = swarm.worker(
        worker_lang, coord.address, "orphan", attempts=3, backoff_ms=50, heartbeat_ms=100
    )
    coord.wait_event("credit", worker="orphan")
    coord.process.signal(signal.SIGKILL)
    exit = orphan.process.wait(TIMEOUT)
    assert exit is not None and exit.code == 1, orphan.text()
    assert "coordinator is gone" in orphan.text()


def test_a_second_worker_with_the_same_id_is_refused(
    swarm: Swarm, coord_lang: str, worker_lang: str
) -> None:
    coord = swarm.coordinator(coord_lang)
    swarm.worker(worker_lang, coord.address, "twin", heartbeat_ms=200)
    coord.wait_event("credit", worker="twin")
    copy = swarm.worker(worker_lang, coord.address, "twin", heartbeat_ms=200)
    exit = copy.process.wait(TIMEOUT)
    assert exit is not None and exit.code == 1, copy.text()
    assert "already connected" in copy.text()
