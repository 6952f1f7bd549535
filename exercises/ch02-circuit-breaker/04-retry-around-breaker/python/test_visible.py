"""Visible tests for retry around a circuit breaker: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.retry``).
"""

import threading

from twinbook.runner.plain import plain


class Script:
    """A stand-in breaker: rejects the calls whose numbers (1, 2, ...) are keys of `rejected`
    (with that retry_after_ms), runs fn for the others."""

    def __init__(self, answer, rejected=None):
        self.answer, self.rejected, self.calls = answer, dict(rejected or {}), 0

    def call(self, fn):
        self.calls += 1
        if self.calls in self.rejected:
            raise self.answer.BreakerOpen(self.rejected[self.calls])
        return fn()


class Flaky:
    """Raises errors[i] on its i-th call while there are some, then returns `value`."""

    def __init__(self, errors, value=42):
        self.errors, self.value, self.calls = list(errors), value, 0

    def __call__(self):
        self.calls += 1
        if self.calls <= len(self.errors):
            raise self.errors[self.calls - 1]
        return self.value


def run(
    answer,
    fn,
    breaker,
    attempts=5,
    base=100,
    cap=10_000,
    rand=0.5,
    retryable=None,
    stop=None,
    on_sleep=None,
):
    """retry(...) with a recording sleep (that calls ``on_sleep(n)`` at the n-th wait, if
    given); returns (value or the exception raised, sleeps). ``stop`` is passed only when
    given, so the tests that do not use it pass an answer without it too."""
    sleeps = []

    def sleep(ms):
        sleeps.append(ms)
        if on_sleep is not None:
            on_sleep(len(sleeps))

    given = {} if stop is None else {"stop": stop}
    try:
        value = answer.retry(
            fn,
            breaker,
            attempts=attempts,
            base_delay_ms=base,
            max_delay_ms=cap,
            sleep=sleep,
            rand=lambda: rand,
            retryable=retryable,
            **given,
        )
    except Exception as exc:  # returned for the test to look at
        value = exc
    return value, sleeps


def test_backoff_doubles_up_to_the_cap(answer):
    got = [answer.backoff_ms(n, 100, 1000, lambda: 0.5) for n in range(1, 7)]
    assert got == [50, 100, 200, 400, 500, 500], (
        f"backoff_ms(n, base 100, cap 1000, rand 0.5) for n = 1..6: {got}, want [50, 100, 200, 400, 500, 500]: "
        "int(rand() * min(cap, base * 2 ** (n - 1)))"
    )


def test_full_jitter_scales_by_rand(answer):
    assert plain(answer.backoff_ms(3, 100, 10_000, lambda: 0.0)) == 0, "rand() = 0: no wait at all"
    assert plain(answer.backoff_ms(3, 100, 10_000, lambda: 0.25)) == 100, (
        "rand() = 0.25 of a 400 ms cap: 100 ms"
    )
    assert plain(answer.backoff_ms(3, 100, 10_000, lambda: 0.999)) == 399, (
        "rand() = 0.999 of 400 ms: int(399.6) = 399"
    )


def test_returns_the_first_success(answer):
    fn = Flaky([ConnectionError("a"), ConnectionError("b")])
    value, sleeps = run(answer, fn, Script(answer))
    assert value == 42, f"two failures then 42: retry returned {value!r}"
    assert fn.calls == 3, f"fn called {fn.calls} times, want 3"
    assert sleeps == [50, 100], f"slept {sleeps}, want [50, 100] (backoff after failures 1 and 2)"


def test_gives_up_after_attempts_with_the_last_error(answer):
    errors = [ConnectionError(f"failure {i}") for i in range(1, 5)]
    fn = Flaky(errors)
    value, sleeps = run(answer, fn, Script(answer), attempts=3)
    assert value is errors[2], (
        f"3 attempts, all failed: want the 3rd attempt's exception raised, got {value!r}"
    )
    assert fn.calls == 3, f"attempts=3: fn called {fn.calls} times"
    assert sleeps == [50, 100], f"slept {sleeps}, want [50, 100]: no sleep after the last attempt"


def test_waits_out_an_open_breaker(answer):
    fn = Flaky([])
    breaker = Script(answer, rejected={1: 3000})
    value, sleeps = run(answer, fn, breaker)
    assert value == 42 and fn.calls == 1, f"got {value!r} after {fn.calls} fn calls"
    assert sleeps == [3000], (
        f"slept {sleeps} after a rejection with retry_after_ms 3000 (backoff 50): want [3000]: "
        "wait at least retry_after_ms"
    )


def test_a_non_retryable_error_is_raised_at_once(answer):
    boom = KeyError("not found")
    fn = Flaky([boom])
    value, sleeps = run(
        answer, fn, Script(answer), retryable=lambda exc: not isinstance(exc, KeyError)
    )
    assert value is boom, f"a non-retryable error must be raised at once, got {value!r}"
    assert fn.calls == 1 and sleeps == [], (
        f"fn called {fn.calls} times, slept {sleeps}: want 1 and []"
    )


def test_stops_when_the_caller_gives_up(answer):
    errors = [ConnectionError(f"failure {i}") for i in range(1, 6)]
    fn = Flaky(errors)
    stop = threading.Event()
    # the caller gives up during the 2nd wait (the user closed the page, say)
    value, sleeps = run(
        answer, fn, Script(answer), stop=stop, on_sleep=lambda n: n == 2 and stop.set()
    )
    assert fn.calls == 2, (
        f"the caller set stop during the 2nd wait: fn called {fn.calls} times, want 2: check "
        "stop before every attempt"
    )
    assert isinstance(value, answer.RetryCancelled), (
        f"the caller gave up: retry must raise RetryCancelled, got {value!r}"
    )
    assert value.__cause__ is errors[1], (
        f"RetryCancelled's cause is {value.__cause__!r}, want the last attempt's exception "
        f"{errors[1]!r}: raise RetryCancelled(...) from it"
    )
    assert sleeps == [50, 100], f"slept {sleeps}, want [50, 100]: no wait after giving up"
