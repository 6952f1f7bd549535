"""Visible tests for the count-window circuit breaker: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.Breaker``).
"""

from chapter_helpers import Clock, logged_breaker


def new_breaker(
    answer, clock, window_size=4, minimum_calls=4, failure_rate_threshold=50, wait_in_open_ms=5000
):
    """A Breaker on the fake clock; returns it and the list its transitions go to."""
    return logged_breaker(
        answer,
        clock,
        window_size=window_size,
        minimum_calls=minimum_calls,
        failure_rate_threshold=failure_rate_threshold,
        wait_in_open_ms=wait_in_open_ms,
    )


def run_calls(breaker, clock, outcomes, start=0, step=10):
    """One call every `step` ms: 'S' a success, 'F' a failure. Returns '+'/'-' per allow()."""
    allowed = ""
    for i, outcome in enumerate(outcomes):
        clock.now = start + i * step
        if breaker.allow():
            allowed += "+"
            breaker.record(outcome == "F")
        else:
            allowed += "-"
    return allowed


def test_opens_at_the_failure_rate_threshold(answer):
    clock = Clock()
    breaker, log = new_breaker(answer, clock)
    got = run_calls(breaker, clock, "SFS")
    assert breaker.state() == "closed", (
        "1 failure in 3 calls (and fewer than minimum_calls): stay closed"
    )
    got += run_calls(breaker, clock, "F", start=30)
    assert breaker.state() == "open", (
        "2 failures in 4 calls is a failure rate of 50%, and the threshold is 50: open at >= threshold"
    )
    assert log == ["closed->open"], f"transitions reported: {log}, want ['closed->open']"
    got += run_calls(breaker, clock, "SS", start=40)
    assert got == "++++--", (
        f"allow() answers {got!r}, want '++++--': an open breaker allows nothing"
    )


def test_no_decision_below_minimum_calls(answer):
    clock = Clock()
    breaker, _ = new_breaker(answer, clock, window_size=10, minimum_calls=5)
    run_calls(breaker, clock, "FFFF")
    assert breaker.state() == "closed", (
        "4 failures but minimum_calls is 5: no rate is evaluated yet"
    )
    m = breaker.metrics()
    assert m == {"calls": 4, "failed": 4, "failure_rate": -1}, (
        f"metrics {m}: the failure rate is -1 while the window holds fewer than the minimum"
    )
    run_calls(breaker, clock, "F", start=100)
    assert breaker.state() == "open", "the 5th failure reaches minimum_calls at 100%: open"


def test_window_keeps_only_the_last_calls(answer):
    clock = Clock()
    breaker, _ = new_breaker(answer, clock, window_size=3, minimum_calls=3)
    run_calls(breaker, clock, "FSSS")
    m = breaker.metrics()
    assert m == {"calls": 3, "failed": 0, "failure_rate": 0}, (
        f"after F,S,S,S in a window of 3: metrics {m}, want 3 calls, 0 failed: the oldest call falls out"
    )
    run_calls(breaker, clock, "F", start=100)
    assert breaker.state() == "closed", "S,S,F is 33% < 50%: stay closed"
    run_calls(breaker, clock, "F", start=200)
    assert breaker.state() == "open", "S,F,F is 67% >= 50%: open"


def test_half_open_exactly_when_the_wait_is_over(answer):
    clock = Clock()
    breaker, log = new_breaker(answer, clock, window_size=2, minimum_calls=2, wait_in_open_ms=1000)
    run_calls(breaker, clock, "FF", start=0)  # opens at 10 ms
    clock.now = 1009
    assert breaker.state() == "open", (
        "opened at 10 ms with wait_in_open_ms 1000: still open at 1009"
    )
    assert not breaker.allow(), "open at 1009 ms: allow() must be False"
    clock.now = 1010
    assert breaker.state() == "half_open", (
        "opened at 10 ms with wait_in_open_ms 1000: half_open at 1010"
    )
    assert log == ["closed->open", "open->half_open"], f"transitions: {log}"


def test_half_open_trial_call_decides(answer):
    clock = Clock()
    breaker, log = new_breaker(answer, clock, window_size=2, minimum_calls=2, wait_in_open_ms=1000)
    run_calls(breaker, clock, "FF")  # open at 10 ms
    clock.now = 1010
    assert breaker.allow(), "half_open lets one trial call through"
    assert not breaker.allow(), "half_open lets only one trial call through at a time"
    breaker.record(True)
    assert breaker.state() == "open", "a failed trial call opens the breaker again"
    clock.now = 2009
    assert breaker.state() == "open", (
        "reopened at 1010 ms: the wait starts again, still open at 2009"
    )
    clock.now = 2010
    assert breaker.allow(), "half_open again at 2010: one trial call"
    breaker.record(False)
    assert breaker.state() == "closed", "a successful trial call closes the breaker"
    assert log == [
        "closed->open",
        "open->half_open",
        "half_open->open",
        "open->half_open",
        "half_open->closed",
    ], f"transitions: {log}"


def test_every_transition_empties_the_window(answer):
    clock = Clock()
    breaker, _ = new_breaker(answer, clock, window_size=2, minimum_calls=2, wait_in_open_ms=1000)
    run_calls(breaker, clock, "FF")
    m = breaker.metrics()
    assert m == {"calls": 0, "failed": 0, "failure_rate": -1}, f"open: the window is empty, got {m}"
    clock.now = 1010
    breaker.allow()
    breaker.record(False)  # closed again
    run_calls(breaker, clock, "F", start=1020)
    assert breaker.state() == "closed", (
        "closed again, then one failure: 1 call < minimum 2; the failures from before must be gone"
    )
