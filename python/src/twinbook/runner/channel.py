"""The result channel between a test harness and its runner, for both languages.

The instructor's harness (Python: :mod:`twinbook.runner.pyrunner`; Go: the generated
``zz_twinbook_harness_test.go`` of :mod:`twinbook.runner.gorunner`) writes one JSON
object per line to an inherited pipe, never to stdout::

    {"nonce": "...", "event": "start",  "name": "test_x"}
    {"nonce": "...", "event": "result", "name": "test_x", "outcome": "failed", "message": "..."}
    {"nonce": "...", "event": "error",  "message": "collection error"}
    {"nonce": "...", "event": "output", "limit": 1048576}   (what the tests print passed the limit)
    {"nonce": "...", "event": "done"}

The pipe's fd number is in ``$TWINBOOK_EVENTS_FD``. Every line carries a random nonce the
runner makes for this run and hands over through a second pipe (``$TWINBOOK_NONCE_FD``),
which the harness reads and closes before any learner code runs. So what the learner's
code prints (fake ``--- PASS`` lines, fake ``go test -json`` events) is only output, files
it writes are never read, and a line on the channel without the nonce marks the run as
tampered with. Results come only from these events, never from an exit code.

:func:`run_all` runs a harness until every expected test has a verdict: after a crash (the
process died before ``done``) the test that was running fails with the reason, and the
tests never reached run again in a fresh process, within one wall-clock budget. The
executor is a parameter: :func:`execute_plain` for learners, the sandbox for the grader.
"""

from __future__ import annotations

import array
import fcntl
import json
import os
import secrets
import signal
import subprocess
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from twinbook.exercises.results import DID_NOT_RUN, TestResult, merge

EVENTS_FD_ENV = "TWINBOOK_EVENTS_FD"
NONCE_FD_ENV = "TWINBOOK_NONCE_FD"
MESSAGE_LIMIT = 4000  # characters of one test's message kept by the runner
EVENTS_LIMIT = 8 << 20  # bytes on the event channel before the run counts as tampered with
CRASH_STREAK = 3  # runs in a row that die in their first test before the rest are given up


def new_nonce() -> str:
    return secrets.token_hex(16)


@dataclass
class RawRun:
    """What one harness process left behind."""

    events: bytes = b""
    output: bytes = b""  # stdout and stderr, merged, at most the output limit
    #: more was printed than the output limit: on stdout / stderr (the runner cut it), or
    #: through the harness's own count of what the tests printed (an ``output`` event)
    output_truncated: bool = False
    exit_code: int | None = None
    signal: str | None = None  # e.g. "SIGKILL", when the process was killed by a signal
    timed_out: bool = False  # the runner killed it at the wall-clock limit
    seconds: float = 0.0
    cpu_seconds: float | None = None  # user + system CPU time of the process, when known
    note: str = ""  # why the run could not start, from the executor
    #: bytes of events that had arrived when stdout/stderr passed the output limit (which
    #: exercise of a batch was running then), None when it never did
    cut_at_event: int | None = None

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")


@dataclass
class Events:
    results: dict[str, TestResult] = field(default_factory=dict)
    running: list[str] = field(default_factory=list)  # started, never reported
    errors: list[str] = field(default_factory=list)
    done: bool = False
    tampered: str = ""
    output_truncated: bool = False  # the harness reported an ``output`` event
    #: the ``name`` of each ``output`` event that had one: the exercise of a batch
    #: (:mod:`twinbook.grading.batch`) whose tests printed past the limit
    output_names: list[str] = field(default_factory=list)


def clip(message: str, limit: int = MESSAGE_LIMIT) -> str:
    message = "".join(ch for ch in message if ch in "\n\t" or ch >= " ")
    return message if len(message) <= limit else message[: limit - 1] + "…"


def parse(data: bytes, nonce: str) -> Events:
    """Events of one run. A complete line that is not a well-formed event with the nonce
    marks the run as tampered with; an unfinished last line (the process died while
    writing) is ignored."""
    ev = Events()
    if len(data) > EVENTS_LIMIT:
        ev.tampered = f"the result channel carried more than {EVENTS_LIMIT} bytes"
        return ev
    lines = data.split(b"\n")
    for raw in lines[:-1]:  # the part after the last newline is unfinished
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            obj = None
        if not isinstance(obj, dict) or obj.get("nonce") != nonce:
            ev.tampered = "a line on the result channel did not come from the test harness"
            return ev
        kind, name = obj.get("event"), obj.get("name")
        if kind == "start" and isinstance(name, str):
            ev.running.append(name)
        elif (
            kind == "result"
            and isinstance(name, str)
            and obj.get("outcome") in ("passed", "failed", "skipped", "error")
        ):
            message = obj.get("message") or ""
            merge(ev.results, TestResult(name, obj["outcome"], clip(str(message))))
            if name in ev.running:
                ev.running.remove(name)
        elif kind == "error":
            ev.errors.append(clip(str(obj.get("message") or "")))
        elif kind == "done":
            ev.done = True
        elif kind == "output":
            ev.output_truncated = True
            if isinstance(name, str):
                ev.output_names.append(name)
        else:
            ev.tampered = "an unknown event on the result channel"
            return ev
    return ev


