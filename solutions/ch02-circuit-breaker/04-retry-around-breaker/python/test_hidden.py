"""Hidden tests for retry around a circuit breaker (instructors only).

The last tests wrap retry around a real breaker (the spec's count-window breaker with a
one-call half-open, on a fake clock that sleep() advances) and check the whole story.
"""

import threading

from test_visible import Flaky, Script, run


class _Clock:
    def __init__(self):
        self.now = 0

    def sleep(self, ms):
        self.now += ms


class _Breaker:
    """Window 2, minimum 2, threshold 50%, wait 1000 ms, one trial call in half_open."""

    def __init__(self, answer, clock):
        self.answer, self.clock = answer, clock
        self.state, self.window, self.opened_at = "closed", [], 0

    def call(self, fn):
        now = self.clock.now
        if self.state == "open" and now >= self.opened_at + 1000:
            self.state = "half_open"
        if self.state == "open":
            raise self.answer.BreakerOpen(self.opened_at + 1000 - now)
        try:
            value = fn()
        except Exception:
            self._record(True)
            raise
        self._record(False)
        return value

    def _record(self, failed):
        if self.state == "half_open":
            self.state, self.window = ("open" if failed else "closed"), []
        else:
            self.window = (self.window + [failed])[-2:]
            if len(self.window) == 2 and sum(self.window) * 100 / 2 >= 50:
                self.state, self.window = "open", []
        if self.state == "open":
            self.opened_at = self.clock.now


def test_hidden_success_at_once_never_sleeps(answer):
    value, sleeps = run(answer, Flaky([]), Script(answer))
    assert (value, sleeps) == (42, []), f"first call succeeded: got {value!r}, slept {sleeps}"


def test_hidden_rejected_last_attempt_raises_breaker_open(answer):
    value, sleeps = run(answer, Flaky([]), Script(answer, rejected={1: 10, 2: 10}), attempts=2)
    assert isinstance(value, answer.BreakerOpen), (
        f"the last attempt was rejected: want BreakerOpen raised, got {value!r}"
    )
    assert sleeps == [50], f"slept {sleeps}, want [50]"


def test_hidden_breaker_open_is_retried_whatever_retryable_says(answer):
    value, sleeps = run(
        answer, Flaky([]), Script(answer, rejected={1: 700}), retryable=lambda exc: False
    )
    assert value == 42 and sleeps == [700], (
        f"retryable is about fn's own errors; a rejection is waited out: got {value!r}, slept {sleeps}"
    )


def test_hidden_attempts_below_one_is_an_error(answer):
    for attempts in (0, -3):
        fn = Flaky([])
        value, _ = run(answer, fn, Script(answer), attempts=attempts)
        assert isinstance(value, ValueError), f"attempts={attempts}: want ValueError, got {value!r}"
        assert fn.calls == 0, "attempts < 1: fn must not be called"


def test_hidden_backoff_stays_at_the_cap_for_many_failures(answer):
    got = answer.backoff_ms(500, 100, 30_000, lambda: 0.5)
    assert got == 15_000, (
        f"backoff_ms(500, 100, 30000, rand 0.5) = {got}, want 15000: the cap holds however many failures"
    )


def test_hidden_one_attempt_means_no_retry(answer):
    boom = ConnectionError("x")
    fn = Flaky([boom])
    value, sleeps = run(answer, fn, Script(answer), attempts=1)
    assert value is boom and fn.calls == 1 and sleeps == [], (
        f"attempts=1: got {value!r}, {fn.calls} calls, slept {sleeps}"
    )


def test_hidden_around_a_real_breaker_that_stays_broken(answer):
    clock = _Clock()
    breaker = _Breaker(answer, clock)
    calls = []

    def fn():
        calls.append(clock.now)
        raise OSError(f"down at {clock.now}")

    sleeps = []

    def sleep(ms):
        sleeps.append(ms)
        clock.sleep(ms)

    try:
        answer.retry(
            fn,
            breaker,
            attempts=6,
            base_delay_ms=100,
            max_delay_ms=10_000,
            sleep=sleep,
            rand=lambda: 0.5,
        )
        raised = None
    except Exception as exc:
        raised = exc
    # t=0 fail, t=50 fail (opens), t=150 rejected (900 ms left), t=1050 trial fails (reopens),
    # t=1450 rejected (600 ms left, backoff 800), t=2250 trial fails: the last attempt
    assert sleeps == [50, 100, 900, 400, 800], f"slept {sleeps}, want [50, 100, 900, 400, 800]"
    assert calls == [0, 50, 1050, 2250], (
        f"fn ran at {calls} ms, want [0, 50, 1050, 2250]: rejected attempts never reach fn"
    )
    assert isinstance(raised, OSError), f"the last attempt's error must be raised, got {raised!r}"


def test_hidden_around_a_real_breaker_that_recovers(answer):
    clock = _Clock()
    breaker = _Breaker(answer, clock)

    def fn():
        if clock.now < 1000:
            raise OSError("down")
        return "up"

    sleeps = []

    def sleep(ms):
        sleeps.append(ms)
        clock.sleep(ms)

    value = answer.retry(
        fn,
        breaker,
        attempts=6,
        base_delay_ms=100,
        max_delay_ms=10_000,
        sleep=sleep,
        rand=lambda: 0.5,
    )
    assert value == "up" and sleeps == [50, 100, 900], (
        f"got {value!r}, slept {sleeps}: want 'up' after [50, 100, 900]"
    )
    assert breaker.state == "closed", "the successful trial call closed the breaker"


def test_hidden_a_caller_that_gave_up_before_gets_no_call(answer):
    fn = Flaky([])
    breaker = Script(answer)
    stop = threading.Event()
    stop.set()
    value, sleeps = run(answer, fn, breaker, stop=stop)
    assert breaker.calls == 0 and fn.calls == 0, (
        f"stop was set before retry began: breaker.call ran {breaker.calls} times, want 0"
    )
    assert isinstance(value, answer.RetryCancelled) and value.__cause__ is None, (
        f"stop set before the first attempt: want RetryCancelled with no cause, got {value!r} "
        f"(cause {getattr(value, '__cause__', None)!r})"
    )
    assert sleeps == [], f"slept {sleeps}, want no wait"


def test_hidden_a_caller_that_gives_up_while_the_breaker_is_open(answer):
    fn = Flaky([])
    breaker = Script(answer, rejected={1: 60_000, 2: 60_000})
    stop = threading.Event()
    value, sleeps = run(answer, fn, breaker, stop=stop, on_sleep=lambda n: stop.set())
    assert breaker.calls == 1, (
        f"the caller gave up while waiting out an open breaker: {breaker.calls} attempts, want 1"
    )
    assert isinstance(value, answer.RetryCancelled) and isinstance(
        value.__cause__, answer.BreakerOpen
    ), (
        f"want RetryCancelled from the BreakerOpen of the last attempt, got {value!r} "
        f"(cause {getattr(value, '__cause__', None)!r})"
    )
    assert sleeps == [60_000], f"slept {sleeps}, want [60000]"


def test_hidden_an_unset_stop_changes_nothing(answer):
    fn = Flaky([ConnectionError("a"), ConnectionError("b")])
    value, sleeps = run(answer, fn, Script(answer), stop=threading.Event())
    assert value == 42 and sleeps == [50, 100], (
        f"stop given but never set: got {value!r}, slept {sleeps}; want 42 after [50, 100]"
    )
