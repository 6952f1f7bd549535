"""Hidden tests for the time window (instructors only).

test_hidden_conformance_vectors replays the project's conformance vectors (tests/vectors/breaker)
that use a time window, through a harness: the spec's breaker (a transcription of
tests/vectors/reference/breaker_model.py) whose closed state keeps its calls in the learner's
TimeWindow.
"""

import json
import math
import random
import tracemalloc

import pytest
from chapter_helpers import replay


class _Harness:
    """The spec's breaker, its closed window being the learner's TimeWindow."""

    def __init__(self, answer, cfg):
        self.cfg = cfg
        self.state = "closed"
        self.since = 0
        self.generation = 0
        self.window = answer.TimeWindow(cfg["window_size"], cfg["minimum_calls"])
        self.half_open = []  # (failed, slow) of the calls recorded since half_open began
        self.in_flight = 0
        self.log = []

    def _to(self, to, at_ms):
        self.log.append(f"{self.state}->{to}")
        self.state, self.since = to, at_ms
        self.generation += 1
        self.window.clear()
        self.half_open, self.in_flight = [], 0

    def advance(self, now):
        while True:
            if self.state == "open" and now >= self.since + self.cfg["wait_in_open_ms"]:
                self._to("half_open", self.since + self.cfg["wait_in_open_ms"])
            elif (
                self.state == "half_open"
                and self.cfg["max_wait_in_half_open_ms"] > 0
                and now >= self.since + self.cfg["max_wait_in_half_open_ms"]
            ):
                self._to("open", self.since + self.cfg["max_wait_in_half_open_ms"])
            else:
                return

    def acquire(self, now):
        self.advance(now)
        if self.state in ("closed", "disabled"):
            return (self.generation, now)
        if (
            self.state == "half_open"
            and self.in_flight + len(self.half_open) < self.cfg["half_open_permitted_calls"]
        ):
            self.in_flight += 1
            return (self.generation, now)
        return None

    def _over(self, m):
        return (
            m["failure_rate"] >= self.cfg["failure_rate_threshold"]
            or m["slow_call_rate"] >= self.cfg["slow_call_rate_threshold"]
        )

    def complete(self, permission, outcome, now):
        self.advance(now)
        generation, started = permission
        if generation != self.generation:
            return
        if self.state == "half_open":
            self.in_flight -= 1
        if outcome == "ignored" or self.state not in ("closed", "half_open"):
            return
        failed, slow = outcome == "failure", now - started > self.cfg["slow_call_duration_ms"]
        if self.state == "closed":
            self.window.record(now, failed, slow)
            if self._over(self.window.metrics(now)):
                self._to("open", now)
        else:
            self.half_open.append((failed, slow))
            if len(self.half_open) == self.cfg["half_open_permitted_calls"]:
                self._to("open" if self._over(self.metrics(now)) else "closed", now)

    def manual(self, op, now):
        self.advance(now)
        if op == "reset":
            if self.state == "closed":
                self.generation += 1
                self.window.clear()
            else:
                self._to("closed", now)
            return
        target = {"force_open": "forced_open", "disable": "disabled", "close": "closed"}[op]
        if self.state != target:
            self._to(target, now)

    def metrics(self, now):
        if self.state == "closed":
            return self.window.metrics(now)
        calls = len(self.half_open) if self.state == "half_open" else 0
        failed = sum(f for f, _ in self.half_open) if calls else 0
        slow = sum(s for _, s in self.half_open) if calls else 0
        evaluated = calls and calls >= self.cfg["half_open_permitted_calls"]
        return {
            "calls": calls,
            "failed": failed,
            "slow": slow,
            "failure_rate": failed * 100 / calls if evaluated else -1,
            "slow_call_rate": slow * 100 / calls if evaluated else -1,
        }


class _Driver:
    """The harness as the replayer drives it, at the time the replayer sets."""

    def __init__(self, answer, cfg):
        self.harness = _Harness(answer, cfg)
        self.now = 0

    @property
    def log(self):
        return self.harness.log

    def set_time(self, ms):
        self.now = ms

    def acquire(self):
        return self.harness.acquire(self.now)

    def complete(self, permission, outcome):
        self.harness.complete(permission, outcome, self.now)

    def manual(self, op):
        self.harness.manual(op, self.now)

    def metrics(self):
        self.harness.advance(self.now)
        return self.harness.metrics(self.now)

    def state(self):
        self.harness.advance(self.now)
        return self.harness.state