#: execute(selection, seconds_left, nonce) -> RawRun; selection None = every test
Execute = Callable[[list[str] | None, float, str], RawRun]
#: how a test that was running when the process died failed: (raw run, test name) -> message
Describe = Callable[[RawRun, str], str]
#: called with the events received so far and the CPU seconds the process tree has used
#: (None when the executor cannot tell) while a process runs; True stops it (it then
#: counts as timed out)
Watch = Callable[[bytes, float | None], bool]
POLL_SECONDS = 0.1  # how often a watch looks at the events


def wait_watched(
    wait: Callable[[float], bool],
    timeout: float,
    watch: Watch | None,
    live: bytearray,
    cpu: Callable[[], float | None] = lambda: None,
) -> bool:
    """Wait up to ``timeout`` seconds for a process (``wait(seconds)`` returns True once it
    ended), asking ``watch`` about the events so far and ``cpu()`` every
    :data:`POLL_SECONDS`. Returns True when the process ended by itself, False when the
    timeout passed or the watch said stop (the caller then kills it)."""
    if watch is None:
        return wait(timeout)
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if wait(min(POLL_SECONDS, left)):
            return True
        if watch(bytes(live), cpu()):
            return False


def run_all(
    expected: list[str],
    execute: Execute,
    *,
    budget: float,
    describe: Describe,
    messages: Callable[[RawRun, dict[str, TestResult]], None] | None = None,
) -> tuple[dict[str, TestResult], str]:
    """Run until every expected test has a verdict, a run makes no progress, the harness
    says it is done, the wall-clock ``budget`` (seconds, for all runs together) is spent,
    or :data:`CRASH_STREAK` runs in a row died in their first test (a crash at every start:
    the rest would only repeat it).

    Returns the results by name and the message for expected tests that have none.
    ``messages`` may fill in failure messages from a run's output (Go). A run whose harness
    reported an ``output`` event gets ``raw.output_truncated`` set, like one whose stdout
    the executor cut, before ``messages`` and ``describe`` see it.
    """
    deadline = time.monotonic() + budget
    results: dict[str, TestResult] = {}
    pending = list(expected)
    selection: list[str] | None = None
    streak = 0  # runs in a row that died in their first test
    while True:
        left = deadline - time.monotonic()
        if left < 0.5:
            return results, f"{DID_NOT_RUN}: the run was stopped after {budget:g}s"
        raw = execute(selection, left, nonce := new_nonce())
        if raw.note:
            return results, raw.note
        ev = parse(raw.events, nonce)
        raw.output_truncated = raw.output_truncated or ev.output_truncated
        if ev.tampered:
            msg = f"the run was tampered with: {ev.tampered}"
            return {t: TestResult(t, "failed", msg) for t in expected}, msg
        if messages is not None:
            messages(raw, ev.results)
        for result in ev.results.values():
            merge(results, result)
        for name in ev.running:
            if name not in ev.results:
                merge(results, TestResult(name, "failed", describe(raw, name)))
        if ev.errors:
            return results, f"{DID_NOT_RUN}: {ev.errors[0]}"
        if ev.done:
            return results, ""
        left_over = [t for t in pending if t not in results]
        if not left_over:
            return results, ""
        if len(left_over) == len(pending):  # no progress: the process dies before any test
            return results, f"{DID_NOT_RUN}: {describe(raw, '')}"
        streak = streak + 1 if len(ev.results) == 0 else 0
        if streak >= CRASH_STREAK:  # it dies at every start: more runs would only repeat it
            reason = describe(raw, ev.running[0]) if ev.running else describe(raw, "")
            return results, f"{DID_NOT_RUN}: the tests crashed {streak} times in a row ({reason})"
        pending = selection = left_over


def describe_end(raw: RawRun, budget: float | None = None, cpu: float | None = None) -> str:
    """Why a harness process ended before the test it was running reported, in words."""
    if raw.timed_out:
        return f"timed out: the run was stopped after {budget:g}s" if budget else "timed out"
    if raw.signal == "SIGXCPU" or (
        cpu and raw.cpu_seconds is not None and raw.cpu_seconds >= cpu - 0.05
    ):
        return (
            f"stopped: the test process used up its CPU time ({cpu:g}s)"
            if cpu
            else "stopped: CPU time limit"
        )
    if raw.signal:
        return f"the test process was killed by {raw.signal}"
    if raw.exit_code is not None:
        return f"the test process exited with code {raw.exit_code} before the test finished"
    return "the test process died"


