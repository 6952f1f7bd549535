"""The two windows on their own: totals, eviction, one-second buckets, a clock that steps back."""

from __future__ import annotations

import random

from twinbook.breaker.window import CountWindow, TimeWindow

S = 1_000_000_000  # ns per second
MS = 1_000_000


def test_count_window_keeps_the_last_size_calls() -> None:
    w = CountWindow(3)
    assert w.totals(0) == (0, 0, 0)
    assert w.record(0, True, False) == (1, 1, 0)
    assert w.record(0, False, True) == (2, 1, 1)
    assert w.record(0, True, True) == (3, 2, 2)
    assert w.record(0, False, False) == (3, 1, 2)  # the first failure left
    assert w.record(0, False, False) == (3, 1, 1)
    assert w.record(0, False, False) == (3, 0, 0)
    w.clear()
    assert w.totals(0) == (0, 0, 0)


def test_count_window_matches_a_list_of_the_last_calls() -> None:
    rng = random.Random(7)
    for size in (1, 2, 5, 17):
        w, calls = CountWindow(size), []
        for _ in range(300):
            failed, slow = rng.random() < 0.3, rng.random() < 0.2
            calls = (calls + [(failed, slow)])[-size:]
            want = (len(calls), sum(f for f, _ in calls), sum(s for _, s in calls))
            assert w.record(0, failed, slow) == want


def test_time_window_counts_by_second_of_completion() -> None:
    w = TimeWindow(2)
    w.record(999 * MS, True, False)  # second 0
    w.record(1000 * MS, False, True)  # second 1
    assert w.totals(1999 * MS) == (2, 1, 1)  # seconds 0-1
    assert w.totals(2000 * MS) == (1, 0, 1)  # seconds 1-2: second 0 left
    assert w.totals(3000 * MS) == (0, 0, 0)


def test_time_window_after_a_long_idle_starts_empty() -> None:
    w = TimeWindow(3)
    for t in range(0, 3000, 100):
        w.record(t * MS, True, True)
    assert w.totals(2999 * MS) == (30, 30, 30)
    assert w.record(3600 * S, False, False) == (1, 0, 0)


def test_time_window_matches_a_list_of_timed_calls() -> None:
    rng = random.Random(11)
    for size in (1, 3, 10):
        w, calls, now = TimeWindow(size), [], 0
        for _ in range(400):
            now += rng.choice([0, 1, 50, 400, 999, 1000, 2500]) * MS
            if rng.random() < 0.7:
                failed, slow = rng.random() < 0.4, rng.random() < 0.2
                calls.append((now // S, failed, slow))
                got = w.record(now, failed, slow)
            else:
                got = w.totals(now)
            inside = [c for c in calls if now // S - size < c[0] <= now // S]
            assert got == (len(inside), sum(c[1] for c in inside), sum(c[2] for c in inside))


def test_time_window_read_at_an_earlier_second_sums_what_it_kept() -> None:
    w = TimeWindow(5)
    w.record(1 * S, True, False)
    w.record(4 * S, False, False)
    assert w.totals(2 * S) == (1, 1, 0)  # the clock stepped back: second 4 is not in [-2, 2]
    assert w.totals(4 * S) == (2, 1, 0)
    w.record(2 * S, True, False)  # a result stamped in the past, still inside the window
    assert w.totals(4 * S) == (3, 2, 0)
    w.record(-3 * S, True, False)  # older than any window from now on: not counted
    assert w.totals(4 * S) == (3, 2, 0)
