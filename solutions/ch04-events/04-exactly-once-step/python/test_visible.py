"""Visible tests for the exactly-once step: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines
(``answer.TransactionLog``). ``Run`` calls your log, checks that what it returns is made of
plain values, and says which call raised what instead of showing a traceback.
"""

from twinbook.runner.plain import plain


class Run:
    """The learner's TransactionLog as the tests drive it."""

    def __init__(self, answer):
        self.log = _call("TransactionLog()", answer.TransactionLog)

    def init(self, tid):
        """``log.init(tid)``: the epoch, an int."""
        epoch = _call(f"init({tid!r})", self.log.init, tid)
        assert type(epoch) is int, f"init({tid!r}) returned {epoch!r}: want an int, the epoch"
        return plain(epoch)

    def do(self, op, *args):
        """``log.<op>(*args)``: "ok", or "raised <ExceptionClass>"."""
        try:
            getattr(self.log, op)(*args)
        except Exception as exc:  # the test reports what was raised, by name
            return plain(f"raised {type(exc).__name__}")
        return plain("ok")

    def ok(self, op, *args):
        """``log.<op>(*args)``, which must not raise."""
        outcome = self.do(op, *args)
        shown = ", ".join(repr(a) for a in args)
        assert outcome == "ok", f"{op}({shown}) {outcome}: want it to succeed"

    def fenced(self, op, *args, why):
        """``log.<op>(*args)``, which must raise Fenced."""
        outcome = self.do(op, *args)
        shown = ", ".join(repr(a) for a in args)
        assert outcome == "raised Fenced", (
            f"{op}({shown}): {outcome}, want it to raise Fenced: {why}"
        )

    def read(self):
        """``log.read_committed()``: a list."""
        got = plain(_call("read_committed()", self.log.read_committed))
        assert type(got) is list, f"read_committed() returned {got!r}: want a list"
        return plain(got)

    def offset(self):
        """``log.committed_offset()``: an int or None."""
        return plain(_call("committed_offset()", self.log.committed_offset))


def _call(what, fn, *args):
    """``fn(*args)``; an exception is a failed test naming the call."""
    try:
        return fn(*args)
    except Exception as exc:  # the learner's code: any exception is a finding
        raise AssertionError(f"{what} raised {type(exc).__name__}: {exc}") from None


def test_a_committed_transaction_is_read_whole(answer):
    run = Run(answer)
    epoch = run.init("p")
    run.ok("send", "p", epoch, "a")
    run.ok("send", "p", epoch, "b")
    assert run.read() == [], f"read_committed() is {run.read()} before the commit: want []"
    run.ok("commit", "p", epoch)
    assert run.read() == ["a", "b"], (
        f"read_committed() is {run.read()} after the commit: want ['a', 'b'], all at once"
    )


def test_an_aborted_transaction_is_never_read(answer):
    run = Run(answer)
    epoch = run.init("p")
    run.ok("send", "p", epoch, "a")
    run.ok("abort", "p", epoch)
    run.ok("send", "p", epoch, "b")
    run.ok("commit", "p", epoch)
    assert run.read() == ["b"], (
        f"read_committed() is {run.read()}: want ['b']; a was aborted, b committed after it"
    )


def test_an_open_transaction_holds_back_what_follows(answer):
    run = Run(answer)
    p, q = run.init("p"), run.init("q")
    run.ok("send", "p", p, "p1")
    run.ok("send", "q", q, "q1")
    run.ok("commit", "q", q)
    assert run.read() == [], (
        f"read_committed() is {run.read()}: want []; q1 is committed, but it comes after p1, "
        "whose transaction is still open (a read_committed consumer stops there)"
    )
    run.ok("commit", "p", p)
    assert run.read() == ["p1", "q1"], f"read_committed() is {run.read()}, want ['p1', 'q1']"


def test_the_offset_commits_with_the_transaction(answer):
    run = Run(answer)
    epoch = run.init("p")
    assert run.offset() is None, f"committed_offset() is {run.offset()!r} at first: want None"
    run.ok("send", "p", epoch, "out-1")
    run.ok("send_offset", "p", epoch, 10)
    assert run.offset() is None, (
        f"committed_offset() is {run.offset()!r} before the commit: want None, the offset is "
        "part of the transaction"
    )
    run.ok("commit", "p", epoch)
    assert run.offset() == 10, f"committed_offset() is {run.offset()!r} after the commit: want 10"


def test_a_zombie_is_fenced(answer):
    run = Run(answer)
    old = run.init("p")
    run.ok("send", "p", old, "from-the-zombie")
    new = run.init("p")
    assert new == old + 1, f"init('p') again returned {new}: want {old + 1}, the next epoch"
    run.fenced("send", "p", old, "late", why="an older epoch of p: the zombie is fenced off")
    run.fenced("commit", "p", old, why="the zombie cannot commit either")
    run.ok("send", "p", new, "from-the-new-one")
    run.ok("commit", "p", new)
    assert run.read() == ["from-the-new-one"], (
        f"read_committed() is {run.read()}: the zombie's open transaction was aborted when "
        "the new producer called init"
    )
