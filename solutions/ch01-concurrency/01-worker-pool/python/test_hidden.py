"""Hidden tests for the worker pool (instructors only)."""

import threading
import time

import pytest
from test_visible import Gauge, call


class Boom(Exception):
    pass


def test_hidden_error_propagates_and_stops_new_calls(answer):
    gauge = Gauge()

    def work(x):
        with gauge:
            if x == 1:
                raise Boom(x)
            time.sleep(0.05)
            return x

    with pytest.raises(Boom):
        call(answer, work, list(range(20)), 2)
    assert gauge.now == 0, "map_limited raised while calls were still running: wait for them first"
    assert gauge.started <= 6, (
        f"after the first error no new call may start: {gauge.started} of 20 started"
    )


def test_hidden_no_threads_left_behind(answer):
    before = set(threading.enumerate())
    assert call(answer, lambda x: x + 1, list(range(10)), 3) == list(range(1, 11))
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not left:
            break
        time.sleep(0.01)
    assert not left, f"threads still running after map_limited returned: {[t.name for t in left]}"


def test_hidden_accepts_any_iterable(answer):
    assert call(answer, lambda x: x * 10, (x for x in range(5)), 2) == [0, 10, 20, 30, 40]
    assert call(answer, str, range(3), 8) == ["0", "1", "2"]


def test_hidden_many_items_stay_within_limit(answer):
    gauge = Gauge()

    def work(x):
        with gauge:
            time.sleep(0.001)
            return x

    assert call(answer, work, list(range(300)), 7, timeout=20) == list(range(300))
    assert 1 <= gauge.most <= 7, f"{gauge.most} calls ran at once with limit=7"
    assert call(answer, lambda x: x, [1, 2], 50) == [1, 2], (
        "a limit above the number of items must work"
    )
