"""The one process launcher (:func:`twinbook.supervisor.start_process`): how a process ended, in the supervisor's terms."""

from __future__ import annotations

import signal
import sys

import pytest
from timeouts import TIMEOUT

from twinbook.supervisor import Exit, ProcessSpec, Reason, start_process


def python(code: str) -> ProcessSpec:
    return ProcessSpec(argv=[sys.executable, "-c", code])


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("pass", Exit(Reason.NORMAL, 0)),
        ("raise SystemExit(3)", Exit(Reason.CRASH, 3)),
        (
            "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
            Exit(Reason.CRASH, -1, "SIGKILL"),
        ),
    ],
    ids=["exit-0-is-normal", "exit-3-is-a-crash", "a-signal-is-a-crash"],
)
def test_how_a_process_ended(code: str, expected: Exit) -> None:
    seen: list[Exit] = []
    spec = ProcessSpec(argv=[sys.executable, "-c", code], on_exit=[seen.append])
    process = start_process(spec)
    assert process.wait(TIMEOUT) == expected
    assert seen == [expected]


def test_kill_9_from_outside_is_a_crash() -> None:
    process = start_process(python("import time; time.sleep(60)"))
    process.signal(signal.SIGKILL)
    assert process.wait(TIMEOUT) == Exit(Reason.CRASH, -1, "SIGKILL")


def test_terminate_is_a_shutdown() -> None:
    process = start_process(python("import time; time.sleep(60)"))
    assert process.terminate(grace=TIMEOUT) == Exit(Reason.SHUTDOWN, -1, "SIGTERM")


def test_terminate_kills_what_ignores_sigterm_after_the_grace_period() -> None:
    code = "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
    process = start_process(ProcessSpec(argv=[sys.executable, "-c", code], stdout=-1))
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    assert process.terminate(grace=0.2) == Exit(Reason.SHUTDOWN, -1, "SIGKILL")


def test_terminate_reaches_a_stopped_process() -> None:
    process = start_process(python("import time; time.sleep(60)"))
    process.signal(signal.SIGSTOP)
    assert process.terminate(grace=TIMEOUT).reason is Reason.SHUTDOWN
