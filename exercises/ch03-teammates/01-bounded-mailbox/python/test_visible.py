"""Visible tests for the bounded mailbox: run them with the check cell."""

import threading
import time

from twinbook.runner.plain import plain

WAIT = 2.0  # how long a test waits for a call that must return (a right answer never needs it)
PATIENCE = 0.2  # how long a test lets a thread run to see that it waits


class Call:
    """``fn()`` on a thread of its own, so that a call that hangs fails the test instead of
    hanging it; ``result()`` says what it did."""

    def __init__(self, fn, name="caller"):
        self.value = None
        self.error = None  # the class name of what fn raised
        self.done = threading.Event()
        threading.Thread(target=self._run, args=(fn,), name=name, daemon=True).start()

    def _run(self, fn):
        try:
            self.value = fn()
        except Exception as exc:  # the test reports it by name
            self.error = type(exc).__name__
        finally:
            self.done.set()

    def result(self, timeout=WAIT):
        """What fn did: "returned", "raised <ExceptionClass>", or "still waiting" after ``timeout``
        seconds."""
        if not self.done.wait(timeout):
            return plain("still waiting")
        return plain("returned" if self.error is None else f"raised {self.error}")


def what(fn, timeout=WAIT):
    """What ``fn()`` did: "returned", "raised <ExceptionClass>" or "still waiting"."""
    return plain(Call(fn).result(timeout))


def take(mailbox):
    """``mailbox.get()``, which must return a message within WAIT seconds."""
    call = Call(mailbox.get)
    outcome = call.result()
    assert outcome == "returned", f"get() with a message queued: {outcome}, want it to return it"
    return plain(call.value)


def drain(mailbox):
    """Every message get() still delivers, once the mailbox is closed, until MailboxClosed."""
    got = []
    for _ in range(1000):
        call = Call(mailbox.get)
        outcome = call.result()
        if outcome == "raised MailboxClosed":
            return plain(got)
        assert outcome == "returned", (
            f"get() on a closed mailbox after {got!r}: {outcome}, want the next queued message "
            "or MailboxClosed once it is empty"
        )
        got.append(call.value)
    raise AssertionError(
        "get() on a closed mailbox delivered 1000 messages and goes on: get() must raise MailboxClosed once the queue is empty"
    )


class Capacity(int):
    """An int capacity that calls ``on_compare()`` before each comparison: the test sees the
    moment a put checks for room, in the middle of its check-then-act."""

    def __new__(cls, value, on_compare):
        capacity = super().__new__(cls, value)
        capacity.on_compare = on_compare
        return capacity

    def _compare(name):  # noqa: N805 (builds the methods below)
        def compare(self, other):
            self.on_compare()
            return getattr(int(self), name)(other)

        return compare

    __lt__, __le__, __gt__, __ge__ = (
        _compare("__lt__"),
        _compare("__le__"),
        _compare("__gt__"),
        _compare("__ge__"),
    )
    __eq__, __ne__ = _compare("__eq__"), _compare("__ne__")
    __hash__ = int.__hash__
    del _compare


def room_check(name):
    """A capacity hook and the event it sets when the thread ``name`` checks for room."""
    checked = threading.Event()

    def on_compare():
        if threading.current_thread().name == name:
            checked.set()

    return on_compare, checked


def until_checked(checked, call, timeout=1.0):
    """Wait until ``call`` has checked for room or has ended (or ``timeout``, for an answer
    that compares a copy of the capacity: then the call has had the time to get there)."""
    deadline = time.monotonic() + timeout
    while not (checked.wait(0.005) or call.done.is_set() or time.monotonic() > deadline):
        pass


def test_delivers_in_order(answer):
    mailbox = answer.Mailbox(3)
    for msg in ["a", "b", "c"]:
        mailbox.put(msg)
    got = [take(mailbox) for _ in range(3)]
    assert got == ["a", "b", "c"], (
        f"put a, b, c then get three times: got {got!r}, want ['a', 'b', 'c']: oldest first "
        "(a collections.deque: append and popleft)"
    )


def test_fail_fast_when_full(answer):
    mailbox = answer.Mailbox(2, answer.FAIL_FAST)
    mailbox.put(1)
    mailbox.put(2)
    outcome = what(lambda: mailbox.put(3))
    assert outcome == "raised MailboxFull", (
        f"put on a full FAIL_FAST mailbox (capacity 2): {outcome}, want raised MailboxFull at once"
    )
    mailbox.close()
    got = drain(mailbox)
    assert got == [1, 2], f"after the refused put: the mailbox delivered {got!r}, want [1, 2]"


def test_block_waits_for_room(answer):
    on_compare, checked = room_check("sender")
    mailbox = answer.Mailbox(Capacity(1, on_compare), answer.BLOCK, block_timeout=30)
    mailbox.put("a")
    sender = Call(lambda: mailbox.put("b"), name="sender")
    until_checked(checked, sender)
    outcome = sender.result(PATIENCE)
    assert outcome == "still waiting", (
        f"put on a full BLOCK mailbox: {outcome} at once, want it to wait for room "
        "(self._cond.wait_for(predicate, block_timeout))"
    )
    first = take(mailbox)
    outcome = sender.result()
    assert outcome == "returned", (
        f"a sender waited for room and get() made some: the sender {outcome}, want it to "
        "return: wake the waiting threads after every change (self._cond.notify_all())"
    )
    got = [first, take(mailbox)]
    assert got == ["a", "b"], f"got {got!r}, want ['a', 'b']"


def test_block_gives_up_at_its_deadline(answer):
    mailbox = answer.Mailbox(1, answer.BLOCK, block_timeout=0.05)
    mailbox.put("a")
    outcome = what(lambda: mailbox.put("b"))
    assert outcome == "raised MailboxFull", (
        f"put on a full BLOCK mailbox that nobody reads, block_timeout 0.05s: {outcome}, "
        "want raised MailboxFull once the 0.05s are over"
    )
    mailbox.close()
    got = drain(mailbox)
    assert got == ["a"], (
        f"after a put that gave up: the mailbox delivered {got!r}, want ['a']: a put that "
        "raised queued nothing"
    )


def test_close_delivers_what_is_queued(answer):
    mailbox = answer.Mailbox(5)
    mailbox.put("a")
    mailbox.put("b")
    mailbox.close()
    outcome = what(lambda: mailbox.put("c"))
    assert outcome == "raised MailboxClosed", (
        f"put after close(): {outcome}, want raised MailboxClosed"
    )
    got = drain(mailbox)
    assert got == ["a", "b"], (
        f"get after close(): delivered {got!r} then MailboxClosed, want ['a', 'b']: a closed "
        "mailbox still delivers what is queued, then raises MailboxClosed"
    )
