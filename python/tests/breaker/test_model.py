"""A Hypothesis state machine: the breaker against a small model of the spec.

The model below is the spec transcribed as plainly as possible: the window is
a list of every call recorded in the current state, filtered when asked,
and time-driven transitions are found by looping "is one due?". Hypothesis
drives both with the same random operations (asking, finishing in any order,
calls, time passing, manual transitions) on random configurations, and
after every step the state and the metrics must agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from twinbook.breaker import Breaker, Config, Permission
from twinbook.clock import ManualClock


@dataclass
class Grant:
    era: int
    at: int


@dataclass
class Model:
    cfg: dict[str, Any]
    state: str = "closed"
    since: int = 0
    era: int = 0
    records: list[tuple[int, bool, bool]] = field(
        default_factory=list
    )  # (completed at, failed, slow)
    in_flight: int = 0
    not_permitted: int = 0

    def go(self, to: str, at: int) -> None:
        self.state, self.since, self.era = to, at, self.era + 1
        self.records, self.in_flight = [], 0

    def consult(self, now: int) -> None:
        while True:
            if self.state == "open" and now >= self.since + self.cfg["wait_in_open_ms"]:
                self.go("half_open", self.since + self.cfg["wait_in_open_ms"])
            elif (
                self.state == "half_open"
                and self.cfg["max_wait_in_half_open_ms"] > 0
                and now >= self.since + self.cfg["max_wait_in_half_open_ms"]
            ):
                self.go("open", self.since + self.cfg["max_wait_in_half_open_ms"])
            else:
                return

    def window(self, now: int) -> tuple[list[tuple[int, bool, bool]], int]:
        """The calls in the window at ``now`` and the effective minimum."""
        c = self.cfg
        if self.state == "half_open":
            return self.records, c["half_open_permitted_calls"]
        if self.state != "closed":
            return [], 1
        if c["sliding_window"] == "count":
            return self.records[-c["window_size"] :], min(c["minimum_calls"], c["window_size"])
        second = now // 1000
        inside = [r for r in self.records if second - c["window_size"] < r[0] // 1000 <= second]
        return inside, c["minimum_calls"]

    def rates(self, now: int) -> tuple[int, int, int, float, float]:
        calls, minimum = self.window(now)
        failed = sum(r[1] for r in calls)
        slow = sum(r[2] for r in calls)
        if len(calls) < minimum or not calls:
            return len(calls), failed, slow, -1.0, -1.0
        return len(calls), failed, slow, failed * 100 / len(calls), slow * 100 / len(calls)

    def tripped(self, now: int) -> bool:
        _, _, _, failure_rate, slow_rate = self.rates(now)
        return failure_rate >= self.cfg["failure_rate_threshold"] or (
            slow_rate >= self.cfg["slow_call_rate_threshold"]
        )

    def acquire(self, now: int) -> Grant | None:
        self.consult(now)
        if self.state in ("closed", "disabled"):
            return Grant(self.era, now)
        if (
            self.state == "half_open"
            and self.in_flight + len(self.records) < self.cfg["half_open_permitted_calls"]
        ):
            self.in_flight += 1
            return Grant(self.era, now)
        self.not_permitted += 1
        return None

    def complete(self, grant: Grant, outcome: str, now: int) -> None:
        self.consult(now)
        if grant.era != self.era:
            return  # a late result
        slow = now - grant.at > self.cfg["slow_call_duration_ms"]
        if self.state == "half_open":
            self.in_flight -= 1
        if outcome == "ignored" or self.state not in ("closed", "half_open"):
            return
        self.records.append((now, outcome == "failure", slow))
        if self.state == "closed":
            if self.tripped(now):
                self.go("open", now)
        elif len(self.records) >= self.cfg["half_open_permitted_calls"]:
            self.go("open" if self.tripped(now) else "closed", now)

    def manual(self, op: str, now: int) -> None:
        self.consult(now)
        to = {
            "force_open": "forced_open",
            "disable": "disabled",
            "close": "closed",
            "reset": "closed",
        }[op]
        if op == "reset":
            self.not_permitted = 0
        if self.state != to:
            self.go(to, now)
        elif op == "reset":
            self.era += 1
            self.records = []


configs = st.fixed_dictionaries(
    {
        "sliding_window": st.sampled_from(["count", "time"]),
        "window_size": st.integers(1, 5),
        "minimum_calls": st.integers(1, 6),
        "failure_rate_threshold": st.sampled_from([20, 50, 100 / 3, 66.7, 100]),
        "slow_call_rate_threshold": st.sampled_from([25, 50, 100]),
        "slow_call_duration_ms": st.sampled_from([0, 100, 1000]),
        "wait_in_open_ms": st.sampled_from([0, 500, 2000]),
        "half_open_permitted_calls": st.integers(1, 3),
        "max_wait_in_half_open_ms": st.sampled_from([0, 300, 1500]),
    }
)
outcomes = st.sampled_from(["success", "failure", "failure", "ignored"])


class BreakerVsModel(RuleBasedStateMachine):
    @initialize(cfg=configs)
    def build(self, cfg: dict[str, Any]) -> None:
        self.now = 0
        self.clock = ManualClock()
        self.breaker = Breaker(Config.from_mapping(cfg), clock=self.clock)
        self.model = Model(cfg)
        self.open: list[tuple[Permission, Grant]] = []

    def at(self, ms: int) -> None:
        self.now += ms
        self.clock.set(self.now / 1000)

    @rule(ms=st.sampled_from([0, 1, 99, 100, 101, 299, 300, 499, 500, 999, 1000, 1500, 2000, 5000]))
    def time_passes(self, ms: int) -> None:
        self.at(ms)

    @rule()
    def acquire(self) -> None:
        real = self.breaker.try_acquire()
        grant = self.model.acquire(self.now)
        assert (real is not None) == (grant is not None)
        if real is not None and grant is not None:
            self.open.append((real, grant))

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data(), outcome=outcomes)
    def complete(self, data: st.DataObject, outcome: str) -> None:
        real, grant = self.open.pop(data.draw(st.integers(0, len(self.open) - 1)))
        real.complete(outcome)
        self.model.complete(grant, outcome, self.now)

    @rule(outcome=outcomes, duration=st.sampled_from([0, 1, 100, 101, 1000, 1001]))
    def call(self, outcome: str, duration: int) -> None:
        real = self.breaker.try_acquire()
        grant = self.model.acquire(self.now)
        assert (real is not None) == (grant is not None)
        if real is not None and grant is not None:
            self.at(duration)
            real.complete(outcome)
            self.model.complete(grant, outcome, self.now)

    @rule(op=st.sampled_from(["force_open", "disable", "close", "reset"]))
    def manual(self, op: str) -> None:
        getattr(self.breaker, op)()
        self.model.manual(op, self.now)

    @invariant()
    def agree(self) -> None:
        if not hasattr(self, "model"):
            return
        self.model.consult(self.now)
        m = self.breaker.metrics()
        assert m.state.value == self.model.state
        calls, failed, slow, failure_rate, slow_rate = self.model.rates(self.now)
        assert (m.calls, m.failed, m.slow) == (calls, failed, slow)
        assert (m.failure_rate, m.slow_call_rate) == (failure_rate, slow_rate)
        assert m.not_permitted == self.model.not_permitted


BreakerVsModel.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_breaker_matches_the_model = BreakerVsModel.TestCase
