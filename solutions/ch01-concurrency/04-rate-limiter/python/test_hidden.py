"""Hidden tests for the token-bucket rate limiter (instructors only)."""

import threading

from test_visible import FakeClock, allows


def test_hidden_long_idle_does_not_exceed_burst(answer):
    clock = FakeClock(5000.0)
    limiter = answer.Limiter(rate=1, burst=5, clock=clock)
    allows(limiter, 5)
    clock.advance(365 * 24 * 3600)
    got = allows(limiter, 7)
    assert got == "+++++--", f"burst 5 after a year idle: got {got!r}, want '+++++--'"


def test_hidden_clock_going_backwards(answer):
    clock = FakeClock(5000.0)
    limiter = answer.Limiter(rate=1, burst=2, clock=clock)
    allows(limiter, 1)  # one token left
    clock.advance(-5)
    got = allows(limiter, 2)
    assert got == "+-", (
        f"after the clock stepped back 5s with one token left: got {got!r}, want '+-': "
        "a negative elapsed time must neither add nor remove tokens"
    )
    clock.advance(5 + 1)  # back where it started, then one more second
    got = allows(limiter, 1)
    assert got == "+", f"1s after the clock came back: got {got!r}, want '+'"


def test_hidden_zero_rate_only_burst(answer):
    clock = FakeClock(5000.0)
    limiter = answer.Limiter(rate=0, burst=2, clock=clock)
    got = allows(limiter, 3)
    assert got == "++-", f"rate 0, burst 2: got {got!r}, want '++-'"
    clock.advance(3600)
    got = allows(limiter, 1)
    assert got == "-", (
        f"rate 0: an hour later got {got!r}, want '-': with rate 0 the bucket never refills"
    )


def test_hidden_zero_burst_never_allows(answer):
    clock = FakeClock(5000.0)
    limiter = answer.Limiter(rate=100, burst=0, clock=clock)
    allows(limiter, 1)
    clock.advance(60)
    got = allows(limiter, 3)
    assert got == "---", (
        f"burst 0: got {got!r}, want '---': a bucket of size 0 can never hold a whole token"
    )


def test_hidden_denied_calls_do_not_spend(answer):
    clock = FakeClock(5000.0)
    limiter = answer.Limiter(rate=1, burst=1, clock=clock)
    allows(limiter, 1)
    allows(limiter, 100)  # all denied: they must not dig a hole in the bucket
    clock.advance(1)
    got = allows(limiter, 1)
    assert got == "+", (
        f"rate 1/s: 1s after 100 denied calls got {got!r}, want '+': only an allowed call spends a token"
    )


def test_hidden_partial_tokens_carry_over(answer):
    clock = FakeClock(5000.0)
    limiter = answer.Limiter(rate=1, burst=1, clock=clock)
    allows(limiter, 1)
    clock.advance(0.5)
    got = allows(limiter, 1)
    assert got == "-", f"after 0.5s at 1/s got {got!r}, want '-'"
    clock.advance(0.5)
    got = allows(limiter, 1)
    assert got == "+", (
        f"after 0.5s + 0.5s at 1/s got {got!r}, want '+': the half token earned before a denied call must be kept"
    )


def test_hidden_steady_rate(answer):
    clock = FakeClock(0.0)
    limiter = answer.Limiter(rate=10, burst=1, clock=clock)
    allowed = 0
    for i in range(1, 10_001):  # 10 s in 1 ms steps
        if limiter.allow():
            allowed += 1
        clock.t = i / 1000
    assert 100 <= allowed <= 101, (
        f"rate 10/s, burst 1, calling every 1ms for 10s: {allowed} allowed, want 100 or 101"
    )


