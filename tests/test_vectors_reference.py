"""The breaker conformance vectors agree with the reference model of the spec.

Every case in tests/vectors/breaker/*.json is replayed by tests/vectors/reference/breaker_model.py
(a direct transcription of the spec) and must meet every expectation; the files are well
formed (unique names, known ops and keys, time never goes back), and the model itself is
shown to catch a wrong expectation, so a green run means something.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.vectors.reference.cases import (
    cases_catching,
    duplicate_names,
    file_cases,
    first_case,
    load_model,
    load_script,
    vector_files,
)

ROOT = Path(__file__).resolve().parents[1]


model = load_model("breaker")
FILES = vector_files("breaker")
CASES = file_cases("breaker")


def test_there_are_vector_files_with_at_least_40_cases():
    assert len(FILES) >= 5, [p.name for p in FILES]
    assert len(CASES) >= 40, len(CASES)


def test_case_names_are_unique_across_files():
    assert duplicate_names(CASES) == []


@pytest.mark.parametrize(("file", "case"), CASES, ids=[case["name"] for _, case in CASES])
def test_case_agrees_with_the_reference_model(file, case):
    checks = model.run_case(case)
    assert checks >= len(case["steps"]) // 2, f"{file}: too few expectations to mean much"


def test_every_op_and_expect_key_is_exercised():
    ops = Counter(step["op"] for _, case in CASES for step in case["steps"])
    keys = Counter(
        key for _, case in CASES for step in case["steps"] for key in step.get("expect", {})
    )
    assert set(ops) == model.OPS
    assert set(keys) == model.EXPECT_KEYS
    outcomes = {step.get("outcome") for _, case in CASES for step in case["steps"]} - {None}
    assert outcomes == model.OUTCOMES
    windows = {case["config"]["sliding_window"] for _, case in CASES}
    assert windows == {"count", "time"}


@pytest.mark.parametrize(
    ("key", "value"),
    [("state", "half_open"), ("permitted", False), ("transitions", [])],
)
def test_the_model_rejects_a_wrong_expectation(key, value):
    case = first_case(CASES, "count: opens at exactly the failure-rate threshold")
    step = case["steps"][3]  # the call that opens the breaker
    assert step["expect"][key] != value
    step["expect"][key] = value
    with pytest.raises(model.Mismatch, match=f"expect.{key}"):
        model.run_case(case)


def test_the_model_rejects_a_wrong_rate():
    case = first_case(CASES, "count: the oldest call is evicted")
    metrics = next(s for s in case["steps"] if s["op"] == "metrics")
    metrics["expect"]["failure_rate"] += 0.001
    with pytest.raises(model.Mismatch, match="failure_rate"):
        model.run_case(case)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c["steps"][0].update(op="teleport"),
        lambda c: c["steps"][0]["expect"].update(colour="red"),
        lambda c: c["config"].update(window_size=0),
        lambda c: c["config"].update(failure_rate_threshold=0),
        lambda c: c["config"].update(sliding_window="sessions"),
        lambda c: c["steps"][1].update(at_ms=-5),
    ],
    ids=[
        "unknown-op",
        "unknown-expect-key",
        "window-size-0",
        "threshold-0",
        "unknown-window",
        "time-goes-back",
    ],
)
def test_the_model_rejects_a_malformed_case(mutate):
    case = first_case(CASES, "count: opens at exactly the failure-rate threshold")
    mutate(case)
    with pytest.raises(model.VectorError):
        model.run_case(case)


# -- every rule is pinned: a model with any one rule broken fails at least one case -----------

B = model.Breaker


class TripsAboveNotAtThreshold(B):
    def _over_threshold(self, now_ms):
        m = self.metrics(now_ms)
        return (
            m["failure_rate"] > self.cfg["failure_rate_threshold"]
            or m["slow_call_rate"] > self.cfg["slow_call_rate_threshold"]
        )


class IgnoresSlowCallRate(B):
    def _over_threshold(self, now_ms):
        return self.metrics(now_ms)["failure_rate"] >= self.cfg["failure_rate_threshold"]


class SlowAtEqualDuration(B):
    def complete(self, permission, outcome, now_ms):
        self.cfg = dict(self.cfg, slow_call_duration_ms=self.cfg["slow_call_duration_ms"] - 1)
        try:
            super().complete(permission, outcome, now_ms)
        finally:
            self.cfg = dict(self.cfg, slow_call_duration_ms=self.cfg["slow_call_duration_ms"] + 1)


class UncappedMinimum(B):
    def effective_minimum(self):
        if self.state == "half_open":
            return self.cfg["half_open_permitted_calls"]
        return self.cfg["minimum_calls"]


class TimeWindowMinimumCapped(B):
    def effective_minimum(self):
        if self.state == "half_open":
            return self.cfg["half_open_permitted_calls"]
        return min(self.cfg["minimum_calls"], self.cfg["window_size"])


class NoEviction(B):
    def window(self, now_ms):
        return list(self.records) if self.state in ("closed", "half_open") else []


class TimeEvictsHalfOpen(B):
    def window(self, now_ms):
        if self.state == "half_open" and self.cfg["sliding_window"] == "time":
            newest = now_ms // 1000
            return [r for r in self.records if r.at_ms // 1000 > newest - self.cfg["window_size"]]
        return super().window(now_ms)


class BucketByStart(B):
    def complete(self, permission, outcome, now_ms):
        before = len(self.records)
        super().complete(permission, outcome, now_ms)
        if len(self.records) > before:
            self.records[-1].at_ms = permission.at_ms


class RatesWithoutMinimum(B):
    def effective_minimum(self):
        return 1


class LateTimeTransitions(B):  # off by one: due only after the moment
    def advance(self, now_ms):
        super().advance(now_ms - 1)


class OneTimeTransitionPerConsult(B):
    def advance(self, now_ms):
        if self.state == "open" and now_ms >= self.since_ms + self.cfg["wait_in_open_ms"]:
            self._transition("half_open", self.since_ms + self.cfg["wait_in_open_ms"])
        elif (
            self.state == "half_open"
            and self.cfg["max_wait_in_half_open_ms"] > 0
            and now_ms >= self.since_ms + self.cfg["max_wait_in_half_open_ms"]
        ):
            self._transition("open", self.since_ms + self.cfg["max_wait_in_half_open_ms"])


class TimedFromConsult(B):  # due transitions stamped with the consult time, not when due
    def _transition(self, to, at_ms):
        super()._transition(to, max(at_ms, getattr(self, "_now", at_ms)))

    def advance(self, now_ms):
        self._now = now_ms
        super().advance(now_ms)


class NoMaxWait(B):
    def __init__(self, cfg):
        super().__init__(dict(cfg, max_wait_in_half_open_ms=0))


class InFlightNotCounted(B):
    def acquire(self, now_ms):
        self.advance(now_ms)
        if self.state == "half_open" and len(self.records) < self.cfg["half_open_permitted_calls"]:
            self.in_flight += 1
            return model.Permission(self.generation, now_ms)
        return super().acquire(now_ms) if self.state != "half_open" else None


class HalfOpenDecidesEarly(B):
    def complete(self, permission, outcome, now_ms):
        super().complete(permission, outcome, now_ms)
        if self.state == "half_open" and self.records and self.records[-1].failed:
            self._transition("open", now_ms)


class IgnoredIsSuccess(B):
    def complete(self, permission, outcome, now_ms):
        super().complete(permission, "success" if outcome == "ignored" else outcome, now_ms)


class IgnoredKeepsPermit(B):
    def complete(self, permission, outcome, now_ms):
        super().complete(permission, outcome, now_ms)
        if (
            outcome == "ignored"
            and self.state == "half_open"
            and permission.generation == self.generation
        ):
            self.in_flight += 1


class NoDiscard(B):
    def complete(self, permission, outcome, now_ms):
        super().complete(model.Permission(self.generation, permission.at_ms), outcome, now_ms)


class ForcedOpenTimesOut(B):
    def advance(self, now_ms):
        if self.state == "forced_open" and now_ms >= self.since_ms + self.cfg["wait_in_open_ms"]:
            self._transition("half_open", self.since_ms + self.cfg["wait_in_open_ms"])
        super().advance(now_ms)


class DisabledRecords(B):
    def complete(self, permission, outcome, now_ms):
        if (
            self.state == "disabled"
            and permission.generation == self.generation
            and outcome != "ignored"
        ):
            self.records.append(model.Record(now_ms, outcome == "failure", False))
            return
        super().complete(permission, outcome, now_ms)

    def metrics(self, now_ms):
        if self.state == "disabled":
            n = len(self.records)
            return {
                "calls": n,
                "failed": sum(r.failed for r in self.records),
                "slow": 0,
                "failure_rate": -1.0,
                "slow_call_rate": -1.0,
            }
        return super().metrics(now_ms)


class TransitionsKeepWindow(B):
    def _transition(self, to, at_ms):
        kept = self.records
        super()._transition(to, at_ms)
        if to == "closed":
            self.records = kept


class ResetKeepsClosedWindow(B):
    def manual(self, op, now_ms):
        if op == "reset" and self.state == "closed":
            self.advance(now_ms)
            return
        super().manual(op, now_ms)


class ManualSkipsDueTransitions(B):
    def manual(self, op, now_ms):
        self.advance = lambda t: None
        try:
            super().manual(op, now_ms)
        finally:
            del self.advance


class NoAdvanceAfterTrip(B):  # a trip at T is not yet half_open at T when the wait is 0
    def _transition(self, to, at_ms):
        super()._transition(to, at_ms)
        if to == "open":
            self.since_ms = at_ms + 1


class SelfTransitions(B):
    def manual(self, op, now_ms):
        target = {"force_open": "forced_open", "disable": "disabled", "close": "closed"}.get(op)
        self.advance(now_ms)
        if target == self.state:
            self._transition(target, now_ms)
            return
        super().manual(op, now_ms)


MUTANTS = [
    TripsAboveNotAtThreshold,
    IgnoresSlowCallRate,
    SlowAtEqualDuration,
    UncappedMinimum,
    TimeWindowMinimumCapped,
    NoEviction,
    TimeEvictsHalfOpen,
    BucketByStart,
    RatesWithoutMinimum,
    LateTimeTransitions,
    OneTimeTransitionPerConsult,
    TimedFromConsult,
    NoMaxWait,
    InFlightNotCounted,
    HalfOpenDecidesEarly,
    IgnoredIsSuccess,
    IgnoredKeepsPermit,
    NoDiscard,
    ForcedOpenTimesOut,
    DisabledRecords,
    TransitionsKeepWindow,
    ResetKeepsClosedWindow,
    ManualSkipsDueTransitions,
    NoAdvanceAfterTrip,
    SelfTransitions,
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.__name__ for m in MUTANTS])
def test_a_model_with_one_rule_broken_fails_some_case(mutant):
    assert cases_catching(model, mutant, CASES), f"no vector catches {mutant.__name__}"


# -- the chapter 2 exercises' hidden tests embed the current vectors ---------------------------


exercise_vectors = load_script("exercise_vectors.py", "twinbook_breaker_exercise_vectors")


def test_exercise_hidden_tests_embed_the_current_vectors():
    stale = exercise_vectors.stale_files()
    assert stale == [], (
        "run `.venv/bin/python tests/vectors/reference/exercise_vectors.py --write`: "
        + ", ".join(str(p.relative_to(ROOT)) for p in stale)
    )


@pytest.mark.parametrize("language", sorted(exercise_vectors.REPLAYERS))
def test_the_vector_replayer_exists_once_per_language(language):
    helper, loop = exercise_vectors.REPLAYERS[language]
    assert loop in helper.read_text(encoding="utf-8"), f"{helper}: no replayer ({loop!r})"
    assert exercise_vectors.replayer_copies() == [], (
        "replay the vectors with the chapter helper's replayer, not a copy"
    )


@pytest.mark.parametrize("exercise", sorted(exercise_vectors.EXERCISES))
def test_each_vector_exercise_replays_a_real_subset(exercise):
    cases = exercise_vectors.select(exercise)
    assert len(cases) >= 10, f"{exercise}: only {len(cases)} vector cases apply"
    for case in cases:  # the subset is what it claims to be
        assert exercise_vectors.features(case) <= exercise_vectors.EXERCISES[exercise]["features"]
