"""A reference model of the circuit breaker spec, used to validate the vector files.

This is a direct transcription of the breaker spec (book/appendix/spec-breaker.md, chapter 2's
contract; tests/vectors/README.md restates the vector format), written to be obviously
correct rather than fast: the window is a plain
list of every recorded call, filtered on demand. It replays a vector file step by step and
checks every expectation, so a vector that contradicts the spec (or this model) is caught
before either implementation is asked to pass it.

Resolutions of points the spec leaves open (tests/vectors/README.md lists them too):

- A step is one consultation at its ``at_ms``: every time-driven transition due at or before
  that time is applied first, each at the moment it was due; after the step's own effect the
  due transitions are applied again (so with ``wait_in_open_ms`` 0 a trip at T is already
  ``half_open`` at T, and the step lists both transitions).
- A ``call`` is one consultation at ``at_ms`` (permission) and one at ``at_ms + duration_ms``
  (the result); transitions due in between happen during the step, before the result.
- A manual ``force_open``, ``disable`` or ``close`` to the state the breaker is already in
  does nothing (no transition, window and permissions kept). ``reset`` always forgets
  everything (empty window, every earlier permission discarded) but lists a transition only
  when the state changes.
- In ``half_open`` the window is every call recorded since half_open began, whatever the
  window type (no time eviction); its effective minimum is ``half_open_permitted_calls``.
- Time windows use absolute time: bucket ``floor(t_ms / 1000)`` with the clock starting at 0.

Run it on files: ``python tests/vectors/reference/breaker_model.py FILE...``.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The shared loader and errors sit beside the models, which run as scripts or are loaded by
# path (the folder is not a package): make the folder importable either way.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases  # noqa: E402
from cases import Mismatch, VectorError  # noqa: E402

CONFIG_KEYS = {
    "sliding_window",
    "window_size",
    "minimum_calls",
    "failure_rate_threshold",
    "slow_call_rate_threshold",
    "slow_call_duration_ms",
    "wait_in_open_ms",
    "half_open_permitted_calls",
    "max_wait_in_half_open_ms",
}
OPS = {"call", "acquire", "complete", "state", "metrics", "force_open", "disable", "close", "reset"}
STEP_KEYS = {"at_ms", "op", "outcome", "duration_ms", "id", "expect"}
EXPECT_KEYS = {
    "permitted",
    "state",
    "transitions",
    "calls",
    "failed",
    "slow",
    "failure_rate",
    "slow_call_rate",
}
OUTCOMES = {"success", "failure", "ignored"}
RATE_TOLERANCE = 1e-6


def validate_config(cfg: dict) -> None:
    """Reject what the spec calls invalid, naming the field."""
    unknown = set(cfg) - CONFIG_KEYS
    if unknown:
        raise VectorError(f"config: unknown keys {sorted(unknown)}")
    missing = CONFIG_KEYS - set(cfg)
    if missing:
        raise VectorError(f"config: missing keys {sorted(missing)}")
    if cfg["sliding_window"] not in ("count", "time"):
        raise VectorError(f"config: sliding_window: unknown type {cfg['sliding_window']!r}")
    for key in ("failure_rate_threshold", "slow_call_rate_threshold"):
        if not 0 < cfg[key] <= 100:
            raise VectorError(f"config: {key}: must be in (0, 100], got {cfg[key]}")
    for key in ("window_size", "minimum_calls", "half_open_permitted_calls"):
        if cfg[key] < 1:
            raise VectorError(f"config: {key}: must be >= 1, got {cfg[key]}")
    for key in ("slow_call_duration_ms", "wait_in_open_ms", "max_wait_in_half_open_ms"):
        if cfg[key] < 0:
            raise VectorError(f"config: {key}: must be >= 0, got {cfg[key]}")


@dataclass
class Record:
    at_ms: int  # completion time (the time window's bucket is at_ms // 1000)
    failed: bool
    slow: bool


@dataclass
class Permission:
    generation: int  # the number of transitions before it was granted
    at_ms: int


@dataclass
class Breaker:
    cfg: dict
    state: str = "closed"
    since_ms: int = 0  # when the current state began
    generation: int = 0  # bumped by every transition (and by reset)
    records: list[Record] = field(default_factory=list)  # recorded since the state began
    in_flight: int = 0  # half_open permits granted and not yet finished
    log: list[str] = field(default_factory=list)

    # -- transitions -------------------------------------------------------------------

    def _transition(self, to: str, at_ms: int) -> None:
        self.log.append(f"{self.state}->{to}")
        self.state = to
        self.since_ms = at_ms
        self.generation += 1
        self.records = []
        self.in_flight = 0

    def advance(self, now_ms: int) -> None:
        """Apply every time-driven transition due at or before now, each when it was due."""
        while True:
            if self.state == "open":
                due = self.since_ms + self.cfg["wait_in_open_ms"]
                if now_ms >= due:
                    self._transition("half_open", due)
                    continue
            elif self.state == "half_open" and self.cfg["max_wait_in_half_open_ms"] > 0:
                due = self.since_ms + self.cfg["max_wait_in_half_open_ms"]
                if now_ms >= due:
                    self._transition("open", due)
                    continue
            return

    # -- the window --------------------------------------------------------------------

    def window(self, now_ms: int) -> list[Record]:
        if self.state == "half_open":
            return list(self.records)
        if self.state != "closed":
            return []
        size = self.cfg["window_size"]
        if self.cfg["sliding_window"] == "count":
            return self.records[-size:]
        newest = now_ms // 1000
        oldest = newest - size + 1
        return [r for r in self.records if oldest <= r.at_ms // 1000 <= newest]

    def effective_minimum(self) -> int:
        if self.state == "half_open":
            return self.cfg["half_open_permitted_calls"]
        if self.cfg["sliding_window"] == "count":
            return min(self.cfg["minimum_calls"], self.cfg["window_size"])
        return self.cfg["minimum_calls"]

    def metrics(self, now_ms: int) -> dict:
        w = self.window(now_ms)
        calls = len(w)
        failed = sum(r.failed for r in w)
        slow = sum(r.slow for r in w)
        if self.state in ("closed", "half_open") and calls >= self.effective_minimum():
            failure_rate = failed * 100 / calls
            slow_call_rate = slow * 100 / calls
        else:
            failure_rate = slow_call_rate = -1.0
        return {
            "calls": calls,
            "failed": failed,
            "slow": slow,
            "failure_rate": failure_rate,
            "slow_call_rate": slow_call_rate,
        }

    def _over_threshold(self, now_ms: int) -> bool:
        m = self.metrics(now_ms)
        return (
            m["failure_rate"] >= self.cfg["failure_rate_threshold"]
            or m["slow_call_rate"] >= self.cfg["slow_call_rate_threshold"]
        )

    # -- calls -------------------------------------------------------------------------

    def acquire(self, now_ms: int) -> Permission | None:
        self.advance(now_ms)
        if self.state in ("closed", "disabled"):
            return Permission(self.generation, now_ms)
        if self.state == "half_open":
            if self.in_flight + len(self.records) < self.cfg["half_open_permitted_calls"]:
                self.in_flight += 1
                return Permission(self.generation, now_ms)
        return None  # open, forced_open, half_open without a free permit

    def complete(self, permission: Permission, outcome: str, now_ms: int) -> None:
        self.advance(now_ms)
        if permission.generation != self.generation:
            return  # granted before the latest transition: discarded
        if self.state == "half_open":
            self.in_flight -= 1  # recorded or ignored, the permit is no longer in flight
        if outcome == "ignored" or self.state not in ("closed", "half_open"):
            return  # ignored records nothing; disabled records nothing
        duration = now_ms - permission.at_ms
        self.records.append(
            Record(now_ms, outcome == "failure", duration > self.cfg["slow_call_duration_ms"])
        )
        if self.state == "closed":
            if self._over_threshold(now_ms):
                self._transition("open", now_ms)
        elif len(self.records) == self.cfg["half_open_permitted_calls"]:
            self._transition("open" if self._over_threshold(now_ms) else "closed", now_ms)

    # -- manual operations -------------------------------------------------------------

    def manual(self, op: str, now_ms: int) -> None:
        self.advance(now_ms)
        if op == "reset":
            if self.state == "closed":
                self.generation += 1
                self.records = []
                self.in_flight = 0
                self.since_ms = now_ms
            else:
                self._transition("closed", now_ms)
            return
        target = {"force_open": "forced_open", "disable": "disabled", "close": "closed"}[op]
        if self.state != target:
            self._transition(target, now_ms)


def _fail(where: str, key: str, want, got) -> None:
    raise Mismatch(f"{where}: expect.{key} = {want!r}, the model says {got!r}")


def run_case(case: dict, breaker_cls: type = None) -> int:
    """Replay one case and check every expectation; return the number of checks made.

    ``breaker_cls`` replaces the model (the tests pass deliberately wrong variants of it to
    prove that the vectors catch each rule broken).
    """
    name = case.get("name")
    if not isinstance(name, str) or not name:
        raise VectorError("a case needs a non-empty name")
    unknown = set(case) - {"name", "config", "steps"}
    if unknown:
        raise VectorError(f"{name}: unknown case keys {sorted(unknown)}")
    validate_config(case["config"])
    b = (breaker_cls or Breaker)(dict(case["config"]))
    permissions: dict[str, Permission | None] = {}
    last_ms = 0
    checks = 0
    for i, step in enumerate(case["steps"]):
        where = f"{name}: step {i} ({step.get('op')} at {step.get('at_ms')})"
        unknown = set(step) - STEP_KEYS
        if unknown:
            raise VectorError(f"{where}: unknown step keys {sorted(unknown)}")
        op = step.get("op")
        if op not in OPS:
            raise VectorError(f"{where}: unknown op {op!r}")
        expect = step.get("expect", {})
        unknown = set(expect) - EXPECT_KEYS
        if unknown:
            raise VectorError(f"{where}: unknown expect keys {sorted(unknown)}")
        at = step["at_ms"]
        if not isinstance(at, int) or at < last_ms:
            raise VectorError(f"{where}: at_ms {at!r} goes back in time (clock at {last_ms})")
        b.log = []
        permitted = None
        now = at
        if op == "call":
            if step.get("outcome") not in OUTCOMES:
                raise VectorError(f"{where}: bad outcome {step.get('outcome')!r}")
            duration = step["duration_ms"]
            if not isinstance(duration, int) or duration < 0:
                raise VectorError(f"{where}: bad duration_ms {duration!r}")
            perm = b.acquire(at)
            permitted = perm is not None
            if perm is not None:
                now = at + duration
                b.complete(perm, step["outcome"], now)
            last_ms = at + duration  # the next step may not start before this call ended
        elif op == "acquire":
            if step.get("id") in permissions:
                raise VectorError(f"{where}: id {step.get('id')!r} used twice")
            perm = b.acquire(at)
            permitted = perm is not None
            permissions[step["id"]] = perm
        elif op == "complete":
            if step.get("outcome") not in OUTCOMES:
                raise VectorError(f"{where}: bad outcome {step.get('outcome')!r}")
            if step.get("id") not in permissions:
                raise VectorError(f"{where}: no acquire with id {step.get('id')!r}")
            perm = permissions.pop(step["id"])
            if perm is None:
                raise VectorError(f"{where}: completes a permission that was refused")
            b.complete(perm, step["outcome"], at)
        elif op in ("state", "metrics"):
            b.advance(at)
        else:
            b.manual(op, at)
        b.advance(now)
        last_ms = max(last_ms, now)
        if op not in ("call", "acquire") and "permitted" in expect:
            raise VectorError(f"{where}: expect.permitted only applies to call and acquire")
        metric_keys = {"calls", "failed", "slow", "failure_rate", "slow_call_rate"}
        if op != "metrics" and metric_keys & set(expect):
            raise VectorError(f"{where}: metrics expectations only apply to the metrics op")
        for key, want in expect.items():
            checks += 1
            if key == "permitted":
                if want is not permitted:
                    _fail(where, key, want, permitted)
            elif key == "state":
                if want != b.state:
                    _fail(where, key, want, b.state)
            elif key == "transitions":
                if want != b.log:
                    _fail(where, key, want, b.log)
            else:
                got = b.metrics(now)[key]
                if key in ("failure_rate", "slow_call_rate"):
                    if not math.isclose(want, got, rel_tol=0, abs_tol=RATE_TOLERANCE):
                        _fail(where, key, want, got)
                elif want != got:
                    _fail(where, key, want, got)
    return checks


def load_cases(path: Path) -> list[dict]:
    """The cases of one breaker vector file (the shared loader, ``cases.py``)."""
    return cases.load_cases(path, "breaker")


if __name__ == "__main__":
    sys.exit(cases.main(sys.argv[1:], "breaker", run_case))
