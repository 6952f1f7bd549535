"""A reference model of the saga contract, used to validate the saga vector files.

This is a direct transcription of the saga section of book/appendix/spec-idempotency.md
(chapter 5), written to be obviously correct rather than fast: an orchestrator whose whole
persisted progress is one small record (:class:`Progress`), one method per rule, so that the
tests can override one method to break one rule. It replays a case, crashes included, and
checks the log, the keys and the outcome, so a vector that contradicts the rules is caught
before either implementation is asked to pass it.

The rules, in the order the model applies them:

- Actions run in order; all succeeding make the saga ``completed``.
- An action that fails is retried up to its step's ``retries`` (default 0) more times; after
  ``retries + 1`` failed attempts the saga compensates: the steps whose actions succeeded,
  in reverse order, never the failed step itself, and ends ``compensated``.
- A compensation that fails is retried until it succeeds.
- Every attempt carries the key ``<saga id>:<step>:action|compensation``, the same each time.
- A crash right after an attempt (``crash_after``, 1-based positions in the log) loses the
  attempt's result: the orchestrator restarts from its persisted progress and repeats the
  attempt, which is neither a success nor a failure (it uses up no retry). Every attempt,
  crashed ones included, takes the next entry of its script list; beyond it, ``ok``.

A case is malformed (:class:`~cases.VectorError`) when its saga is not valid (no steps, an
empty, duplicated or ``:``/whitespace name, retries not a whole number >= 0), a script key
names no step or kind, a result is not ``ok``/``fail``, ``crash_after`` is not ascending,
distinct positions >= 1 or names a position the run never reaches, or a key is unknown.

Run it on files: ``python tests/vectors/reference/saga_model.py FILE...``.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases  # noqa: E402
from cases import Mismatch, VectorError  # noqa: E402

CONCEPT = "saga"
OTHER_CONCEPTS = ("idempotency_key",)  # share the idempotency/ folder; not this model's
CASE_KEYS = {"name", "saga", "script", "crash_after", "expect"}
SAGA_KEYS = {"id", "steps"}
STEP_KEYS = {"name", "retries"}
EXPECT_KEYS = {"outcome", "log", "keys"}
RESULTS = ("ok", "fail")
KINDS = ("action", "compensation")
OUTCOMES = ("completed", "compensated")
NAME = re.compile(r"^[^\s:]+$")
# A compensation retried forever, or a broken model looping, must end: no vector comes near.
MAX_ATTEMPTS = 1000


class Crash(BaseException):
    """The process dies right after the participant handled an attempt."""


@dataclass
class Progress:
    """What the orchestrator persists: where it is, and the failures of the current action."""

    state: str = "running"  # running | compensating | completed | compensated
    step: int = 0  # running: the action to attempt; compensating: the step to compensate
    failures: int = 0  # failed attempts of the current action


class Participant:
    """The runner's side: takes script entries, records attempts, crashes when told to."""

    def __init__(self, script: dict[str, list[str]], crash_after: list[int]) -> None:
        self.script = {key: list(results) for key, results in script.items()}
        self.crash_after = set(crash_after)
        self.log: list[str] = []
        self.keys: list[str] = []

    def attempt(self, step: str, kind: str, key: str) -> bool:
        results = self.script.get(f"{step}:{kind}", [])
        result = results.pop(0) if results else "ok"
        self.log.append(f"{step}:{kind} {result}")
        self.keys.append(key)
        if len(self.log) in self.crash_after:
            self.log[-1] = f"{step}:{kind} crashed"
            raise Crash
        if len(self.log) >= MAX_ATTEMPTS:
            raise Mismatch(f"more than {MAX_ATTEMPTS} attempts: the run does not end")
        return result == "ok"


