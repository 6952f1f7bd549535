"""twinbook.concurrency.group: structured concurrency on threads."""

from __future__ import annotations

import threading

import pytest

from twinbook.concurrency.group import Group

from .helpers import TIMEOUT, Gauge


def test_every_task_runs_with_its_arguments_and_the_shared_cancel_event() -> None:
    seen: list[tuple[int, str, threading.Event]] = []
    lock = threading.Lock()

    def task(n: int, name: str, *, cancel: threading.Event) -> None:
        with lock:
            seen.append((n, name, cancel))

    with Group() as g:
        for n in range(5):
            g.go(task, n, f"t{n}")
    assert sorted((n, name) for n, name, _ in seen) == [(n, f"t{n}") for n in range(5)]
    assert all(cancel is g.cancel for _, _, cancel in seen)
    assert not g.cancel.is_set()


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_limit_is_reached_and_never_exceeded(limit: int, gauge: Gauge) -> None:
    together = threading.Barrier(limit, timeout=TIMEOUT)

    def task(*, cancel: threading.Event) -> None:
        with gauge.track():
            together.wait()

    with Group(limit=limit) as g:
        for _ in range(limit * 3):
            g.go(task)
    assert gauge.peak == limit
    assert gauge.calls == limit * 3


@pytest.mark.parametrize("limit", [0, -3])
def test_bad_limit_raises_value_error_naming_it(limit: int) -> None:
    with pytest.raises(ValueError, match=f"limit must be at least 1, got {limit}"):
        Group(limit=limit)


def test_the_first_error_cancels_the_others_and_every_error_is_kept_first_first() -> None:
    first, second = ValueError("first"), RuntimeError("second, after the cancel")
    other_started = threading.Event()

    def fails(*, cancel: threading.Event) -> None:
        assert other_started.wait(TIMEOUT)
        raise first

    def waits_for_cancel_then_fails(*, cancel: threading.Event) -> None:
        other_started.set()
        assert cancel.wait(TIMEOUT)  # the cancel comes from `fails`
        raise second

    with pytest.raises(ExceptionGroup) as info, Group() as g:
        g.go(fails)
        g.go(waits_for_cancel_then_fails)
    assert info.value.exceptions == (first, second)  # the very objects, in order
    assert g.cancel.is_set()


def test_base_exceptions_are_kept_with_the_others() -> None:
    def interrupted(*, cancel: threading.Event) -> None:
        raise KeyboardInterrupt

    def fails_after_cancel(*, cancel: threading.Event) -> None:
        assert cancel.wait(TIMEOUT)
        raise OSError("cleanup failed")

    with pytest.raises(BaseExceptionGroup) as info, Group() as g:
        g.go(fails_after_cancel)
        g.go(interrupted)
    assert [type(e) for e in info.value.exceptions] == [KeyboardInterrupt, OSError]


def test_an_error_in_the_body_cancels_the_tasks_and_joins_their_errors() -> None:
    body_error = LookupError("body")
    task_error = OSError("task, after the cancel")

    def task(*, cancel: threading.Event) -> None:
        assert cancel.wait(TIMEOUT)
        raise task_error

    with pytest.raises(ExceptionGroup) as info, Group() as g:
        g.go(task)
        raise body_error
    assert info.value.exceptions == (body_error, task_error)


def test_after_a_failure_queued_and_new_tasks_never_start(gauge: Gauge) -> None:
    def fails(*, cancel: threading.Event) -> None:
        raise ValueError("no")

    def never(*, cancel: threading.Event) -> None:
        with gauge.track():
            pass

    with pytest.raises(ExceptionGroup), Group(limit=1) as g:
        g.go(fails)
        g.go(never)  # waits for the slot `fails` holds; by then the group is cancelled
        g.go(never)
    assert gauge.calls == 0


def test_wait_also_waits_for_tasks_started_by_tasks() -> None:
    done: list[int] = []

    def child(n: int, *, cancel: threading.Event) -> None:
        done.append(n)

    def parent(*, cancel: threading.Event) -> None:
        for n in range(3):
            g.go(child, n)

    g = Group()
    g.go(parent)
    g.wait()
    assert sorted(done) == [0, 1, 2]


def test_wait_reports_each_error_once() -> None:
    def fails(*, cancel: threading.Event) -> None:
        raise ValueError("once")

    g = Group()
    g.go(fails)
    with pytest.raises(ExceptionGroup):
        g.wait()
    g.wait()  # nothing left to report
