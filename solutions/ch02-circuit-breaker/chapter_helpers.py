"""Helpers the tests of this chapter's exercises share: the fake clock, a breaker that logs its transitions, and
the replayer of
the conformance vectors. The checker places this file beside an exercise's tests, so a test
file imports it: ``from chapter_helpers import Clock``.
"""

import math


class Clock:
    """A fake clock in milliseconds: time moves only when the test says so."""

    def __init__(self, now=0):
        self.now = now

    def __call__(self):
        return self.now


def logged_breaker(answer, clock, **config):
    """``answer.Breaker(**config)`` on ``clock``; returns it and the list its transitions go
    to ("from->to")."""
    log = []
    breaker = answer.Breaker(
        **config, clock=clock, on_transition=lambda a, b: log.append(f"{a}->{b}")
    )
    return breaker, log


def count_window_metrics(m):
    """A metrics dict of a breaker without slow calls, in the vectors' terms: no call is
    slow, so the slow-call rate is 0 once the failure rate is evaluated (-1 before)."""
    return {
        "calls": m["calls"],
        "failed": m["failed"],
        "failure_rate": m["failure_rate"],
        "slow": 0,
        "slow_call_rate": -1 if m["failure_rate"] == -1 else 0,
    }


class BreakerDriver:
    """What the replayer's drivers around a learner's Breaker on a fake clock share (see
    :func:`replay`); an exercise's subclass adds ``acquire`` and ``complete``."""

    def __init__(self, answer, **config):
        self.clock = Clock(0)
        self.breaker, self.log = logged_breaker(answer, self.clock, **config)

    def set_time(self, ms):
        self.clock.now = ms

    def metrics(self):
        return count_window_metrics(self.breaker.metrics())

    def state(self):
        return self.breaker.state()


MANUAL_OPS = ("force_open", "disable", "close", "reset")


def replay(case, driver):
    """Replay one conformance vector (a case of the project's breaker vectors, which the
    hidden tests carry) step by step on ``driver``, an exercise's adapter around the
    learner's code, and assert every expectation.

    The driver has ``log`` (the transitions, "from->to", the replayer empties it at every
    step) and the methods ``set_time(ms)``, ``acquire()`` (a permission, or None when
    rejected), ``complete(permission, outcome)``, ``metrics()`` (a dict in the vectors'
    terms) and ``state()``; ``manual(op)`` only when the exercise has manual transitions.
    """
    permissions = {}
    for i, step in enumerate(case["steps"]):
        where = f"{case['name']}: step {i} ({step['op']} at {step['at_ms']} ms)"
        op = step["op"]
        driver.set_time(step["at_ms"])
        driver.log.clear()
        got = {}
        if op == "call":
            permission = driver.acquire()
            got["permitted"] = permission is not None
            if permission is not None:
                driver.set_time(step["at_ms"] + step["duration_ms"])
                driver.complete(permission, step["outcome"])
        elif op == "acquire":
            permissions[step["id"]] = driver.acquire()
            got["permitted"] = permissions[step["id"]] is not None
        elif op == "complete":
            driver.complete(permissions.pop(step["id"]), step["outcome"])
        elif op in MANUAL_OPS and hasattr(driver, "manual"):
            driver.manual(op)
        elif op == "metrics":
            got.update(driver.metrics())
        elif op != "state":
            raise AssertionError(f"{where}: op {op!r} is not part of this exercise")
        got["state"] = driver.state()
        got["transitions"] = list(driver.log)
        for key, want in step.get("expect", {}).items():
            assert key in got, f"{where}: unknown expectation {key!r}"
            if key.endswith("rate"):
                ok = math.isclose(got[key], want, abs_tol=1e-6)
            else:
                ok = got[key] == want
            assert ok, f"{where}: {key} is {got[key]!r}, want {want!r}"