class Orchestrator:
    """The saga orchestrator; ``progress`` is its store, kept across crashes by the runner."""

    def __init__(
        self, saga_id: str, steps: list[tuple[str, int]], progress: Progress, resumed: bool
    ) -> None:
        self.saga_id = saga_id
        self.steps = steps
        self.progress = progress
        self.resumed = resumed  # built after a crash, on the crashed one's store

    def key(self, step: str, kind: str) -> str:
        return f"{self.saga_id}:{step}:{kind}"

    def failed_for_good(self, failures: int, retries: int) -> bool:
        return failures >= retries + 1

    def first_to_compensate(self, failed: int) -> int:
        """The failed step's own compensation does not run: start just before it."""
        return failed - 1

    def next_to_compensate(self, step: int) -> int:
        """Reverse order."""
        return step - 1

    def compensation_failed(self, p: Progress) -> None:
        """Retried until it succeeds: nothing moves."""

    def recover(self, p: Progress) -> None:
        """After a crash: a crashed attempt is neither a success nor a failure, so the
        progress stays as it was persisted before the attempt, which is repeated."""

    def outcome_when_nothing_to_compensate(self) -> str:
        return "compensated"

    def run(self, participant: Participant) -> str:
        p = self.progress
        if self.resumed:
            self.recover(p)
        while True:
            if p.state == "running":
                if p.step == len(self.steps):
                    p.state = "completed"
                    continue
                name, retries = self.steps[p.step]
                if participant.attempt(name, "action", self.key(name, "action")):
                    p.step += 1
                    p.failures = 0
                    continue
                p.failures += 1
                if self.failed_for_good(p.failures, retries):
                    p.state = "compensating"
                    p.step = self.first_to_compensate(p.step)
                    if p.step < 0:
                        p.state = self.outcome_when_nothing_to_compensate()
            elif p.state == "compensating":
                if p.step < 0:
                    p.state = "compensated"
                    continue
                name, _ = self.steps[p.step]
                if participant.attempt(name, "compensation", self.key(name, "compensation")):
                    p.step = self.next_to_compensate(p.step)
                else:
                    self.compensation_failed(p)
            else:
                return p.state


# -- replaying a case -------------------------------------------------------------------------


