"""Replay one saga vector case through :class:`twinbook.saga.Orchestrator`.

The format is the saga section of the book's ``spec-idempotency.md``. The crash simulation
does not trust the orchestrator: the participant (this runner's) records every attempt
itself, then "kills the process" by raising :class:`Crash`, a ``BaseException`` the
orchestrator does not catch; the runner drops that orchestrator, builds a new one on the
same log and resumes. A key the format does not know, or a case the spec calls malformed,
raises :class:`Malformed` naming the reason; nothing is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from twinbook.saga import (
    Call,
    Definition,
    InvalidSaga,
    Log,
    Options,
    Orchestrator,
    State,
    Step,
    no_backoff,
)

CASE_KEYS = {"name", "saga", "script", "crash_after", "expect"}
SAGA_KEYS = {"id", "steps"}
STEP_KEYS = {"name", "retries"}
EXPECT_KEYS = {"outcome", "log", "keys"}
#: Stops a run that would not end (a compensation failing forever, a broken orchestrator).
MAX_ATTEMPTS = 1000


class Malformed(AssertionError):
    """The case itself breaks the format: reported as a failure naming the reason."""


class Crash(BaseException):
    """The process dies right after the participant handled an attempt."""


class Runaway(BaseException):
    """The run goes on past :data:`MAX_ATTEMPTS`."""


class Participant:
    """Takes script entries, records attempts, crashes at the case's positions."""

    def __init__(self, script: Mapping[str, list[str]], crash_after: list[int]) -> None:
        self.script = {k: list(v) for k, v in script.items()}
        self.crash_after = set(crash_after)
        self.log: list[str] = []
        self.keys: list[str] = []

    def __call__(self, call: Call) -> None:
        attempt = f"{call.step}:{call.kind}"
        rest = self.script.get(attempt)
        result = rest.pop(0) if rest else "ok"
        self.log.append(f"{attempt} {result}")
        self.keys.append(call.key)
        if len(self.log) in self.crash_after:
            self.log[-1] = f"{attempt} crashed"
            raise Crash
        if len(self.log) >= MAX_ATTEMPTS:
            raise Runaway
        if result == "fail":
            raise RuntimeError("scripted failure")


def _keys(obj: Any, known: set[str], where: str) -> Mapping[str, Any]:
    if not isinstance(obj, dict):
        raise Malformed(f"{where} must be an object")
    if unknown := set(obj) - known:
        raise Malformed(f"unknown {where} keys {sorted(unknown)}")
    return obj


def _whole(value: Any) -> bool:
    return type(value) is int


def definition(case: Mapping[str, Any], participant: Participant) -> tuple[str, Definition]:
    """The saga id and definition of a case, every attempt calling ``participant``."""
    _keys(case, CASE_KEYS, "case")
    saga = _keys(case.get("saga"), SAGA_KEYS, "saga")
    if not isinstance(saga.get("id"), str) or not saga["id"]:
        raise Malformed("saga.id must be a non-empty string")
    raw_steps = saga.get("steps")
    if not isinstance(raw_steps, list):
        raise Malformed("saga.steps must be a list")
    steps = []
    for i, raw in enumerate(raw_steps):
        raw = _keys(raw, STEP_KEYS, f"step {i}")
        name, retries = raw.get("name"), raw.get("retries", 0)
        if not isinstance(name, str) or not _whole(retries):
            raise Malformed(f"step {i}: name must be a string, retries a whole number")
        steps.append(Step(name, participant, participant, retries))
    d = Definition("vector", steps)
    try:
        d.validate()
    except InvalidSaga as exc:
        raise Malformed(str(exc)) from exc
    kinds = {f"{s.name}:{k}" for s in steps for k in ("action", "compensation")}
    script = case.get("script", {})
    if not isinstance(script, dict):
        raise Malformed("script must be an object")
    for attempt, results in script.items():
        if attempt not in kinds:
            raise Malformed(f"script key {attempt!r} names no step:action or step:compensation")
        if not isinstance(results, list) or any(r not in ("ok", "fail") for r in results):
            raise Malformed(f"script {attempt!r}: results must be ok or fail, got {results!r}")
    crash_after = case.get("crash_after", [])
    if (
        not isinstance(crash_after, list)
        or not all(_whole(n) and n >= 1 for n in crash_after)
        or crash_after != sorted(set(crash_after))
    ):
        raise Malformed(f"crash_after {crash_after!r}: distinct positions >= 1, ascending")
    return saga["id"], d


def run_case(case: Mapping[str, Any], reopen: Callable[[], Log]) -> None:
    """Replay ``case``; ``reopen`` reaches the case's log again, as a restarted process
    would (the same :class:`MemoryLog`, a new ``StoreLog`` on the same database); raise on
    the first miss."""
    expect = _keys(case.get("expect"), EXPECT_KEYS, "expect")
    if expect.get("outcome") not in ("completed", "compensated"):
        raise Malformed(f"expect.outcome {expect.get('outcome')!r}: completed or compensated")
    if not isinstance(expect.get("log"), list):
        raise Malformed("no expect.log")
    participant = Participant(case.get("script") or {}, case.get("crash_after") or [])
    saga_id, d = definition(case, participant)
    outcome: State | None = None
    crashes = 0
    while True:
        # A new orchestrator on the same store, as a restarted process would build: the
        # first runs the saga, the later ones resume it.
        log = reopen()
        orchestrator = Orchestrator(d, log, Options(backoff=no_backoff))
        try:
            if crashes == 0:
                outcome = orchestrator.run(saga_id)
            else:
                finished = orchestrator.resume()
                assert finished == 1, f"resume finished {finished} sagas, want 1"
                outcome = log.load(saga_id).state
            break
        except Crash:
            crashes += 1
        except Runaway:
            raise AssertionError(
                f"more than {MAX_ATTEMPTS} attempts: the run does not end"
            ) from None
    if unreached := [n for n in participant.crash_after if n > len(participant.log)]:
        raise Malformed(
            f"crash_after {sorted(unreached)}: the run has {len(participant.log)} attempts"
        )
    keys = expect.get("keys", {})
    for position in keys:
        if not re.fullmatch(r"[1-9][0-9]*", position) or int(position) > len(participant.log):
            raise Malformed(f"expect.keys: {position!r} is not a position in the log")
    assert participant.log == expect["log"], (
        f"expect.log:\n want {expect['log']}\n got  {participant.log}"
    )
    for position, want in keys.items():
        got = participant.keys[int(position) - 1]
        assert got == want, f"expect.keys[{position}]: want {want!r}, got {got!r}"
    assert outcome == expect["outcome"], (
        f"expect.outcome: want {expect['outcome']!r}, got {outcome!r}"
    )
