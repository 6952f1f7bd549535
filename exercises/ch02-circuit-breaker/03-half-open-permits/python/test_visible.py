"""Visible tests for half-open permits and late results: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.Breaker``).
"""

from chapter_helpers import Clock, logged_breaker


def new_breaker(
    answer,
    clock,
    window_size=2,
    minimum_calls=2,
    failure_rate_threshold=50,
    wait_in_open_ms=1000,
    half_open_permitted_calls=2,
):
    """A Breaker on the fake clock; returns it and the list its transitions go to."""
    return logged_breaker(
        answer,
        clock,
        window_size=window_size,
        minimum_calls=minimum_calls,
        failure_rate_threshold=failure_rate_threshold,
        wait_in_open_ms=wait_in_open_ms,
        half_open_permitted_calls=half_open_permitted_calls,
    )


def call(breaker, outcome):
    """acquire() then complete() at once; True if it was permitted."""
    permission = breaker.acquire()
    if permission is None:
        return False
    breaker.complete(permission, outcome)
    return True


def trip(breaker, clock):
    """Two failures at 0 and 10 ms: open at 10 ms, half_open at 1010 ms (window 2, wait 1000)."""
    for clock.now in (0, 10):
        call(breaker, "failure")
    assert breaker.state() == "open", "two failures out of two calls must open the breaker"


def test_closed_two_step_calls_open_at_the_threshold(answer):
    clock = Clock()
    breaker, log = new_breaker(answer, clock, window_size=4, minimum_calls=4)
    permissions = [breaker.acquire() for _ in range(4)]
    assert all(p is not None for p in permissions), "closed: acquire() permits every call"
    for p, outcome in zip(permissions, ["success", "failure", "success", "failure"], strict=True):
        breaker.complete(p, outcome)
    assert breaker.state() == "open", "2 failures in 4 calls is 50% >= 50: open"
    assert breaker.acquire() is None, "open: acquire() returns None"
    assert log == ["closed->open"], f"transitions: {log}"


def test_half_open_permits_count_calls_in_flight(answer):
    clock = Clock()
    breaker, log = new_breaker(answer, clock)
    trip(breaker, clock)
    clock.now = 1010
    a, b, c = breaker.acquire(), breaker.acquire(), breaker.acquire()
    assert a is not None and b is not None, (
        "half_open with 2 permits: the first two acquire() succeed"
    )
    assert c is None, (
        "half_open with 2 permits, 2 calls in flight: the third acquire() must be rejected"
    )
    breaker.complete(a, "success")
    assert breaker.acquire() is None, (
        "1 result recorded + 1 call in flight = 2 permits used: a recorded call does not give its permit back"
    )
    breaker.complete(b, "success")
    assert breaker.state() == "closed", "2 trial successes: closed"
    assert log == ["closed->open", "open->half_open", "half_open->closed"], f"transitions: {log}"


def test_half_open_decides_over_exactly_the_permitted_calls(answer):
    clock = Clock()
    breaker, _ = new_breaker(answer, clock, half_open_permitted_calls=3)
    trip(breaker, clock)
    clock.now = 1010
    call(breaker, "failure")
    call(breaker, "failure")
    assert breaker.state() == "half_open", (
        "2 of 3 trial calls: no decision before all 3 are recorded"
    )
    m = breaker.metrics()
    assert m == {"calls": 2, "failed": 2, "failure_rate": -1}, (
        f"half_open metrics {m}: 2 results, rate -1 until all 3"
    )
    call(breaker, "success")
    assert breaker.state() == "open", "2 failures in 3 trial calls is 67% >= 50%: open again"
    clock.now = 2009
    assert breaker.state() == "open", "reopened at 1010 ms: still open at 2009"
    clock.now = 2010
    assert breaker.state() == "half_open", "reopened at 1010 ms: half_open at 2010"


def test_ignored_gives_the_permit_back(answer):
    clock = Clock()
    breaker, _ = new_breaker(answer, clock)
    trip(breaker, clock)
    clock.now = 1010
    a, b = breaker.acquire(), breaker.acquire()
    breaker.complete(a, "ignored")
    c = breaker.acquire()
    assert c is not None, "an ignored result records nothing and frees its half-open permit"
    breaker.complete(b, "success")
    assert breaker.state() == "half_open", "only 1 result recorded of 2: no decision yet"
    breaker.complete(c, "failure")
    assert breaker.state() == "open", "success + failure = 50% >= 50%: open again"


def test_late_result_from_before_a_trip_is_discarded(answer):
    clock = Clock()
    breaker, _ = new_breaker(answer, clock, half_open_permitted_calls=1)
    slow = breaker.acquire()  # granted while closed
    trip(breaker, clock)
    breaker.complete(slow, "failure")
    assert breaker.metrics()["calls"] == 0, (
        "a result granted before the breaker opened must be discarded"
    )
    clock.now = 1009
    assert breaker.state() == "open", "a late result must not restart or change the open state"
    clock.now = 1010
    assert (state := breaker.state()) == "half_open", (
        f"wait_in_open_ms after opening the breaker must be half_open, got {state!r}"
    )


def test_late_result_does_not_use_a_half_open_permit(answer):
    clock = Clock()
    breaker, _ = new_breaker(answer, clock, half_open_permitted_calls=1)
    slow = breaker.acquire()  # granted while closed
    trip(breaker, clock)
    clock.now = 1010
    assert (state := breaker.state()) == "half_open", (
        f"wait_in_open_ms after opening the breaker must be half_open, got {state!r}"
    )
    breaker.complete(slow, "success")
    assert breaker.state() == "half_open", (
        "a result granted while closed arrives in half_open: it is late, it must neither decide nor use a permit"
    )
    assert call(breaker, "failure"), "the one half-open permit is still free"
    assert breaker.state() == "open", "the real trial call failed: open again"
