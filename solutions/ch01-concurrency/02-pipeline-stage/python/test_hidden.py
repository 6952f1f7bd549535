"""Hidden tests for the pipeline stage (instructors only)."""

import queue
import threading
import time


def _start(answer, fn, inbox, maxsize, cancel=None):
    box = {}

    def call():
        try:
            box["outbox"] = answer.stage(fn, inbox, maxsize, cancel)
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=call, daemon=True)
    t.start()
    t.join(2)
    if "error" in box:
        raise box["error"]
    assert not t.is_alive(), (
        "stage() did not return within 2s: start a thread and return the outbox right away"
    )
    return box["outbox"]


def _drain(answer, outbox, timeout=3.0):
    got = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            item = outbox.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty:
            raise AssertionError(
                f"no DONE on the outbox within {timeout}s (received {got} so far)"
            ) from None
        if item is answer.DONE:
            return got
        got.append(item)


def _settle(before, what):
    deadline = time.monotonic() + 2
    while True:
        extra = [t.name for t in set(threading.enumerate()) - before]
        if not extra:
            return
        assert time.monotonic() < deadline, (
            f"{what}: thread(s) {extra} still running 2s later: "
            "every wait in the stage thread (get and put) must use a timeout and check cancel"
        )
        time.sleep(0.01)


def test_hidden_backpressure(answer):
    maxsize, total = 2, 20
    inbox = queue.Queue(maxsize=1)
    sent = []
    calls = []

    def produce():
        for i in range(total):
            inbox.put(i)
            sent.append(i)
        inbox.put(answer.DONE)

    threading.Thread(target=produce, daemon=True).start()
    outbox = _start(answer, lambda x: (calls.append(x), x + 100)[1], inbox, maxsize)
    time.sleep(0.3)  # nobody reads the outbox: the stage must fill it and wait
    assert len(calls) <= maxsize + 1, (
        f"fn ran {len(calls)} times while nobody read the outbox, want at most maxsize+1 = {maxsize + 1}: "
        "the stage must wait on the full outbox instead of taking more items"
    )
    # at most: maxsize results in the outbox, one item in hand, one waiting in the inbox (maxsize 1)
    assert len(sent) <= maxsize + 2, (
        f"the producer got {len(sent)} items in while the consumer stalled, want at most {maxsize + 2}: "
        "a full outbox must stop the stage from taking more"
    )
    got = _drain(answer, outbox)
    want = [i + 100 for i in range(total)]
    assert got == want, f"after the consumer caught up: got {got}, want {want}"


def test_hidden_maxsize_one(answer):
    outbox = _start(answer, str, _queue_of(answer, 3, 2, 1), 1)
    assert outbox.maxsize == 1, f"outbox.maxsize is {outbox.maxsize}, want 1"
    got = _drain(answer, outbox)
    assert got == ["3", "2", "1"], f"maxsize 1: got {got}, want ['3', '2', '1']"


def _queue_of(answer, *items):
    q = queue.Queue()
    for item in items:
        q.put(item)
    q.put(answer.DONE)
    return q


def test_hidden_cancel_while_consumer_stalled(answer):
    before = set(threading.enumerate())
    cancel = threading.Event()
    inbox = queue.Queue()
    for i in range(100):  # plenty of input, no DONE
        inbox.put(i)
    outbox = _start(answer, lambda x: x, inbox, 1, cancel)
    outbox.get(timeout=2)
    time.sleep(0.1)  # the outbox is full again: the stage is waiting to put
    cancel.set()
    _settle(before, "cancelled while waiting to put on a full outbox")


def test_hidden_no_thread_left_after_done(answer):
    before = set(threading.enumerate())
    outbox = _start(answer, lambda x: x * 2, _queue_of(answer, 1, 2, 3), 1)
    got = _drain(answer, outbox)
    assert got == [2, 4, 6], f"got {got}, want [2, 4, 6]"
    _settle(before, "after DONE went through")


def test_hidden_works_without_cancel_event(answer):
    outbox = answer.stage(lambda x: x + 1, _queue_of(answer, 1, 2), 2)
    got = _drain(answer, outbox)
    assert got == [2, 3], f"stage(fn, inbox, maxsize) with no cancel: got {got}, want [2, 3]"
