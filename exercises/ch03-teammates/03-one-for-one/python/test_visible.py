"""Visible tests for the one_for_one supervisor: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.Tree``).
``TreeRun`` (the chapter's helpers) calls your Tree and checks that what it returns is made of
plain lists, strings and booleans.
"""

from chapter_helpers import TreeRun


def one_for_one(answer, intensity, period_ms, children):
    """A one_for_one Tree of ``children`` ("id:restart" words), started at 0 ms."""
    run = TreeRun(answer, "one_for_one", intensity, period_ms, children)
    run.start(0)
    return run


def test_start_starts_every_child_in_start_order(answer):
    run = TreeRun(answer, "one_for_one", 3, 1000, "a:permanent b:transient c:temporary")
    log = run.start(0)
    assert log == ["start a", "start b", "start c"], (
        f"start(0) logged {log}: every child is started, in the order of the spec"
    )
    assert run.running() == ["a", "b", "c"], f"running() is {run.running()} after the start"
    assert run.stopped() is False, "a tree that has just started has not given up"


def test_a_crashed_child_is_restarted_alone(answer):
    run = one_for_one(answer, 3, 5000, "a:permanent b:permanent c:permanent")
    log = run.exited("b", "crash", 100)
    assert log == ["start b"], (
        f"b crashed at 100 ms: the log is {log}, want ['start b']: one_for_one restarts only "
        "the child that ended, and terminates nobody"
    )
    assert run.running() == ["a", "b", "c"], (
        f"running() is {run.running()}: the restarted child keeps its place in start order"
    )


def test_the_restart_type_decides_after_each_reason(answer):
    run = one_for_one(answer, 10, 1000, "p:permanent t:transient tmp:temporary")
    run.expect_exit(
        "p",
        "normal",
        10,
        ["start p"],
        "a permanent child is restarted whatever the reason, even after a normal exit",
    )
    run.expect_exit(
        "t",
        "normal",
        20,
        [],
        "a transient child that ended normally is not restarted: the log is []",
    )
    run.expect_exit(
        "tmp",
        "crash",
        30,
        [],
        "a temporary child is never restarted, even after a crash: the log is []",
    )
    assert run.running() == ["p"], (
        f"running() is {run.running()}: t ended normally and tmp is gone, only p runs"
    )


def test_one_restart_more_than_intensity_gives_up(answer):
    run = one_for_one(answer, 2, 1000, "a:permanent b:permanent c:permanent")
    run.expect_exit(
        "b",
        "crash",
        100,
        ["start b"],
        "restart 1 of 2 allowed: b starts again",
    )
    run.expect_exit(
        "b",
        "crash",
        200,
        ["start b"],
        "restart 2 of 2 allowed: b starts again",
    )
    log = run.exited("b", "crash", 300)
    assert log == ["give_up /", "terminate c", "terminate a"], (
        f"a 3rd restart within 1000 ms with intensity 2: the log is {log}; the supervisor "
        "gives up (give_up /) and terminates its running children in reverse start order "
        "(b has ended already)"
    )
    assert run.running() == [] and run.stopped() is True, (
        f"after giving up: running() is {run.running()} and stopped is {run.stopped()}, "
        "want [] and True"
    )


def test_a_restart_exactly_period_ms_ago_still_counts(answer):
    run = one_for_one(answer, 1, 1000, "a:permanent b:permanent")
    run.exited("a", "crash", 100)
    log = run.exited("a", "crash", 1100)
    assert log == ["give_up /", "terminate b"], (
        f"restarts at 100 and 1100 ms, period_ms 1000, intensity 1: the log is {log}; the one "
        "at 100 ms is exactly period_ms ago and still counts (now - period_ms <= t), so this "
        "is 2 restarts in the period: give up"
    )