# vectors:begin (generated by tests/vectors/reference/exercise_vectors.py from tests/vectors/breaker; do not edit)
VECTORS = json.loads(r"""
[
{"name":"time: opens at the failure-rate threshold with both calls in one second","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":100,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":900,"op":"call","outcome":"success","duration_ms":0,"expect":{"permitted":true,"state":"open","transitions":["closed->open"]}}]},
{"name":"time: a call from the previous second still counts in a 2-second window","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":500,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1500,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: a call leaves the window when its second ages out","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":500,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":2000,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed","transitions":[]}},{"at_ms":2000,"op":"metrics","expect":{"calls":1,"failed":0,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":2500,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: bucket boundary between 999 ms and 1000 ms in a 1-second window","config":{"sliding_window":"time","window_size":1,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":999,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed","transitions":[]}},{"at_ms":1000,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":1999,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: metrics lose calls as their seconds leave the window","config":{"sliding_window":"time","window_size":3,"minimum_calls":1,"failure_rate_threshold":100,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1500,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":2999,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":2999,"op":"metrics","expect":{"calls":3,"failed":0,"slow":0,"failure_rate":0,"slow_call_rate":0}},{"at_ms":3000,"op":"metrics","expect":{"calls":2,"failed":0,"slow":0,"failure_rate":0,"slow_call_rate":0}},{"at_ms":3999,"op":"metrics","expect":{"calls":2,"failed":0,"slow":0,"failure_rate":0,"slow_call_rate":0}},{"at_ms":4000,"op":"metrics","expect":{"calls":1,"failed":0,"slow":0,"failure_rate":0,"slow_call_rate":0}},{"at_ms":5000,"op":"metrics","expect":{"calls":0,"failed":0,"slow":0,"failure_rate":-1,"slow_call_rate":-1,"state":"closed"}}]},
{"name":"time: a call is counted in the second it completes, not the second it started","config":{"sliding_window":"time","window_size":1,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":500,"op":"call","outcome":"failure","duration_ms":600,"expect":{"state":"closed"}},{"at_ms":1100,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":1200,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: rates are -1 below minimum_calls","config":{"sliding_window":"time","window_size":2,"minimum_calls":3,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":100,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":200,"op":"metrics","expect":{"calls":2,"failed":2,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":300,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: minimum_calls is not capped by window_size in a time window","config":{"sliding_window":"time","window_size":1,"minimum_calls":3,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":100,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":200,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: the passing of time alone never trips the breaker","config":{"sliding_window":"time","window_size":2,"minimum_calls":1,"failure_rate_threshold":60,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":2000,"op":"state","expect":{"state":"closed","transitions":[]}},{"at_ms":2000,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":100,"slow_call_rate":0,"state":"closed"}},{"at_ms":2100,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed","transitions":[]}}]},
{"name":"time: calls leaving the window raise the rate and the next record trips","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":75,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":100,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1900,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1950,"op":"metrics","expect":{"calls":3,"failed":1,"slow":0,"failure_rate":33.333333333333336,"slow_call_rate":0}},{"at_ms":2000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: a slow call is counted in its completion second","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":100,"slow_call_rate_threshold":50,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"success","duration_ms":1500,"expect":{"state":"closed"}},{"at_ms":1500,"op":"metrics","expect":{"calls":1,"failed":0,"slow":1,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":1600,"op":"call","outcome":"success","duration_ms":10,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: the closed window after half_open forgets calls from the same second","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":500,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":100,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":200,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}},{"at_ms":700,"op":"call","outcome":"success","duration_ms":0,"expect":{"permitted":true,"state":"closed","transitions":["open->half_open","half_open->closed"]}},{"at_ms":800,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed","transitions":[]}},{"at_ms":800,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":900,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: half_open keeps every probe whatever seconds pass","config":{"sliding_window":"time","window_size":1,"minimum_calls":1,"failure_rate_threshold":100,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":1000,"half_open_permitted_calls":2,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}},{"at_ms":1000,"op":"call","outcome":"success","duration_ms":0,"expect":{"permitted":true,"state":"half_open","transitions":["open->half_open"]}},{"at_ms":5000,"op":"metrics","expect":{"calls":1,"failed":0,"slow":0,"failure_rate":-1,"slow_call_rate":-1,"state":"half_open"}},{"at_ms":5000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"permitted":true,"state":"closed","transitions":["half_open->closed"]}}]},
{"name":"time: buckets are absolute seconds at a large clock value","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":86398999,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":86400000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed","transitions":[]}},{"at_ms":86400000,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":86400999,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]}
]
""")
# vectors:end


