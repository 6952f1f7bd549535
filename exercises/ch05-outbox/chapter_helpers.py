"""Helpers the tests of this chapter's exercises share. The checker places this file beside an
exercise's tests, so a test file imports it: ``from chapter_helpers import KeysRun``.
"""

import contextlib
import hashlib
import threading

from twinbook.runner.plain import plain


def call(what, fn, *args):
    """``fn(*args)``; an exception of the learner's code is a failed test naming the call."""
    try:
        return fn(*args)
    except Exception as exc:  # the learner's code: any exception is a finding
        raise AssertionError(f"{what} raised {type(exc).__name__}: {exc}") from None


# --- 01-idempotency-keys ---


def digest(body):
    """The hash the middleware computes of a request's body: SHA-256 of its UTF-8 bytes, in hex."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class KeysRun:
    """The learner's ``Keys`` as the tests drive it: requests go in with their body, the class
    gets its hash; what it returns is checked to be one of the three decisions."""

    def __init__(self, answer, required=True, ttl_ms=1000, lease_ms=100):
        self.keys = call(
            f"Keys({required}, {ttl_ms}, {lease_ms})", answer.Keys, required, ttl_ms, lease_ms
        )

    def begin(self, now, key, body="{}", method="POST", path="/orders"):
        """``keys.begin(now, key, method, path, digest(body))``: a plain decision tuple."""
        what = f"begin({now}, {key!r}, {method!r}, {path!r}, <hash of {body!r}>)"
        got = plain(call(what, self.keys.begin, now, key, method, path, digest(body)))
        shapes = {"run": 2, "replay": 3, "refuse": 2}
        assert type(got) is tuple and got and shapes.get(got[0]) == len(got), (
            f"{what} returned {got!r}: want ('run', token), ('replay', status, body) or "
            "('refuse', status)"
        )
        return got

    def finish(self, now, token, status, body):
        call(
            f"finish({now}, {token!r}, {status}, {body!r})",
            self.keys.finish,
            now,
            token,
            status,
            body,
        )

    def fail(self, token):
        call(f"fail({token!r})", self.keys.fail, token)

    def end(self, now, token, handler):
        """The handler of a request that runs ends as ``handler`` says (a vector's form):
        ``{"fail": true}`` or ``{"status": ..., "body": ...}``; what its client gets."""
        if handler.get("fail"):
            self.fail(token)
            return {"status": 500, "replayed": False, "handler_called": True}
        self.finish(now, token, handler["status"], handler["body"])
        return {
            "status": handler["status"],
            "body": handler["body"],
            "replayed": False,
            "handler_called": True,
        }


def answered(decision):
    """What the client of a request that did not run gets, as a vector's ``expect`` says it."""
    if decision[0] == "replay":
        return {
            "status": decision[1],
            "body": decision[2],
            "replayed": True,
            "handler_called": False,
        }
    return {"status": decision[1], "replayed": False, "handler_called": False}


def replay_keys(answer, case):
    """Replay one idempotency_key conformance vector (a case of the project's vectors, which
    the hidden tests carry) on a new ``Keys``: every step's answer must be its ``expect``."""
    config = case["config"]
    run = KeysRun(answer, config["required"], config["ttl_ms"], config["lease_ms"])
    held = {}
    for index, step in enumerate(case["steps"]):
        where = f"{case['name']}, step {index + 1} at {step['at_ms']} ms"
        if "finish" in step:
            token, handler = held.pop(step["finish"])
            got = run.end(step["at_ms"], token, handler)
        else:
            request = step["request"]
            decision = run.begin(
                step["at_ms"], request["key"], request["body"], request["method"], request["path"]
            )
            if decision[0] == "run" and step.get("hold", False):
                held[request["id"]] = (decision[1], step["handler"])
                continue
            assert not step.get("hold", False), (
                f"{where}: {request} got {decision}: want it to run (its handler is still "
                "running when the next step comes)"
            )
            if decision[0] == "run":
                got = run.end(step["at_ms"], decision[1], step["handler"])
            else:
                got = answered(decision)
        want = step["expect"]
        seen = {k: got.get(k) for k in want}
        assert seen == want, f"{where}: the client got {seen}, want {want}"


# --- 02-inbox ---


class CommitFailed(Exception):
    """The test database's commit failed (it was told to): nothing was written."""


class Database:
    """The tests' database: a dict of rows, one writer at a time (a lock, as SQLite's write
    lock), all or nothing (a transaction whose block raises, or whose commit fails, leaves the
    rows as they were). ``commits`` keeps a copy of the rows after each commit.

    ``together``: the first ``together`` transactions wait for each other before they take the
    lock and again after they end, so that threads that deliver at once really are inside
    ``deliver`` at once: a check made outside the transaction, or in a transaction of its own,
    is seen by all of them before any of them writes, every time.
    """

    def __init__(self, rows=None, together=0):
        self.rows = dict(rows or {})
        self.commits = []
        self.fail_commit = False
        self.owner = None
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._started = 0
        self._ended = 0
        self._together = together
        self._enter = threading.Barrier(together) if together else None
        self._leave = threading.Barrier(together) if together else None

    def _wait(self, barrier, counter):
        with self._count_lock:
            if counter == "started":
                self._started += 1
                mine = self._started
            else:
                self._ended += 1
                mine = self._ended
        if barrier is not None and mine <= self._together:
            try:
                barrier.wait(timeout=10)
            except threading.BrokenBarrierError:
                pass  # fewer threads came than expected: the test's counts say what happened

    @contextlib.contextmanager
    def transaction(self):
        self._wait(self._enter, "started")
        try:
            with self._lock:
                snapshot = dict(self.rows)
                self.owner = threading.get_ident()
                try:
                    yield
                    if self.fail_commit:
                        raise CommitFailed("the commit failed")
                    self.commits.append(dict(self.rows))
                except BaseException:
                    self.rows.clear()
                    self.rows.update(snapshot)
                    raise
                finally:
                    self.owner = None
        finally:
            self._wait(self._leave, "ended")

    def in_transaction(self):
        """Whether the calling thread holds the transaction."""
        return self.owner == threading.get_ident()


class Effect:
    """A message's effect: adds ``amount`` to the row ``account``, and checks that it runs
    inside a transaction of ``db``. ``fail``: it raises after writing (so a transaction must
    roll its write back)."""

    def __init__(self, db, account="balance", amount=10, fail=False):
        self.db, self.account, self.amount, self.fail = db, account, amount, fail
        self.calls = 0
        self.outside = 0
        self._lock = threading.Lock()

    def __call__(self, rows):
        with self._lock:
            self.calls += 1
            if not self.db.in_transaction():
                self.outside += 1
        rows[self.account] = rows.get(self.account, 0) + self.amount
        if self.fail:
            raise EffectFailed(f"the effect on {self.account} failed")


class EffectFailed(Exception):
    """An effect's own error, which deliver must let through."""


class InboxRun:
    """The learner's ``Inbox`` over a test ``Database``."""

    def __init__(self, answer, db, retention_ms=1000):
        self.db = db
        self.inbox = call(
            f"Inbox(rows, transaction, {retention_ms})",
            answer.Inbox,
            db.rows,
            db.transaction,
            retention_ms,
        )

    def deliver(self, now, message_id, effect):
        """``inbox.deliver(...)``, which must return True or False."""
        what = f"deliver({now}, {message_id!r}, effect)"
        got = call(what, self.inbox.deliver, now, message_id, effect)
        assert type(got) is bool, f"{what} returned {got!r}: want True or False"
        return plain(got)

    def prune(self, now):
        what = f"prune({now})"
        got = call(what, self.inbox.prune, now)
        assert type(got) is int, f"{what} returned {got!r}: want an int"
        return plain(got)


# --- 04-saga-compensation ---

#: attempts after which a scripted participant stops a saga that does not end
MAX_ATTEMPTS = 1000


class Participant:
    """The services a saga calls, scripted: ``script`` maps ``"step:kind"`` to the results of
    its attempts in order (``"ok"`` or ``"fail"``; an attempt past the list succeeds). It logs
    every attempt (``"reserve:action ok"``) and its idempotency key."""

    def __init__(self, script=None):
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.log = []
        self.keys = []

    def attempt(self, step, kind, key):
        results = self.script.get(f"{step}:{kind}", [])
        result = results.pop(0) if results else "ok"
        self.log.append(f"{step}:{kind} {result}")
        self.keys.append(key)
        if len(self.log) >= MAX_ATTEMPTS:
            raise RuntimeError(f"{MAX_ATTEMPTS} attempts: the saga does not end")
        return result == "ok"


def saga(answer, saga_id, steps, participant):
    """``run_saga(saga_id, steps, participant.attempt)``, which must return its outcome."""
    what = f"run_saga({saga_id!r}, {steps}, attempt)"
    got = plain(call(what, answer.run_saga, saga_id, list(steps), participant.attempt))
    assert got in ("completed", "compensated"), (
        f"{what} returned {got!r}: want 'completed' or 'compensated'"
    )
    return plain(got)


def replay_saga(answer, case):
    """Replay one saga conformance vector without crashes (the hidden tests carry them): the
    attempts, their keys and the outcome must be the case's."""
    steps = [(s["name"], s.get("retries", 0)) for s in case["saga"]["steps"]]
    participant = Participant(case["script"])
    outcome = saga(answer, case["saga"]["id"], steps, participant)
    want = case["expect"]
    assert participant.log == want["log"], (
        f"{case['name']}: the attempts were {participant.log}, want {want['log']}"
    )
    for position, key in want.get("keys", {}).items():
        got = participant.keys[int(position) - 1]
        assert got == key, (
            f"{case['name']}: attempt {position} carried the key {got!r}, want {key!r}"
        )
    assert outcome == want["outcome"], (
        f"{case['name']}: outcome {outcome!r}, want {want['outcome']!r}"
    )