# --- the plain executor (learners: no containment) ------------------------------------


def events_offset(events_fd: int, live: bytearray) -> int:
    """How many bytes of events had been written when this is called: those read so far
    (``live``) and those still waiting in the pipe. A process's stdout and its events are
    read by two threads; when stdout passes the output limit, the events that came before
    are all of these, even the ones the events reader has not picked up yet."""
    pending = array.array("i", [0])
    try:
        fcntl.ioctl(events_fd, termios.FIONREAD, pending)
    except OSError:  # the pipe is closed: everything was read
        pending[0] = 0
    return len(live) + pending[0]


def _drain(
    stream: IO[bytes], limit: int, out: dict[str, Any], on_cut: Callable[[], None] | None
) -> None:
    kept = out["live"]  # what has arrived so far, for a watch while the process runs
    truncated = False
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        room = limit - len(kept)
        if room > 0:
            kept += chunk[:room]
        if len(chunk) > max(room, 0):
            if not truncated and on_cut is not None:
                on_cut()
            truncated = True
    out["data"], out["truncated"] = bytes(kept), truncated


def start_reader(
    fd_or_stream: int | IO[bytes], limit: int, on_cut: Callable[[], None] | None = None
) -> tuple[threading.Thread, dict[str, Any]]:
    """A thread reading ``fd_or_stream`` to its end, keeping ``limit`` bytes (the box's
    ``data`` at the end, ``live`` meanwhile); ``on_cut()`` when it first drops some."""
    stream = (
        os.fdopen(fd_or_stream, "rb", buffering=0)
        if isinstance(fd_or_stream, int)
        else fd_or_stream
    )
    box: dict[str, Any] = {"data": b"", "truncated": False, "live": bytearray()}

    def run() -> None:
        with stream:
            _drain(stream, limit, box, on_cut)

    thread = threading.Thread(target=run, name="twinbook-reader", daemon=True)
    thread.start()
    return thread, box


def execute_plain(
    argv: list[str],
    *,
    cwd: str,
    env: dict[str, str],
    timeout: float,
    nonce: str,
    output_limit: int = 1 << 20,
    watch: Watch | None = None,
) -> RawRun:
    """Run a harness as a plain subprocess (its own process group, killed at ``timeout``,
    or earlier when ``watch`` says so: see :func:`wait_watched`)."""
    ev_r, ev_w = os.pipe()
    nonce_r, nonce_w = os.pipe()
    env = {**env, EVENTS_FD_ENV: str(ev_w), NONCE_FD_ENV: str(nonce_r)}
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(ev_w, nonce_r),
            start_new_session=True,
        )
    except OSError as exc:
        for fd in (ev_r, ev_w, nonce_r, nonce_w):
            os.close(fd)
        return RawRun(note=f"{DID_NOT_RUN}: cannot start {argv[0]}: {exc}")
    os.close(ev_w)
    os.close(nonce_r)
    try:
        os.write(nonce_w, nonce.encode() + b"\n")
    except OSError:
        pass
    os.close(nonce_w)
    ev_thread, ev_box = start_reader(ev_r, EVENTS_LIMIT + 1)
    assert proc.stdout is not None  # stdout=PIPE
    cut: list[int] = []
    out_thread, out_box = start_reader(
        proc.stdout, output_limit, lambda: cut.append(events_offset(ev_r, ev_box["live"]))
    )

    def ended(seconds: float) -> bool:
        try:
            proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    timed_out = not wait_watched(ended, timeout, watch, ev_box["live"])
    if timed_out:
        with _suppress():
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    with _suppress():
        os.killpg(proc.pid, signal.SIGKILL)  # whatever the harness left behind in its group
    ev_thread.join(5)
    out_thread.join(5)
    code = proc.returncode
    return RawRun(
        events=ev_box["data"],
        output=out_box["data"],
        output_truncated=out_box["truncated"],
        exit_code=code if code is not None and code >= 0 else None,
        signal=signal.Signals(-code).name if code is not None and code < 0 else None,
        timed_out=timed_out,
        seconds=time.monotonic() - started,
        cut_at_event=cut[0] if cut else None,
    )


class _suppress:
    def __enter__(self) -> _suppress:
        return self

    def __exit__(self, *exc: Any) -> bool:
        return exc[0] is not None and issubclass(exc[0], (ProcessLookupError, PermissionError))
