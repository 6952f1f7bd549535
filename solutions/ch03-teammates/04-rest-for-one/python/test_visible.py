"""Visible tests for the rest_for_one and one_for_all supervisor: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.Tree``).
``TreeRun`` (the chapter's helpers) calls your Tree and checks that what it returns is made of
plain lists, strings and booleans.
"""

from chapter_helpers import TreeRun


def started(answer, strategy, intensity, period_ms, children):
    """A Tree of ``strategy`` over ``children`` ("id:restart" words), started at 0 ms."""
    run = TreeRun(answer, strategy, intensity, period_ms, children)
    run.start(0)
    return run


def test_rest_for_one_restarts_the_child_and_those_after_it(answer):
    run = started(
        answer, "rest_for_one", 3, 1000, "a:permanent b:permanent c:permanent d:permanent"
    )
    log = run.exited("b", "crash", 10)
    assert log == ["terminate d", "terminate c", "start b", "start c", "start d"], (
        f"b crashed: the log is {log}; rest_for_one terminates the running children after b "
        "in reverse start order (d, then c), then starts b and those after it in start order; "
        "a, before b, is not touched"
    )
    assert run.running() == ["a", "b", "c", "d"], f"running() is {run.running()}"


def test_one_for_all_restarts_every_child(answer):
    run = started(answer, "one_for_all", 3, 1000, "a:permanent b:permanent c:permanent")
    log = run.exited("b", "crash", 10)
    assert log == ["terminate c", "terminate a", "start a", "start b", "start c"], (
        f"b crashed: the log is {log}; one_for_all terminates every other running child in "
        "reverse start order, then starts every child in start order (no terminate for b: it "
        "has ended already)"
    )


def test_temporary_children_terminated_by_a_restart_are_removed(answer):
    run = started(answer, "one_for_all", 3, 1000, "a:permanent tmp:temporary c:permanent")
    log = run.exited("c", "crash", 10)
    assert log == ["terminate tmp", "terminate a", "start a", "start c"], (
        f"c crashed: the log is {log}; the temporary child is terminated like the others but "
        "never started again: it is removed from the supervisor"
    )
    assert run.running() == ["a", "c"], f"running() is {run.running()}: tmp is gone"


def test_a_stopped_transient_child_is_started_again_without_a_terminate(answer):
    run = started(answer, "rest_for_one", 3, 1000, "a:permanent b:permanent t:transient")
    run.expect_exit(
        "t",
        "normal",
        10,
        [],
        "a transient child that ended normally stays stopped",
    )
    log = run.exited("b", "crash", 20)
    assert log == ["start b", "start t"], (
        f"b crashed: the log is {log}; t, after b, is started again by the restart, but it "
        "was not running, so there is no terminate for it"
    )


def test_intensity_still_decides_and_giving_up_terminates_in_reverse(answer):
    run = started(answer, "one_for_all", 1, 1000, "a:permanent b:permanent c:permanent d:permanent")
    run.exited("a", "crash", 10)
    log = run.exited("b", "crash", 20)
    assert log == ["give_up /", "terminate d", "terminate c", "terminate a"], (
        f"the 2nd restart within 1000 ms with intensity 1: the log is {log}; the supervisor "
        "gives up instead of restarting and terminates its running children in reverse start "
        "order"
    )
    assert run.stopped() is True and run.running() == [], "after giving up nothing runs"
