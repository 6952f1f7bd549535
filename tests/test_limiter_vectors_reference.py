"""The limiter conformance vectors agree with the reference model of its contract.

Every case in tests/vectors/limiter/*.json is replayed by tests/vectors/reference/limiter_model.py
(a direct transcription of book/appendix/spec-limiter.md) and must meet every expectation; the
files are well formed (unique names, known ops and keys), the model is shown to catch a wrong
expectation, and copies of the model with one rule broken each are shown to fail some case, so
every rule is pinned by at least one vector.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from tests.vectors.reference.cases import (
    cases_catching,
    duplicate_names,
    file_cases,
    first_case,
    load_model,
    vector_files,
)

TOPICS = ("allow:", "burst:", "fraction:", "wait:", "cancel:", "clock:", "config:", "edge:")


model = load_model("limiter")
FILES = vector_files("limiter")
CASES = file_cases("limiter")


def test_there_are_vector_files_with_at_least_30_cases():
    assert len(FILES) >= 5, [p.name for p in FILES]
    assert len(CASES) >= 30, len(CASES)


def test_case_names_are_unique_and_start_with_a_topic():
    assert duplicate_names(CASES) == []
    assert [case["name"] for _, case in CASES if not case["name"].startswith(TOPICS)] == []


@pytest.mark.parametrize(("file", "case"), CASES, ids=[case["name"] for _, case in CASES])
def test_case_agrees_with_the_reference_model(file, case):
    checks = model.run_case(case)
    steps = len(case.get("steps", []))
    assert checks >= max(1, steps // 2), f"{file}: too few expectations to mean much"


def test_every_op_expect_key_and_error_is_exercised():
    steps = [step for _, case in CASES for step in case.get("steps", [])]
    assert {step["op"] for step in steps} == model.OPS
    assert {key for step in steps for key in step.get("expect", {})} == model.EXPECT_KEYS
    assert {case["error"] for _, case in CASES if "error" in case} == model.ERRORS
    assert any(step.get("cancelled") for step in steps)
    special = {
        case["config"]["rate"] for _, case in CASES if isinstance(case["config"]["rate"], str)
    }
    assert special == set(model.SPECIAL_RATES)


def test_the_clock_steps_back_in_some_case():
    def steps_back(case):
        times = [step["at_ms"] for step in case.get("steps", [])]
        return any(later < max(times[:i]) for i, later in enumerate(times) if i)

    assert any(steps_back(case) for _, case in CASES)


@pytest.mark.parametrize(
    ("prefix", "index", "key", "value"),
    [
        ("allow: refills rate tokens per second", 3, "allowed", False),
        ("wait: an empty bucket lends", 1, "delay_ns", 499_999_999),
        ("wait: an empty bucket lends", 1, "waiting", []),
        ("cancel: a cancelled waiter gives", 2, "cancelled", False),
    ],
)
def test_the_model_rejects_a_wrong_expectation(prefix, index, key, value):
    case = first_case(CASES, prefix)
    step = case["steps"][index]
    assert step["expect"][key] != value
    step["expect"][key] = value
    with pytest.raises(model.Mismatch, match=f"expect.{key}"):
        model.run_case(case)


def test_the_model_rejects_a_wrong_error_field():
    case = first_case(CASES, "config: rate 0 is refused")
    case["error"] = "burst"
    with pytest.raises(model.Mismatch, match="expect.error"):
        model.run_case(case)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c["steps"][0].update(op="teleport"),
        lambda c: c["steps"][0]["expect"].update(colour="red"),
        lambda c: c["steps"][0].update(speed=2),
        lambda c: c["config"].update(window=3),
        lambda c: c["config"].update(burst=1.5),
        lambda c: c["config"].update(rate="fast"),
        lambda c: c["steps"][1].update(at_ms=-5),
        lambda c: c["steps"][1].update(at_ms=0.5),
        lambda c: c["steps"][2].update(op="cancel", id="nobody"),
        lambda c: c["steps"][1]["expect"].update(allowed=True),
        lambda c: c.update(error="rate"),
        lambda c: c["config"].update(rate=0),
    ],
    ids=[
        "unknown-op",
        "unknown-expect-key",
        "unknown-step-key",
        "unknown-config-key",
        "fractional-burst",
        "rate-word",
        "negative-time",
        "fractional-ms",
        "cancel-unknown-id",
        "allowed-on-wait",
        "steps-and-error",
        "refused-config-with-steps",
    ],
)
def test_the_model_rejects_a_malformed_case(mutate):
    case = first_case(CASES, "wait: an empty bucket lends")
    mutate(case)
    with pytest.raises(model.VectorError):
        model.run_case(case)


def test_the_model_rejects_a_step_back_while_a_waiter_sleeps():
    case = first_case(CASES, "wait: an empty bucket lends")
    case["steps"].insert(2, {"at_ms": 10, "op": "check"})
    case["steps"].insert(3, {"at_ms": 5, "op": "check"})
    with pytest.raises(model.VectorError, match="steps back"):
        model.run_case(case)


def _allow_then(rate, at_ms, step):
    first = {"at_ms": 0, "op": "allow", "expect": {"allowed": True}}
    return {
        "name": "x",
        "config": {"rate": rate, "burst": 1},
        "steps": [first, dict(step, at_ms=at_ms)],
    }


def test_the_model_refuses_a_case_that_turns_on_float64_rounding():
    # 1/60 in binary is a hair under it: the exact delay is 60 s + 0.8e-6 ns, so the contract
    # says 60 000 000 001 ns; float64 cannot hold the 0.8e-6 and both twins compute 60 s flat.
    case = _allow_then(1 / 60, 0, {"op": "wait", "id": "a", "expect": {"delay_ns": 60_000_000_001}})
    with pytest.raises(model.VectorError, match="float64 rounding"):
        model.run_case(case)
    case["steps"][1]["expect"]["delay_ns"] = 60_000_000_000  # what float64 says is no better
    with pytest.raises(model.Mismatch, match="expect.delay_ns"):
        model.run_case(case)


@pytest.mark.parametrize(
    ("rate", "at_ms", "step", "key", "want"),
    [
        (0.9999999995, 1000, {"op": "allow"}, "allowed", False),
        (0.9999999995, 1000, {"op": "wait", "id": "a"}, "delay_ns", 1),
        (0.9999999999999, 0, {"op": "wait", "id": "a"}, "delay_ns", 1_000_000_001),
        (999.9995, 0, {"op": "wait", "id": "a"}, "delay_ns", 1_000_001),
        (1e-10, 0, {"op": "wait", "id": "a"}, "delay_ns", 2**63 - 1),
    ],
    ids=["shortfall", "tiny-debt", "near-whole-ns", "one-ns-past-a-ms", "beyond-int64"],
)
def test_the_model_takes_the_steps_the_twins_once_disagreed_on(rate, at_ms, step, key, want):
    # These were refused while Go and Python differed (the spec page's former "open
    # differences"); the contract now decides them, and the edge vectors pin them.
    model.run_case(_allow_then(rate, at_ms, dict(step, expect={key: want})))


# -- every rule is pinned: a model with any one rule broken fails at least one case -----------

L = model.Limiter


class StartsEmpty(L):
    @classmethod
    def build(cls, rate, burst):
        lim = super().build(rate, burst)
        lim.tokens = Fraction(0)
        return lim


class NoCap(L):
    def refill(self, now_ns):
        if now_ns > self.last_ns:
            self.tokens += self.rate * (now_ns - self.last_ns) / model.NS_PER_S
            self.last_ns = now_ns


class CapsWhatItEarnedNotWhatItHolds(L):
    def refill(self, now_ns):
        if now_ns > self.last_ns:
            earned = self.rate * (now_ns - self.last_ns) / model.NS_PER_S
            self.tokens += min(Fraction(self.burst), earned)
            self.last_ns = now_ns


class EarnsWholeTokensOnly(L):
    def refill(self, now_ns):
        if now_ns > self.last_ns:
            earned = math.floor(self.rate * (now_ns - self.last_ns) / model.NS_PER_S)
            self.tokens = min(Fraction(self.burst), self.tokens + earned)
            self.last_ns = now_ns


class AllowsOnPartialToken(L):
    def allow(self, now_ns):
        self.refill(now_ns)
        if self.tokens <= 0:
            return False
        self.tokens -= 1
        return True


class AllowsOnlyAboveOne(L):
    def allow(self, now_ns):
        self.refill(now_ns)
        if self.tokens <= 1:
            return False
        self.tokens -= 1
        return True


class RefusedAllowSpends(L):
    def allow(self, now_ns):
        allowed = super().allow(now_ns)
        if not allowed:
            self.tokens -= 1
        return allowed


class WaitSkipsRefill(L):
    def wait(self, now_ns):
        self.tokens -= 1
        return self.delay_ns()


class WaitsForOneTokenOnly(L):  # ignores the debt of the waiters before it
    def delay_ns(self):
        if self.tokens >= 0:
            return 0
        return math.ceil(min(-self.tokens, Fraction(1)) / self.rate * model.NS_PER_S)


class DelayRoundsDown(L):
    def delay_ns(self):
        return 0 if self.tokens >= 0 else math.floor(-self.tokens / self.rate * model.NS_PER_S)


class DelayRoundsToNearest(L):
    def delay_ns(self):
        return 0 if self.tokens >= 0 else round(-self.tokens / self.rate * model.NS_PER_S)


class DelayInWholeMilliseconds(L):
    def delay_ns(self):
        if self.tokens >= 0:
            return 0
        return math.ceil(-self.tokens / self.rate * 1000) * model.NS_PER_MS


class WakesOneMillisecondEarly(L):
    def wake(self, now_ns):
        super().wake(now_ns + model.NS_PER_MS)


class WakesOnlyAfterTheDeadline(L):
    def wake(self, now_ns):
        super().wake(now_ns - 1)


class TakesTheTokenOnWake(L):  # a waiter's token stays in the bucket until it wakes
    def wait(self, now_ns):
        delay = super().wait(now_ns)
        if delay:
            self.tokens += 1
        return delay

    def wake(self, now_ns):
        for r in self.reservations.values():
            if r.state == "asleep" and r.deadline_ns is not None and r.deadline_ns <= now_ns:
                self.refill(r.deadline_ns)
                self.tokens -= 1
        super().wake(now_ns)


class ForgivesATinyShortfall(L):  # Python's old 1e-9 token of tolerance in allow
    def allow(self, now_ns):
        self.refill(now_ns)
        if self.tokens < 1 - Fraction(1, 10**9):
            return False
        self.tokens -= 1
        return True


class ForgivesATinyDebt(L):  # Python's old "a debt of 1e-9 token is no debt" in wait
    def delay_ns(self):
        if -self.tokens <= Fraction(1, 10**9):
            return 0
        return super().delay_ns()


class WakesUpToOneNanosecondEarly(L):  # float seconds rounded to the nearest ns, or down
    def wake(self, now_ns):
        for r in self.reservations.values():
            if r.state == "asleep" and r.deadline_ns is not None and r.deadline_ns - 1 <= now_ns:
                r.state = "done"


class DelayNotCapped(L):  # Python's old "sleeps on" past Go's longest Duration
    def delay_ns(self):
        if self.tokens >= 0:
            return 0
        return math.ceil(-self.tokens / self.rate * model.NS_PER_S)


class DelayCappedAtInt64Seconds(L):  # a cap, but in the wrong unit
    def delay_ns(self):
        if self.tokens >= 0:
            return 0
        return min((2**63 - 1) * model.NS_PER_S, math.ceil(-self.tokens / self.rate * 10**9))


class CancelReturnsNothing(L):
    def give_back(self, now_ns):
        self.refill(now_ns)


class CancelUncapped(L):
    def give_back(self, now_ns):
        self.refill(now_ns)
        self.tokens += 1


class CancelAfterReturnGivesBack(L):
    def cancel(self, rid, now_ns):
        if self.reservations[rid].state == "done":
            self.give_back(now_ns)
        return super().cancel(rid, now_ns)


class CancelMovesLaterWaitersUp(L):
    def cancel(self, rid, now_ns):
        cancelled = super().cancel(rid, now_ns)
        if cancelled:
            interval = math.ceil(model.NS_PER_S / self.rate)
            for r in self.reservations.values():
                if r.state == "asleep":
                    r.deadline_ns -= interval
        return cancelled


class CancelledCallerSpends(L):
    def cancelled_before_it_began(self, now_ns):
        self.refill(now_ns)
        self.tokens -= 1


class StepBackMovesTheReading(L):
    def refill(self, now_ns):
        super().refill(now_ns)
        self.last_ns = now_ns


class StepBackEarnsToo(L):
    def refill(self, now_ns):
        if now_ns != self.last_ns:
            earned = self.rate * abs(now_ns - self.last_ns) / model.NS_PER_S
            self.tokens = min(Fraction(self.burst), self.tokens + earned)
            self.last_ns = now_ns


class AcceptsNaNRate(L):
    @classmethod
    def build(cls, rate, burst):
        if isinstance(rate, float) and math.isnan(rate):
            rate = Fraction(1)
        return super().build(rate, burst)


class AcceptsInfiniteRate(L):
    @classmethod
    def build(cls, rate, burst):
        if rate == math.inf:
            rate = Fraction(10**12)
        return super().build(rate, burst)


class AcceptsBurstZero(L):
    @classmethod
    def build(cls, rate, burst):
        return super().build(rate, max(burst, 1) if burst == 0 else burst)


class ChecksBurstFirst(L):
    @classmethod
    def build(cls, rate, burst):
        if burst < 1:
            raise model.ConfigError("burst")
        return super().build(rate, burst)


MUTANTS = [
    StartsEmpty,
    NoCap,
    CapsWhatItEarnedNotWhatItHolds,
    EarnsWholeTokensOnly,
    AllowsOnPartialToken,
    AllowsOnlyAboveOne,
    RefusedAllowSpends,
    WaitSkipsRefill,
    WaitsForOneTokenOnly,
    DelayRoundsDown,
    DelayRoundsToNearest,
    DelayInWholeMilliseconds,
    WakesOneMillisecondEarly,
    WakesOnlyAfterTheDeadline,
    TakesTheTokenOnWake,
    ForgivesATinyShortfall,
    ForgivesATinyDebt,
    WakesUpToOneNanosecondEarly,
    DelayNotCapped,
    DelayCappedAtInt64Seconds,
    CancelReturnsNothing,
    CancelUncapped,
    CancelAfterReturnGivesBack,
    CancelMovesLaterWaitersUp,
    CancelledCallerSpends,
    StepBackMovesTheReading,
    StepBackEarnsToo,
    AcceptsNaNRate,
    AcceptsInfiniteRate,
    AcceptsBurstZero,
    ChecksBurstFirst,
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.__name__ for m in MUTANTS])
def test_a_model_with_one_rule_broken_fails_some_case(mutant):
    assert cases_catching(model, mutant, CASES), f"no vector catches {mutant.__name__}"


EDGE_MUTANTS = [
    ForgivesATinyShortfall,
    ForgivesATinyDebt,
    WakesUpToOneNanosecondEarly,
    DelayNotCapped,
    DelayCappedAtInt64Seconds,
]


@pytest.mark.parametrize("mutant", EDGE_MUTANTS, ids=[m.__name__ for m in EDGE_MUTANTS])
def test_each_former_difference_is_pinned_by_two_edge_cases(mutant):
    # The three ways the twins once differed (a tolerance, float-second sleeps, no cap)
    # are each caught by at least two of the edge vectors, not by luck elsewhere.
    caught = []
    for _, case in CASES:
        if case["name"].startswith("edge:"):
            try:
                model.run_case(case, mutant)
            except model.Mismatch:
                caught.append(case["name"])
    assert len(caught) >= 2, f"{mutant.__name__} is caught by {caught}"