def test_hidden_concurrent_allow(answer):
    clock = FakeClock(5000.0)
    limiter = answer.Limiter(rate=1, burst=50, clock=clock)
    allowed = []
    start = threading.Barrier(20)

    def worker():
        start.wait()
        for _ in range(10):
            if limiter.allow():
                allowed.append(1)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(allowed) == 50, (
        f"20 threads x 10 calls at one instant with burst 50: {len(allowed)} allowed, want 50: "
        "guard the bucket with a threading.Lock"
    )


class Laggard:
    """Schedules two calls of allow() deterministically: the laggard's call is held at its
    first arithmetic on a value of the clock or on the rate (after it has read the bucket,
    before it writes it back) until the runner's whole call has returned. Without a lock the
    laggard then writes back what it read before the runner spent its token. With a lock the
    runner queues behind the laggard, so the laggard stops waiting after ``patience`` seconds
    (the only time a correct answer pays)."""

    def __init__(self, patience=0.1):
        self.patience = patience
        self.laggard = None  # the thread to hold
        self.held = threading.Event()  # the laggard is being held
        self.runner_done = threading.Event()

    def step(self):
        if threading.current_thread() is self.laggard and not self.held.is_set():
            self.held.set()
            self.runner_done.wait(self.patience)


class Tick(float):
    """A float that calls ``schedule.step()`` before each arithmetic or comparison, and whose
    arithmetic gives Ticks: the clock's times, the rate and what is computed from them."""

    def __new__(cls, value, schedule):
        tick = super().__new__(cls, value)
        tick.schedule = schedule
        return tick

    def _op(name):  # noqa: N805 (builds the methods below)
        def op(self, *other):
            self.schedule.step()
            result = getattr(float(self), name)(*(float(o) for o in other))
            if isinstance(result, float):
                return Tick(result, self.schedule)
            return result

        return op

    __add__, __radd__ = _op("__add__"), _op("__radd__")
    __sub__, __rsub__ = _op("__sub__"), _op("__rsub__")
    __mul__, __rmul__ = _op("__mul__"), _op("__rmul__")
    __truediv__, __rtruediv__ = _op("__truediv__"), _op("__rtruediv__")
    __lt__, __le__, __gt__, __ge__ = _op("__lt__"), _op("__le__"), _op("__gt__"), _op("__ge__")
    __neg__ = _op("__neg__")
    del _op


class TickClock(FakeClock):
    """FakeClock whose times are Ticks."""

    def __init__(self, schedule, start=5000.0):
        super().__init__(start)
        self.schedule = schedule

    def __call__(self):
        return Tick(self.t, self.schedule)


def test_hidden_no_token_spent_twice_by_two_threads(answer):
    schedule = Laggard()
    clock = TickClock(schedule)
    limiter = answer.Limiter(rate=Tick(1.0, schedule), burst=1, clock=clock)
    allows(limiter, 1)  # the bucket is empty now
    clock.advance(1)  # one token's worth of time: exactly one of the two calls below gets it
    got = {}

    def call(who):
        got[who] = limiter.allow()
        if who == "runner":
            schedule.runner_done.set()

    schedule.laggard = threading.Thread(target=call, args=("laggard",))
    runner = threading.Thread(target=call, args=("runner",))
    schedule.laggard.start()
    while schedule.laggard.is_alive() and not schedule.held.wait(0.01):
        pass  # until the laggard is held inside allow() (or has returned: never held)
    runner.start()
    for thread in (schedule.laggard, runner):
        thread.join(5)
    assert not schedule.laggard.is_alive() and not runner.is_alive(), (
        "allow() did not return within 5s when two threads called it at once (a deadlock?)"
    )
    allowed = [who for who, ok in got.items() if ok]
    assert len(allowed) == 1, (
        f"two threads called allow() at once with one token's worth of time in the bucket: "
        f"{len(allowed)} allowed ({', '.join(sorted(allowed)) or 'none'}), want exactly 1: one thread "
        "read the bucket, the other spent the token, then the first wrote back what it had read; "
        "hold one threading.Lock over all of allow() (read the clock, refill, check, spend)"
    )
