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
