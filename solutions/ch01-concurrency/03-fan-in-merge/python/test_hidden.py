"""Hidden tests for fan-in merge (instructors only)."""

import itertools
import threading

from chapter_helpers import settle
from test_visible import collect

LEAK_HINT = "each reader thread must check the stop signal between items and end"


def test_hidden_many_sources(answer):
    n, per = 50, 40
    sources = [range(s * per, (s + 1) * per) for s in range(n)]
    got = collect(answer.merge(*sources), timeout=5)
    assert len(got) == n * per, f"got {len(got)} items, want {n * per}"
    assert sorted(got) == list(range(n * per)), "some items were lost or duplicated"


def test_hidden_cancel_ends_iteration(answer):
    before = set(threading.enumerate())
    cancel = threading.Event()
    it = answer.merge(itertools.count(), itertools.count(), cancel=cancel)
    first = collect(it, timeout=2, limit=10)
    assert len(first) == 10, f"got {len(first)} items before cancel, want 10"
    cancel.set()
    rest = collect(
        it, timeout=2
    )  # after cancel the iterator must end, even though the sources never do
    assert len(rest) <= 1, (
        f"the iterator yielded {len(rest)} more item(s) after cancel was set, want at most 1: "
        "look at cancel before yielding every item, not only while the queue is empty"
    )
    settle(before, "after cancel", LEAK_HINT)


def test_hidden_cancel_while_every_source_is_silent(answer):
    before = set(threading.enumerate())
    gate = threading.Event()
    cancel = threading.Event()

    def silent():
        gate.wait(5)
        yield from ()

    it = answer.merge(silent(), silent(), cancel=cancel)
    threading.Timer(0.05, cancel.set).start()  # while the consumer waits for the first item
    try:
        got = collect(it, timeout=2)
    except AssertionError:
        raise AssertionError(
            "cancel was set while every source was silent, and the iterator did not end within 2s: "
            "wait on the queue in short slices (get(timeout=0.05)) and look at cancel between them"
        ) from None
    finally:
        gate.set()
    assert got == [], f"silent sources gave {got}, want nothing"
    settle(before, "after cancel while the sources were silent", LEAK_HINT)


def test_hidden_no_thread_left_after_exhaustion(answer):
    before = set(threading.enumerate())
    got = collect(answer.merge([1, 2], [3], []))
    assert sorted(got) == [1, 2, 3], f"got {got}, want 1, 2 and 3"
    settle(before, "after every source was exhausted", LEAK_HINT)


def test_hidden_source_error_is_raised(answer):
    def broken():
        yield 1
        raise ValueError("source broke")

    try:
        collect(answer.merge(broken(), [2, 3]))
    except ValueError as exc:
        assert str(exc) == "source broke", (
            f"raised ValueError({exc!r}), want the source's own exception"
        )
    else:
        raise AssertionError(
            "a source raised ValueError but the merged iterator ended normally: "
            "catch the exception in the reader thread, pass it over the queue and raise it in the consumer"
        )


def test_hidden_consumer_stopping_early_stops_threads(answer):
    before = set(threading.enumerate())
    it = answer.merge(itertools.count(), itertools.count())
    got = collect(it, timeout=2, limit=5)
    assert len(got) == 5, f"got {len(got)} items, want 5"
    assert hasattr(it, "close"), (
        "merge must be a generator function (use yield), so a consumer that stops early can close it"
    )
    it.close()  # the consumer walks away, as a `break` out of a for loop would
    settle(before, "after the consumer closed the iterator", LEAK_HINT)
