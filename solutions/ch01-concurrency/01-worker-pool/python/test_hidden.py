"""Hidden tests for the worker pool (instructors only)."""

import threading
import time

from test_visible import Gauge, call


class Boom(Exception):
    pass


def test_hidden_error_propagates_and_stops_new_calls(answer):
    # Item 0 is still running when item 1 fails, and it keeps running until map_limited has
    # returned (or 0.1 s has passed), then fails too: a pool that does not wait for it returns
    # while it runs, a pool that keeps starting calls gets through every other (instant) item
    # meanwhile, and a pool that keeps the last exception raises item 0's.
    gauge = Gauge()
    returned = threading.Event()
    inside = threading.Event()  # item 0's call has begun

    raising = []  # the items whose calls raised, in the order they did

    def work(x):
        with gauge:
            if x == 0:
                inside.set()
                returned.wait(0.1)
            if x == 1:
                inside.wait(2)  # fail only once item 0 runs, so that it is still running then
            if x in (0, 1):
                raising.append(f"item {x}")
                raise Boom(f"item {x}")
            return x

    raised = None
    try:
        call(answer, work, list(range(20)), 2)
    except Boom as exc:
        raised = str(exc)
    finally:
        running_at_return = gauge.now
        returned.set()
    assert raised is not None, (
        "fn raised Boom for item 1: map_limited must raise that error, but it returned"
    )
    assert running_at_return == 0, (
        f"map_limited raised while {running_at_return} call(s) were still running: "
        "wait for the running calls before raising the first error"
    )
    assert gauge.started <= 2, (
        f"after the first error no new call may start: {gauge.started} of 20 started with limit=2 "
        "(want only the 2 that were running): record the error before you free the slot, look "
        "for it after taking a slot; ThreadPoolExecutor.map starts them all"
    )
    assert raised == raising[0], (
        f"the calls raised Boom({raising[0]!r}) first, then Boom({raising[-1]!r}): map_limited "
        f"raised Boom({raised!r}), want the first exception"
    )


def test_hidden_no_threads_left_behind(answer):
    before = set(threading.enumerate())
    got = call(answer, lambda x: x + 1, list(range(10)), 3)
    assert got == list(range(1, 11)), (
        f"map_limited(x + 1, 0..9, 3) must return 1..10 in order, got {got}"
    )
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not left:
            break
        time.sleep(0.01)
    assert not left, f"threads still running after map_limited returned: {[t.name for t in left]}"


def test_hidden_accepts_any_iterable(answer):
    got = call(answer, lambda x: x * 10, (x for x in range(5)), 2)
    assert got == [
        0,
        10,
        20,
        30,
        40,
    ], (
        f"items may be a generator: map_limited(x * 10, a generator of 0..4, 2) must return "
        f"[0, 10, 20, 30, 40], got {got}"
    )
    got = call(answer, str, range(3), 8)
    assert got == ["0", "1", "2"], (
        f"items may be a range: map_limited(str, range(3), 8) must return ['0', '1', '2'], got {got}"
    )


def test_hidden_many_items_stay_within_limit(answer):
    gauge = Gauge()

    def work(x):
        with gauge:
            time.sleep(0.001)
            return x

    got = call(answer, work, list(range(300)), 7, timeout=20)
    assert got == list(range(300)), (
        f"map_limited(fn, 0..299, 7) must return 0..299 in order, got {got!r:.120}"
    )
    assert 1 <= gauge.most <= 7, f"{gauge.most} calls ran at once with limit=7"
    assert call(answer, lambda x: x, [1, 2], 50) == [1, 2], (
        "a limit above the number of items must work"
    )
    one = Gauge()

    def work_alone(x):
        with one:
            return x * 10

    try:
        got = call(answer, work_alone, [3, 1, 2], 1)
    except ValueError as exc:
        raise AssertionError(
            f"limit=1 is a valid limit (one call at a time), but map_limited raised ValueError({exc})"
        ) from None
    assert got == [30, 10, 20], (
        f"map_limited(fn, [3, 1, 2], limit=1) must return [30, 10, 20], got {got!r}"
    )
    assert one.most == 1, f"{one.most} calls ran at once with limit=1"
