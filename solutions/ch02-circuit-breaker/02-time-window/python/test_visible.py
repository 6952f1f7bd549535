"""Visible tests for the time window: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.TimeWindow``).
"""


def counts(window, at_ms):
    """(calls, failed, slow) of the window at at_ms."""
    m = window.metrics(at_ms)
    return m["calls"], m["failed"], m["slow"]


def test_counts_the_calls_of_the_current_second(answer):
    w = answer.TimeWindow(size_s=1, minimum_calls=1)
    w.record(100, failed=True, slow=False)
    w.record(900, failed=False, slow=False)
    got = counts(w, 950)
    assert got == (2, 1, 0), (
        f"two calls in second 0, read at 950 ms: (calls, failed, slow) = {got}, want (2, 1, 0)"
    )


def test_earlier_seconds_count_until_they_leave(answer):
    w = answer.TimeWindow(size_s=3, minimum_calls=1)
    w.record(0, failed=False, slow=False)  # second 0
    w.record(1500, failed=False, slow=False)  # second 1
    w.record(2999, failed=False, slow=False)  # second 2
    for at_ms, want in [(2999, 3), (3000, 2), (3999, 2), (4000, 1), (5000, 0)]:
        got = counts(w, at_ms)[0]
        assert got == want, (
            f"calls at 0, 1500 and 2999 ms, window of 3 s, read at {at_ms} ms: {got} calls, want {want}: "
            f"at T the window holds the seconds T//1000 - 2 .. T//1000"
        )


def test_bucket_boundary_between_999_and_1000_ms(answer):
    w = answer.TimeWindow(size_s=1, minimum_calls=1)
    w.record(999, failed=True, slow=False)
    w.record(1000, failed=True, slow=False)
    got = counts(w, 1000)
    assert got == (1, 1, 0), (
        f"calls at 999 and 1000 ms, a 1-second window read at 1000 ms: {got}, want (1, 1, 0): 999 ms is second 0"
    )


def test_rates_are_minus_one_below_minimum_calls(answer):
    w = answer.TimeWindow(size_s=2, minimum_calls=3)
    w.record(0, failed=True, slow=True)
    w.record(1200, failed=False, slow=False)
    m = w.metrics(1200)
    assert (m["failure_rate"], m["slow_call_rate"]) == (-1, -1), (
        f"2 calls, minimum 3: rates {m}, want -1 and -1"
    )
    w.record(1300, failed=False, slow=True)
    m = w.metrics(1300)
    assert abs(m["failure_rate"] - 100 / 3) < 1e-6 and abs(m["slow_call_rate"] - 200 / 3) < 1e-6, (
        f"3 calls, 1 failed, 2 slow: {m}, want failure_rate 33.33 and slow_call_rate 66.67 (percents)"
    )


def test_clear_forgets_everything(answer):
    w = answer.TimeWindow(size_s=5, minimum_calls=1)
    for at_ms in range(0, 3000, 250):
        w.record(at_ms, failed=True, slow=True)
    w.clear()
    m = w.metrics(3000)
    assert m == {"calls": 0, "failed": 0, "slow": 0, "failure_rate": -1, "slow_call_rate": -1}, (
        f"after clear(): {m}"
    )
    w.record(3100, failed=False, slow=False)
    assert counts(w, 3100) == (1, 0, 0), "a call recorded after clear() counts"
