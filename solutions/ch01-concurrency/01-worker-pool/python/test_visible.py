"""Visible tests for the worker pool: run them with the check cell or `twinbook check`.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.map_limited``).
"""

import threading
import time

import pytest

from twinbook.runner.plain import plain


def call(answer, fn, items, limit, timeout=5.0):
    """map_limited(fn, items, limit) in a helper thread: a hang fails the test instead of
    freezing the notebook. The result must be a plain list of plain values (see plain)."""
    box = {}

    def run():
        try:
            box["value"] = answer.map_limited(fn, items, limit)
        except BaseException as exc:  # re-raised below, in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"map_limited did not return within {timeout}s (a deadlock?)"
    if "error" in box:
        raise box["error"]
    return plain(box["value"])


class Gauge:
    """Counts the calls in flight and remembers the most at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.started = 0

    def __enter__(self):
        with self.lock:
            self.now += 1
            self.started += 1
            self.most = max(self.most, self.now)
        return self

    def __exit__(self, *exc):
        with self.lock:
            self.now -= 1


def test_results_in_order(answer):
    def slow_square(x):
        time.sleep((8 - x) * 0.01)  # later items finish first
        return x * x

    got = call(answer, slow_square, list(range(8)), 4)
    assert got == [x * x for x in range(8)], f"results must follow the input order, got {got}"


def test_runs_limit_calls_at_once(answer):
    gauge = Gauge()
    gave_up = threading.Event()  # one call waited in vain: the others need not wait too

    def wait_for_company(x):
        # only observe here: the checks below run in the test, where your code cannot catch them
        with gauge:
            deadline = time.monotonic() + 2
            while gauge.most < 3 and not gave_up.is_set():
                if time.monotonic() > deadline:
                    gave_up.set()
                    break
                time.sleep(0.005)
            return x

    got = call(answer, wait_for_company, list(range(6)), 3)
    assert gauge.most >= 3, (
        f"only {gauge.most} call(s) ran at once with limit=3: run calls in threads"
    )
    assert got == list(range(6)), f"results must follow the input order, got {got}"


def test_never_more_than_limit(answer):
    gauge = Gauge()

    def work(x):
        with gauge:
            time.sleep(0.01)
            return -x

    got = call(answer, work, list(range(20)), 4)
    assert gauge.most <= 4, f"{gauge.most} calls ran at once with limit=4"
    assert got == [-x for x in range(20)], (
        f"map_limited(fn, 0..19, 4) must return [fn(0), ..., fn(19)] in order, got {got}"
    )


@pytest.mark.parametrize("limit", [0, -1])
def test_bad_limit_raises_value_error(answer, limit):
    calls = []
    try:
        got = call(answer, calls.append, [1, 2, 3], limit)
    except ValueError:
        pass
    else:
        raise AssertionError(
            f"map_limited(fn, [1, 2, 3], limit={limit}) must raise ValueError, "
            f"but it returned {got!r}"
        )
    assert calls == [], (
        f"with a bad limit, fn must not be called, but it was called {len(calls)} times"
    )


def test_empty_items(answer):
    calls = []
    got = call(answer, calls.append, [], 3)
    assert got == [], f"map_limited(fn, [], 3) must return [], got {got!r}"
    assert calls == [], (
        f"with no items, fn must not be called, but it was called {len(calls)} times"
    )
