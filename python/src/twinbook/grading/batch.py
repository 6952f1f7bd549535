"""One test process for several exercises, and a fair verdict when it dies.

A Python test process costs about 0.4 s before the first test runs (the interpreter,
pytest, the restricted compiler): for a whole workbook that is most of the grading time.
So the grader runs all of one student's exercises of a suite in one process
(:func:`twinbook.runner.pyrunner.run_batch`), each test named ``<key>/<test>`` on the
result channel, and :func:`run_batched` turns what that process reports into each
exercise's results.

Batching must never cost an exercise points that it would have earned alone:

* an exercise whose tests all reported keeps those verdicts (the harness's, on the
  nonce-tagged channel: the answers cannot write there);
* when the process dies (a crash, a memory or CPU limit, the per-exercise clock below)
  while an exercise runs, the verdicts it already has stay, and its tests that have none
  run again **alone**, in a fresh process with the limits of one exercise
  (``alone(key, tests)``): a crash that repeats there is the exercise's own;
* the exercises after it run in a new batch;
* each exercise has its own wall clock (``wall_each`` seconds from its first ``start``
  event, watched while the process runs), so a hang cannot eat another exercise's time;
  when it runs out the exercise gets what it would have got alone (the running test
  "timed out", the rest "did not run") and the next exercises go on in a new batch;
* what the tests print is counted per exercise by the harness (``output`` events name
  it); what reaches the process's stdout past the limit is told to the exercise whose
  test started last before it (:attr:`RawRun.cut_at_event`);
* the harness ends the process when an exercise leaves threads running (they could slow
  or disturb the next one) and the next exercises start in a fresh batch.

The same rules hold for any executor: the grader's sandbox, or a scripted one in tests.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from twinbook.exercises.results import DID_NOT_RUN, TestResult, merge
from twinbook.runner import channel
from twinbook.runner.pyrunner import split_batch_name

#: execute(keys, timeout, nonce, watch) -> the raw run of one batch process over ``keys``
BatchExecute = Callable[[list[str], float, str, channel.Watch], channel.RawRun]
#: alone(key, tests) -> (results, message for tests without one): one exercise in a
#: process of its own (the grader's single-exercise path, with its own reruns)
Alone = Callable[[str, list[str]], tuple[dict[str, TestResult], str]]


@dataclass
class Outcome:
    """One exercise's results from a batch (with its alone runs)."""

    results: dict[str, TestResult] = field(default_factory=dict)
    missing: str = ""  # why expected tests without a result have none
    output_truncated: bool = False  # its tests printed past the output limit
    alone: bool = False  # some of its tests ran in a process of their own