@pytest.mark.parametrize("case", VECTORS, ids=[c["name"] for c in VECTORS])
def test_hidden_conformance_vectors(answer, case):
    replay(case, _Driver(answer, case["config"]))


def test_hidden_a_long_gap_empties_the_window(answer):
    w = answer.TimeWindow(size_s=10, minimum_calls=1)
    for at_ms in range(0, 10_000, 100):
        w.record(at_ms, failed=True, slow=False)
    m = w.metrics(86_400_000)
    assert (m["calls"], m["failure_rate"]) == (0, -1), f"a day later the window is empty: {m}"
    w.record(86_400_500, failed=False, slow=False)
    m = w.metrics(86_400_500)
    assert (m["calls"], m["failed"]) == (1, 0), f"one call a day later: {m}, want 1 call, 0 failed"


def test_hidden_a_bucket_is_reused_for_a_newer_second(answer):
    w = answer.TimeWindow(size_s=2, minimum_calls=1)
    w.record(500, failed=True, slow=True)  # second 0
    w.record(1500, failed=False, slow=False)  # second 1
    w.record(2500, failed=False, slow=False)  # second 2: second 0 has left
    m = w.metrics(2500)
    assert (m["calls"], m["failed"], m["slow"]) == (2, 0, 0), (
        f"calls at 500, 1500, 2500 ms in a 2-second window read at 2500: {m}, want 2 calls, 0 failed, 0 slow"
    )


def test_hidden_matches_a_brute_force_count(answer):
    rng = random.Random(20250602)
    size, minimum = 7, 5
    w = answer.TimeWindow(size_s=size, minimum_calls=minimum)
    calls = []
    now = 0
    for i in range(3000):
        now += rng.choice([0, 1, 17, 250, 999, 1000, 1001, 4000, 9000])
        if rng.random() < 0.7:
            failed, slow = rng.random() < 0.4, rng.random() < 0.3
            w.record(now, failed=failed, slow=slow)
            calls.append((now // 1000, failed, slow))
        newest = now // 1000
        inside = [c for c in calls if newest - size < c[0] <= newest]
        n = len(inside)
        want = {"calls": n, "failed": sum(c[1] for c in inside), "slow": sum(c[2] for c in inside)}
        got = w.metrics(now)
        assert {k: got[k] for k in want} == want, f"step {i} at {now} ms: {got}, want {want}"
        want_rate = want["failed"] * 100 / n if n >= minimum else -1
        assert math.isclose(got["failure_rate"], want_rate, abs_tol=1e-6), (
            f"step {i} at {now} ms: {got}"
        )


def test_hidden_memory_stays_bounded(answer):
    w = answer.TimeWindow(size_s=3, minimum_calls=1)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        # one call a second for 20,000 seconds: keeping every call or every second takes
        # over a megabyte, the window's three buckets a few hundred bytes
        for at_ms in range(0, 20_000_000, 1000):
            w.record(at_ms, failed=False, slow=False)
        grew = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert w.metrics(19_999_999)["calls"] == 3, "one call a second, a 3-second window: 3 calls"
    assert grew <= 256 << 10, (
        f"20,000 calls grew the memory by {grew} bytes: keep one bucket per second of the window, "
        "not every call or every second"
    )


def test_hidden_minimum_calls_0_has_no_rate_without_calls(answer):
    w = answer.TimeWindow(size_s=2, minimum_calls=0)
    m = w.metrics(0)
    assert (m["calls"], m["failure_rate"], m["slow_call_rate"]) == (0, -1, -1), (
        f"minimum_calls 0, no call yet: {m}, want 0 calls and both rates -1 (no calls, no rate: "
        "never divide by 0)"
    )
    w.record(100, failed=True, slow=False)
    m = w.metrics(100)
    assert (m["calls"], m["failure_rate"], m["slow_call_rate"]) == (1, 100, 0), (
        f"minimum_calls 0, one failed call: {m}, want 1 call, failure_rate 100, slow_call_rate 0"
    )
    m = w.metrics(5000)
    assert (m["calls"], m["failure_rate"], m["slow_call_rate"]) == (0, -1, -1), (
        f"minimum_calls 0, read at 5000 ms when the call has left the window: {m}, want 0 calls "
        "and both rates -1"
    )
