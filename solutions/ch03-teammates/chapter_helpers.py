"""Helpers the tests of this chapter's exercises share. The checker places this file beside an
exercise's tests, so a test file imports it: ``from chapter_helpers import TreeRun``.
"""

from twinbook.runner.plain import plain

# --- 03-one-for-one, 04-rest-for-one ---


class TreeRun:
    """The learner's ``Tree`` as the tests drive it: every result is checked to be a plain
    value (so ``==`` is the builtin one), and an exception of the learner's code becomes a
    failed test that says which call raised it, not a traceback.

    ``children`` is a list of ``(id, restart)`` pairs, or a string such as
    ``"a:permanent b:transient"`` (one pair per word), to keep the tests short.
    """

    def __init__(self, answer, strategy, intensity, period_ms, children):
        if isinstance(children, str):
            children = [tuple(word.split(":")) for word in children.split()]
        self.tree = _call(
            f"Tree({strategy!r}, {intensity}, {period_ms}, {children!r})",
            answer.Tree,
            strategy,
            intensity,
            period_ms,
            children,
        )

    def start(self, now_ms=0):
        """``tree.start(now_ms)``: the log."""
        return plain(_call(f"start({now_ms})", self.tree.start, now_ms))

    def exited(self, child, reason, now_ms):
        """``tree.exited(child, reason, now_ms)``: the log."""
        return plain(
            _call(
                f"exited({child!r}, {reason!r}, {now_ms})", self.tree.exited, child, reason, now_ms
            )
        )

    def expect_exit(self, child, reason, now_ms, want, why):
        """``tree.exited(child, reason, now_ms)`` must log exactly ``want``; ``why`` is the
        rule the log shows."""
        log = self.exited(child, reason, now_ms)
        assert log == want, (
            f"{child} ended ({reason}) at {now_ms} ms: the log is {log}, want {want}: {why}"
        )

    def running(self):
        """``tree.running()``: the running children's ids."""
        return plain(_call("running()", self.tree.running))

    def stopped(self):
        """``tree.stopped`` (a property, as in the real Tree): True or False."""
        stopped = self.tree.stopped
        assert type(stopped) is bool, (
            f"tree.stopped is {stopped!r}: make it a property that returns True or False"
        )
        return plain(stopped)


def _call(what, fn, *args):
    """``fn(*args)``; an exception is a failed test naming the call."""
    try:
        return fn(*args)
    except Exception as exc:  # the learner's code: any exception is a finding
        raise AssertionError(f"{what} raised {type(exc).__name__}: {exc}") from None


def replay(answer, case):
    """Replay one supervisor conformance vector (a case of the project's supervisor vectors,
    which the hidden tests carry) on the learner's Tree and assert every expectation.

    The case's tree is flat (workers only): its children become ``(id, restart)`` pairs. The
    first step starts the tree; every later one is the exit of a child, with a reason, at its
    ``at_ms``. After each step the log must be exactly ``expect["log"]``, and ``running`` and
    ``stopped`` what the step expects, when it says.
    """
    spec = case["tree"]
    children = [(c["id"], c["restart"]) for c in spec["children"]]
    run = TreeRun(answer, spec["strategy"], spec["intensity"], spec["period_ms"], children)
    for i, step in enumerate(case["steps"]):
        at = step["at_ms"]
        if "exit" in step:
            child, reason = step["exit"]["child"], step["exit"]["reason"]
            what = f"{child} ended ({reason}) at {at} ms"
            log = run.exited(child, reason, at)
        else:
            what = f"start at {at} ms"
            log = run.start(at)
        got = {"log": log, "running": run.running(), "stopped": run.stopped()}
        where = f"{case['name']}: step {i} ({what})"
        for key, want in step["expect"].items():
            assert key in got, f"{where}: unknown expectation {key!r}"
            assert got[key] == want, f"{where}: {key} is {got[key]!r}, want {want!r}"
