"""The coordinator's process supervisor, both ways (``PAIRS``): ``--workers N`` runs worker
processes under the chapter's supervisor rules.

A worker killed with kill -9 is restarted (the supervisor's events show it) and its task
goes to another worker after its lease; a worker that crashes past the intensity makes the
coordinator give up (exit 3, every worker terminated); an invalid supervisor spec is
refused before anything starts (exit 2, the field named). After each test no process is
left: the ones the supervisor started are checked by pid, beside the harness's own.
"""

from __future__ import annotations

import os
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from timeouts import TIMEOUT

from twinbook.supervisor import Exit, Reason
from twinbook.swarm import coordinator

from .conftest import PAIRS
from .harness import Proc, Swarm, submit

LEASE_MS = 1000
"""As in test_faults.py: ten heartbeats a lease, and a lease still runs out in a second."""

pair = pytest.mark.parametrize(("coord_lang", "worker_lang"), PAIRS, ids=["go-coord", "py-coord"])


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def supervisor_log(launcher: Proc) -> list[str]:
    """The supervisor's events as the vectors write them: ``start w1``, ``exit w1 crash``."""
    return [
        " ".join(str(e[k]) for k in ("op", "path", "reason") if k in e)
        for e in launcher.events("supervisor")
    ]


def worker_pids(launcher: Proc) -> dict[str, int]:
    """Every worker process the supervisor started: worker id -> pid."""
    return {e["worker"]: e["pid"] for e in launcher.events("worker_process")}


def stop(launcher: Proc) -> Exit:
    """SIGTERM the launcher as its owner; it terminates its workers and exits 0."""
    return launcher.process.terminate(grace=TIMEOUT)


@pair
def test_a_killed_worker_process_is_restarted_and_its_task_handed_on(
    swarm: Swarm, coord_lang: str, worker_lang: str
) -> None:
    launcher = swarm.launcher(
        coord_lang,
        worker_lang,
        lease_ms=LEASE_MS,
        workers=2,
        intensity=3,
        period_ms=60_000,
        worker_flags=["--credits", "1", "--heartbeat-ms", "100"],
    )
    launcher.wait_event("credit", worker="w1.1")
    launcher.wait_event("credit", worker="w2.1")
    stub = swarm.stub(launcher)
    with ThreadPoolExecutor(1) as pool:
        reply = pool.submit(submit, stub, "sleep", b"300", "k1")
        holder = launcher.wait_event("assign", task="k1")["worker"]
        path = holder.split(".")[0]
        os.kill(worker_pids(launcher)[holder], signal.SIGKILL)
        launcher.wait_event("worker_process", worker=f"{path}.2")  # the restart
        answer = reply.result(TIMEOUT)
    assert (answer.task_id, answer.attempts, answer.output) == ("k1", 2, b"slept 300")
    assert answer.worker_id != holder
    assert launcher.wait_event("lease_expired", task="k1", worker=holder)
    log = supervisor_log(launcher)
    assert log[:2] == ["start w1", "start w2"]
    assert log[2:] == [f"exit {path} crash", f"start {path}"]
    again = submit(stub, "sleep", b"300", "k1")  # the same id: recognised, not run again
    assert (again.worker_id, again.attempts) == (answer.worker_id, 2)
    assert launcher.wait_event("same_task", task="k1")
    assert len([a for a in launcher.events("assign") if a["task"] == "k1"]) == 2

    assert stop(launcher) == Exit(Reason.SHUTDOWN, 0)  # it caught SIGTERM and ended well
    assert supervisor_log(launcher)[-2:] == ["terminate w2", "terminate w1"]
    assert [w for w, pid in worker_pids(launcher).items() if running(pid)] == []


@pair
def test_a_worker_crashing_past_the_intensity_makes_the_launcher_give_up(
    swarm: Swarm, coord_lang: str, worker_lang: str
) -> None:
    """Each run of the worker crashes at once (its config names an unknown kind): with
    intensity 2 the third crash is one too many, and the coordinator gives up, exit 3."""
    launcher = swarm.launcher(
        coord_lang,
        worker_lang,
        lease_ms=LEASE_MS,
        workers=1,
        intensity=2,
        period_ms=60_000,
        worker_flags=["--kinds", "telepathy"],
    )
    exit = launcher.process.wait(TIMEOUT * 2)  # three Python interpreters may start
    assert exit == Exit(Reason.CRASH, 3), launcher.text()
    assert supervisor_log(launcher) == [
        "start w1",
        "exit w1 crash",
        "start w1",
        "exit w1 crash",
        "start w1",
        "exit w1 crash",
        "give_up /",
    ]
    text = launcher.text()
    assert "gave up" in text and "unknown kind" in text and "telepathy" in text
    assert sorted(worker_pids(launcher)) == ["w1.1", "w1.2", "w1.3"]
    assert [w for w, pid in worker_pids(launcher).items() if running(pid)] == []


@pytest.mark.parametrize("lang", ["go", "python"])
@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--intensity", "-1"], "intensity"),
        (["--period-ms", "0"], "period_ms"),
        (["--restart", "forever"], "restart"),
        (["--", "/nonexistent/swarm-worker"], "worker program"),
    ],
    ids=["intensity", "period_ms", "restart", "worker-program"],
)
def test_an_invalid_supervisor_spec_is_refused_naming_the_field(
    swarm: Swarm, lang: str, flags: list[str], field: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--workers", "2", *flags]
    if lang == "go":
        done = subprocess.run(
            [*swarm.coordinator_argv(lang), *args], capture_output=True, text=True, timeout=TIMEOUT
        )
        status, out, err = done.returncode, done.stdout, done.stderr
    else:  # the same program, called in this process: no interpreter to start
        status = coordinator.main(args)
        out, err = capsys.readouterr()
    assert status == 2, err
    assert f"{field}:" in err and "supervisor" in err
    assert field != "worker program" or "/nonexistent/swarm-worker" in err
    assert out == ""  # refused before it served: no address, no worker
