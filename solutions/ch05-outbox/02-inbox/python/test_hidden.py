"""Hidden tests for the inbox (instructors only)."""

import threading

from chapter_helpers import CommitFailed, Database, Effect, InboxRun
from test_visible import raised

from twinbook.runner.plain import plain


def deliver_at_once(run, ids, effect):
    """Every id of ``ids`` delivered by a thread of its own, all at once; their results."""
    results = [None] * len(ids)

    def one(i):
        try:
            got = run.inbox.deliver(0, ids[i], effect)
            results[i] = plain(got) if type(got) is bool else f"not a bool: {got!r}"
        except Exception as exc:  # the learner's code: any exception is a finding
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert not any(t.is_alive() for t in threads), "deliver did not return within 20 s"
    return results


def test_hidden_many_threads_deliver_one_message_at_once(answer):
    n = 8
    db = Database(together=n)
    run = InboxRun(answer, db)
    effect = Effect(db)
    results = deliver_at_once(run, ["m1"] * n, effect)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, f"deliver raised {errors[0]!r}"
    assert sorted(results) == [False] * (n - 1) + [True], (
        f"{n} threads delivered m1 at once and got {results}: want one True, the rest False"
    )
    assert effect.calls == 1 and db.rows == {"balance": 10, "inbox:m1": 0}, (
        f"the effect ran {effect.calls} times, rows {db.rows}: check for a duplicate inside the "
        "transaction that applies the effect, where no other consumer can come between"
    )


def test_hidden_many_threads_deliver_their_own_messages(answer):
    n = 8
    db = Database(together=n)
    run = InboxRun(answer, db)
    effect = Effect(db)
    results = deliver_at_once(run, [f"m{i}" for i in range(n)], effect)
    assert results == [True] * n, f"{n} threads each delivered its own message: got {results}"
    assert db.rows["balance"] == 10 * n and effect.outside == 0, f"rows are {db.rows}"


def test_hidden_a_failed_commit_is_an_error_and_applies_nothing(answer):
    db = Database({"balance": 100})
    run = InboxRun(answer, db)
    db.fail_commit = True
    exc = raised(run.inbox.deliver, 0, "m1", Effect(db))
    assert isinstance(exc, CommitFailed), f"deliver raised {exc!r} when the commit failed"
    exc = raised(run.inbox.prune, 5000)
    assert isinstance(exc, CommitFailed), f"prune raised {exc!r} when the commit failed"
    db.fail_commit = False
    assert db.rows == {"balance": 100}, f"rows are {db.rows} after the failed commit"
    assert run.deliver(1, "m1", Effect(db)) is True, "m1 was never committed: it is new"


def test_hidden_prune_keeps_young_ids_and_other_rows(answer):
    db = Database({"balance": 0, "orders": 3})
    run = InboxRun(answer, db, retention_ms=100)
    run.deliver(0, "a", Effect(db, amount=0))
    run.deliver(1, "b", Effect(db, amount=0))
    assert run.prune(99) == 0, "at 99 ms nothing is 100 ms old"
    assert run.prune(100) == 1, "at 100 ms, a (applied at 0) is exactly 100 ms old: forgotten"
    assert db.rows == {"balance": 0, "orders": 3, "inbox:b": 1}, (
        f"rows are {db.rows}: prune removes old inbox rows only, never the data's"
    )
    assert run.deliver(2, "b", Effect(db)) is False, "b is still remembered"
    assert run.prune(1000) == 1 and run.prune(1000) == 0, "prune counts what it removed"
