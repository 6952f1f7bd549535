"""Visible tests for the token-bucket rate limiter: run them with the check cell."""


class FakeClock:
    """A clock that moves only when the test says so: call it to read the time."""

    def __init__(self, start=1000.0):
        self.t = start

    def __call__(self):
        return self.t

    def advance(self, seconds):
        self.t += seconds


def allows(limiter, n):
    """Call allow() n times: '+' for allowed, '-' for denied, e.g. '++-'."""
    return "".join("+" if limiter.allow() else "-" for _ in range(n))


def test_allows_burst_at_once(answer):
    limiter = answer.Limiter(rate=1, burst=3, clock=FakeClock())
    got = allows(limiter, 5)
    assert got == "+++--", (
        f"5 calls at the same instant with burst 3: got {got!r}, want '+++--' (+ allowed, - denied): "
        "the bucket starts full with burst tokens and each allow() spends one"
    )


def test_refills_at_rate(answer):
    clock = FakeClock()
    limiter = answer.Limiter(rate=2, burst=1, clock=clock)  # one token every 0.5 s
    elapsed = 0.0
    for advance, want in [(0, "+-"), (0.25, "-"), (0.25, "+-"), (0.5, "+-")]:
        clock.advance(advance)
        elapsed += advance
        got = allows(limiter, len(want))
        assert got == want, (
            f"rate 2/s, burst 1, at +{elapsed}s: got {got!r}, want {want!r}: "
            "add elapsed seconds * rate tokens before deciding"
        )


def test_fractional_rate(answer):
    clock = FakeClock()
    limiter = answer.Limiter(rate=0.5, burst=1, clock=clock)  # one token every 2 s
    allows(limiter, 1)
    clock.advance(1)
    got = allows(limiter, 1)
    assert got == "-", (
        f"rate 0.5/s: 1s after the last token got {got!r}, want '-': half a token is not a token"
    )
    clock.advance(1)
    got = allows(limiter, 2)
    assert got == "+-", (
        f"rate 0.5/s: 2s after the last token got {got!r}, want '+-': keep fractional tokens as a float"
    )


def test_never_more_than_burst(answer):
    clock = FakeClock()
    limiter = answer.Limiter(rate=10, burst=2, clock=clock)
    allows(limiter, 2)
    clock.advance(10)  # 100 tokens' worth of time
    got = allows(limiter, 4)
    assert got == "++--", (
        f"rate 10/s, burst 2, after 10s idle: got {got!r}, want '++--': "
        "the bucket never holds more than burst tokens (cap it with min)"
    )
