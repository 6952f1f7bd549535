"""Visible tests for the inbox: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.Inbox``).
The chapter's helpers give the database (``Database``: rows, one writer at a time, all or
nothing), the effects (``Effect``: adds to a row, and notes whether it ran inside a
transaction) and ``InboxRun``, which calls your Inbox and turns an exception of your code into
a failed test that names the call.
"""

from chapter_helpers import Database, Effect, EffectFailed, InboxRun


def raised(fn, *args):
    """The exception ``fn(*args)`` raised, or None."""
    try:
        fn(*args)
    except Exception as exc:  # the learner's code: which exception is the finding
        return exc
    return None


def test_a_message_is_applied_once(answer):
    db = Database()
    run = InboxRun(answer, db)
    effect = Effect(db)
    assert run.deliver(5, "m1", effect) is True, "m1 is new: deliver applies it and returns True"
    assert run.deliver(6, "m1", effect) is False, "m1 again: a duplicate, deliver returns False"
    assert db.rows == {"balance": 10, "inbox:m1": 5}, (
        f"rows are {db.rows}: want the effect once (balance 10) and m1's row with the time it "
        "was applied (5)"
    )


def test_the_effect_and_the_id_commit_together(answer):
    db = Database({"balance": 100})
    run = InboxRun(answer, db)
    effect = Effect(db)
    run.deliver(0, "m1", effect)
    assert effect.outside == 0, "the effect ran outside a transaction: run it inside one"
    assert db.commits == [{"balance": 110, "inbox:m1": 0}], (
        f"the commits were {db.commits}: want one transaction that writes both the effect and "
        "the message's id, so that a crash cannot keep one without the other"
    )


def test_a_failed_effect_commits_nothing_and_is_retried(answer):
    db = Database({"balance": 100})
    run = InboxRun(answer, db)
    exc = raised(run.inbox.deliver, 0, "m1", Effect(db, fail=True))
    assert isinstance(exc, EffectFailed), (
        f"deliver raised {exc!r} when the effect failed: want the effect's own error"
    )
    assert db.rows == {"balance": 100}, (
        f"rows are {db.rows} after a failed effect: want nothing written (the id neither)"
    )
    assert run.deliver(1, "m1", Effect(db)) is True, "the redelivered m1 is applied: True"
    assert db.rows == {"balance": 110, "inbox:m1": 1}, f"rows are {db.rows}"


def test_an_empty_id_is_refused(answer):
    db = Database()
    run = InboxRun(answer, db)
    effect = Effect(db)
    exc = raised(run.inbox.deliver, 0, "", effect)
    assert isinstance(exc, ValueError), f"deliver with id '' raised {exc!r}: want ValueError"
    assert effect.calls == 0 and db.rows == {}, "a message without an id is not applied"


def test_prune_forgets_old_ids(answer):
    db = Database()
    run = InboxRun(answer, db, retention_ms=1000)
    run.deliver(0, "m1", Effect(db))
    run.deliver(500, "m2", Effect(db))
    assert run.prune(1000) == 1, "at 1000 ms, m1 (applied at 0, retention 1000) is forgotten"
    assert db.rows == {"balance": 20, "inbox:m2": 500}, f"rows are {db.rows} after prune(1000)"
    assert run.deliver(1001, "m1", Effect(db)) is True, "m1 was forgotten: it is applied again"