def _check_keys(obj: Any, known: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise VectorError(f"{where} must be an object")
    if unknown := set(obj) - known:
        raise VectorError(f"unknown {where} keys {sorted(unknown)}")


def _is_int(value: Any) -> bool:
    return type(value) is int


def parse(
    case: dict[str, Any],
) -> tuple[str, list[tuple[str, int]], dict[str, list[str]], list[int]]:
    """The saga, script and crash positions of a well-formed case; VectorError otherwise."""
    _check_keys(case, CASE_KEYS, "case")
    for required in ("name", "saga", "expect"):
        if required not in case:
            raise VectorError(f"no {required}")
    saga = case["saga"]
    _check_keys(saga, SAGA_KEYS, "saga")
    if not isinstance(saga.get("id"), str) or not saga["id"]:
        raise VectorError("saga.id must be a non-empty string")
    raw_steps = saga.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise VectorError("saga.steps must be a non-empty list")
    steps: list[tuple[str, int]] = []
    for i, raw in enumerate(raw_steps):
        _check_keys(raw, STEP_KEYS, f"step {i}")
        name = raw.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise VectorError(f"step {i}: name {name!r} is empty or has ':' or whitespace")
        if any(name == other for other, _ in steps):
            raise VectorError(f"step {i}: duplicate step name {name!r}")
        retries = raw.get("retries", 0)
        if not _is_int(retries) or retries < 0:
            raise VectorError(f"step {name}: retries {retries!r} is not a whole number >= 0")
        steps.append((name, retries))
    names = {name for name, _ in steps}
    script = case.get("script", {})
    if not isinstance(script, dict):
        raise VectorError("script must be an object")
    for key, results in script.items():
        step, _, kind = key.partition(":")
        if step not in names or kind not in KINDS:
            raise VectorError(f"script key {key!r} names no step:action or step:compensation")
        if not isinstance(results, list) or any(r not in RESULTS for r in results):
            raise VectorError(f"script {key!r}: results must be 'ok' or 'fail', got {results!r}")
    crash_after = case.get("crash_after", [])
    if (
        not isinstance(crash_after, list)
        or not all(_is_int(n) and n >= 1 for n in crash_after)
        or crash_after != sorted(set(crash_after))
    ):
        raise VectorError(f"crash_after {crash_after!r}: distinct positions >= 1, ascending")
    return saga["id"], steps, script, crash_after


def run_case(case: dict[str, Any], mutant: type | None = None) -> int:
    """Replay one case; return how many expectations were checked. Raises on the first miss.

    ``mutant`` replaces the orchestrator or the participant (the tests pass copies with one
    rule broken). Whether a case is well formed is the true model's call.
    """
    orchestrator, participant = Orchestrator, Participant
    if mutant is not None:
        run_case(case)
        if issubclass(mutant, Orchestrator):
            orchestrator = mutant
        else:
            participant = mutant
        try:
            return _replay(case, orchestrator, participant)
        except VectorError as exc:  # the case is well formed: the broken copy misses it
            raise Mismatch(f"{case.get('name')!r}: {exc}") from exc
    try:
        return _replay(case, orchestrator, participant)
    except VectorError as exc:
        raise VectorError(f"{case.get('name')!r}: {exc}") from exc


def _replay(
    case: dict[str, Any], orchestrator: type[Orchestrator], participant_class: type[Participant]
) -> int:
    saga_id, steps, script, crash_after = parse(case)
    expect = case["expect"]
    _check_keys(expect, EXPECT_KEYS, "expect")
    if expect.get("outcome") not in OUTCOMES or not isinstance(expect.get("log"), list):
        raise VectorError("expect needs an outcome (completed or compensated) and a log")
    participant = participant_class(script, crash_after)
    progress = Progress()  # the store: it outlives every orchestrator
    crashes = 0
    while True:
        try:
            outcome = orchestrator(saga_id, steps, progress, crashes > 0).run(participant)
            break
        except Crash:
            crashes += 1  # the process is gone; a new orchestrator resumes on the same store
    if unreached := [n for n in crash_after if n > len(participant.log)]:
        raise VectorError(f"crash_after {unreached}: the run has {len(participant.log)} attempts")
    checks = 0
    if participant.log != expect["log"]:
        raise Mismatch(f"{case['name']!r}: expect.log {expect['log']} != {participant.log}")
    checks += 1
    for position, key in expect.get("keys", {}).items():
        if not re.fullmatch(r"[1-9][0-9]*", position) or int(position) > len(participant.log):
            raise VectorError(f"expect.keys: {position!r} is not a position in the log")
        if participant.keys[int(position) - 1] != key:
            got = participant.keys[int(position) - 1]
            raise Mismatch(f"{case['name']!r}: expect.keys[{position}] {key!r} != {got!r}")
        checks += 1
    if outcome != expect["outcome"]:
        raise Mismatch(f"{case['name']!r}: expect.outcome {expect['outcome']!r} != {outcome!r}")
    return checks + 1


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The saga cases of one file of the idempotency/ folder (a file of the other concept
    there has none); VectorError for a file that is not a vector file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != cases.FILE_KEYS:
        raise VectorError(f"{path}: not a vector file")
    if data["concept"] in OTHER_CONCEPTS:
        return []
    if data["concept"] != CONCEPT:
        raise VectorError(f"{path}: concept {data['concept']!r} is not {CONCEPT!r}")
    if not isinstance(data["cases"], list) or not data["cases"]:
        raise VectorError(f"{path}: cases must be a non-empty list")
    return data["cases"]


if __name__ == "__main__":
    sys.exit(cases.main(sys.argv[1:], CONCEPT, run_case, load=load_cases))
