"""Helpers the tests of this chapter's exercises share: the fake clock, a clock that makes two
threads meet inside a breaker, a breaker that logs its transitions, and the replayer of the
conformance vectors. The checker places this file beside an exercise's tests, so a test
file imports it: ``from chapter_helpers import Clock``.
"""

import math
import threading


class Clock:
    """A fake clock in milliseconds: time moves only when the test says so."""

    def __init__(self, now=0):
        self.now = now

    def __call__(self):
        return self.now


class MeetingClock(Clock):
    """A fake clock that, once armed, makes the first thread that reads it wait for a second
    one: it stops a thread in the middle of a breaker's check-then-act (the clock is read
    between "is the wait over?" and the transition), so that another thread gets in there.

    A breaker that holds its lock while it reads the clock keeps the second thread out: the
    first one waits ``patience`` seconds alone, the clock disarms itself and the test goes
    on, with the right answer. A breaker without the lock lets the second thread in: the two
    meet here and both go on from the same point, so the missing lock shows in what the
    breaker does, every run, not by luck. ``patience`` only bounds what a correct breaker
    costs; the second thread is already running when the first one waits.
    """

    def __init__(self, now=0, patience=0.2):
        super().__init__(now)
        self._patience = patience
        self._armed = False
        self._meeting = threading.Barrier(2)
        self.waiting = threading.Event()  # set when the first thread waits in now()
        self.met = False  # two threads were inside the clock at once

    def arm(self):
        """From now on, the first reader waits for a second one (once)."""
        self._meeting = threading.Barrier(2, timeout=self._patience)
        self.waiting.clear()
        self._armed = True

    def __call__(self):
        if self._armed:
            self.waiting.set()
            try:
                self._meeting.wait()
                self.met = True
            except threading.BrokenBarrierError:
                pass  # alone: the breaker's lock keeps the other thread out
            self._armed = False
        return self.now


def _meet(clock, first, second, results, timeout):
    """One scene of :func:`meetings`; what ``first`` and ``second`` did goes to ``results``."""

    def run(i, fn):
        try:
            results[i] = fn()
        except Exception as exc:  # a racing answer may raise: the test reports what it did
            results[i] = exc

    one = threading.Thread(target=run, args=(0, first), daemon=True)
    clock.arm()
    one.start()
    while not clock.waiting.wait(0.005) and one.is_alive():
        pass  # until the first thread waits in the clock (or finished without reading it)
    two = threading.Thread(target=run, args=(1, second), daemon=True)
    two.start()
    one.join(timeout)
    two.join(timeout)


def meetings(*scenes, timeout=5.0):
    """For each scene ``(clock, first, second)`` (clock a MeetingClock): run ``first()`` in a
    thread and, once it waits in the clock, ``second()`` in another; the scenes run at the
    same time, so a correct breaker costs one ``patience`` in all. Returns, per scene, the
    pair of what ``first`` and ``second`` returned (or raised)."""
    results = [[None, None] for _ in scenes]
    threads = [
        threading.Thread(target=_meet, args=(*scene, results[i], timeout), daemon=True)
        for i, scene in enumerate(scenes)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout * 2)
    return [tuple(r) for r in results]


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