class ExerciseClock:
    """A watch (:data:`twinbook.runner.channel.Watch`) that stops a batch process when the
    exercise it is running has had ``seconds`` of wall-clock time since its first test
    started (``reason`` "wall"), or has used ``cpu_seconds`` of CPU time since then
    (``reason`` "cpu"; when the executor can tell CPU time: a cgroup)."""

    def __init__(
        self,
        seconds: float,
        cpu_seconds: float | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.cpu_seconds = cpu_seconds
        self._now = now
        self._key = ""
        self._since = 0.0
        self._cpu_since: float | None = None
        self._seen = 0  # bytes of the events already read
        self.stopped = ""  # the exercise that ran out of time
        self.reason = ""  # "wall" or "cpu"

    def __call__(self, events: bytes, cpu: float | None = None) -> bool:
        end = events.rfind(b"\n") + 1
        for line in events[self._seen : end].splitlines():
            key = _start_key(line)  # the verdicts come from channel.parse, not from here
            if key and key != self._key:
                self._key, self._since, self._cpu_since = key, self._now(), cpu
        self._seen = end
        if not self._key:
            return False
        if self._now() - self._since > self.seconds:
            self.stopped, self.reason = self._key, "wall"
        elif (
            self.cpu_seconds is not None
            and cpu is not None
            and self._cpu_since is not None
            and cpu - self._cpu_since >= self.cpu_seconds
        ):
            self.stopped, self.reason = self._key, "cpu"
        return bool(self.stopped)


def run_batched(
    expected: dict[str, list[str]],
    execute: BatchExecute,
    alone: Alone,
    *,
    wall_each: float,
    cpu_each: float | None = None,
    messages: Callable[[channel.RawRun, dict[str, TestResult]], None] | None = None,
    rerun_after_cut: bool = False,
) -> dict[str, Outcome]:
    """Every exercise's results (``expected``: key -> its tests, in running order);
    ``wall_each`` and ``cpu_each`` are one exercise's limits (:class:`ExerciseClock`).
    ``messages(raw, results)`` fills in failure messages from the output (Go); with
    ``rerun_after_cut``, exercises that started after the output passed its cap (their
    messages are lost with it) run again alone."""
    out = {key: Outcome() for key in expected}
    todo = [key for key, tests in expected.items() if tests]
    while todo:
        clock = ExerciseClock(wall_each, cpu_each)
        raw = execute(todo, wall_each * len(todo), nonce := channel.new_nonce(), clock)
        if raw.note:  # the process could not start: nothing would do better alone
            for key in todo:
                out[key].missing = raw.note
            return out
        ev = channel.parse(raw.events, nonce)
        if ev.tampered:  # never by construction; each exercise alone finds out whose it was
            for key in todo:
                _alone(out[key], key, expected[key], alone)
            return out
        if messages is not None:
            messages(raw, ev.results)
        cut_off = _started_after_cut(raw) if rerun_after_cut else set()
        for name, result in ev.results.items():
            key, test = split_batch_name(name)
            if key in cut_off:
                continue
            if key in out and test in expected[key]:
                merge(out[key].results, TestResult(test, result.outcome, result.message))
        for key in [*ev.output_names, _running_at(raw)]:
            if key in out:
                out[key].output_truncated = True
        for key in cut_off & set(todo):
            _alone(out[key], key, expected[key], alone)
        started = {split_batch_name(name)[0] for name in [*ev.results, *ev.running]}
        complete = [
            k for k in todo if k in cut_off or all(t in out[k].results for t in expected[k])
        ]
        rest = [k for k in todo if k not in complete]
        if not rest:
            return out
        first = rest[0]
        if clock.stopped == first:
            # its own clock ran out: the verdicts it would have had alone. Out of wall
            # time, the suite's budget is spent (the rest did not run); out of CPU time,
            # the running test fails and the rest run in a fresh process, as after SIGXCPU
            for name in ev.running:
                key, test = split_batch_name(name)
                if key == first and test not in out[first].results:
                    if clock.reason == "wall":
                        message = channel.describe_end(raw, wall_each)
                    else:
                        message = f"stopped: the test process used up its CPU time ({cpu_each:g}s)"
                    out[first].results[test] = TestResult(test, "failed", message)
            if clock.reason == "wall":
                out[first].missing = f"{DID_NOT_RUN}: the run was stopped after {wall_each:g}s"
            else:
                _alone(out[first], first, expected[first], alone)
            rest = rest[1:]
        elif ev.done or first in started:
            # it died in this exercise (or its tests could not even be collected):
            # the tests without a verdict run alone, with one exercise's limits
            _alone(out[first], first, expected[first], alone)
            rest = rest[1:]
        if len(rest) == len(todo):  # no progress at all: should not happen, never loops
            for key in rest:
                _alone(out[key], key, expected[key], alone)
            return out
        todo = rest
    return out


def _started_after_cut(raw: channel.RawRun) -> set[str]:
    """The exercises whose first test started after stdout passed the output limit."""
    if raw.cut_at_event is None:
        return set()
    before = {_start_key(line) for line in raw.events[: raw.cut_at_event].splitlines()}
    after = {_start_key(line) for line in raw.events[raw.cut_at_event :].splitlines()}
    return after - before - {""}


def _start_key(line: bytes) -> str:
    try:
        event = json.loads(line)
    except ValueError:
        return ""
    if isinstance(event, dict) and event.get("event") == "start":
        name = event.get("name")
        return split_batch_name(name)[0] if isinstance(name, str) else ""
    return ""


def _running_at(raw: channel.RawRun) -> str:
    """The exercise whose test was the last to start when the process's stdout passed the
    output limit ("" when it never did, or before any test)."""
    if raw.cut_at_event is None:
        return ""
    keys = [_start_key(line) for line in raw.events[: raw.cut_at_event].splitlines()]
    return next((key for key in reversed(keys) if key), "")


def _alone(outcome: Outcome, key: str, tests: list[str], alone: Alone) -> None:
    left = [t for t in tests if t not in outcome.results]
    if not left:
        return
    outcome.alone = True
    results, missing = alone(key, left)
    for result in results.values():
        if result.name in left:
            merge(outcome.results, result)
    outcome.missing = missing
