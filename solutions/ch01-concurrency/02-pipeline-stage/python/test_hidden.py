"""Hidden tests for the pipeline stage (instructors only)."""

import queue
import threading
import time

from chapter_helpers import settle
from test_visible import drain, filled, start_stage

LEAK_HINT = "every wait in the stage thread (get and put) must use a timeout and check cancel"


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
    outbox = start_stage(answer, lambda x: (calls.append(x), x + 100)[1], inbox, maxsize)
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
    got = drain(answer, outbox)
    want = [i + 100 for i in range(total)]
    assert got == want, f"after the consumer caught up: got {got}, want {want}"


def test_hidden_maxsize_one(answer):
    outbox = start_stage(answer, str, filled(answer, 3, 2, 1), 1)
    assert outbox.maxsize == 1, f"outbox.maxsize is {outbox.maxsize}, want 1"
    got = drain(answer, outbox)
    assert got == ["3", "2", "1"], f"maxsize 1: got {got}, want ['3', '2', '1']"


def test_hidden_cancel_while_consumer_stalled(answer):
    before = set(threading.enumerate())
    cancel = threading.Event()
    inbox = queue.Queue()
    for i in range(100):  # plenty of input, no DONE
        inbox.put(i)
    outbox = start_stage(answer, lambda x: x, inbox, 1, cancel)
    outbox.get(timeout=2)
    time.sleep(0.1)  # the outbox is full again: the stage is waiting to put
    cancel.set()
    settle(before, "cancelled while waiting to put on a full outbox", LEAK_HINT)


def test_hidden_no_thread_left_after_done(answer):
    before = set(threading.enumerate())
    # str works on DONE too: a stage that goes on after DONE does not die of a TypeError
    outbox = start_stage(answer, str, filled(answer, 1, 2, 3), 1)
    got = drain(answer, outbox)
    assert got == ["1", "2", "3"], f"got {got}, want ['1', '2', '3']"
    settle(before, "after DONE went through", LEAK_HINT + ", and the thread must end after DONE")


def test_hidden_works_without_cancel_event(answer):
    outbox = answer.stage(lambda x: x + 1, filled(answer, 1, 2), 2)
    got = drain(answer, outbox)
    assert got == [2, 3], f"stage(fn, inbox, maxsize) with no cancel: got {got}, want [2, 3]"


def test_hidden_cancel_stops_a_busy_stage(answer):
    # The inbox never runs dry and the outbox has room for everything, so the stage never
    # waits: only a check of cancel at every item can stop it.
    before = set(threading.enumerate())
    cancel = threading.Event()
    total = 1000
    inbox = queue.Queue()
    for i in range(total):
        inbox.put(i)
    calls = []

    def fn(x):
        calls.append(x)
        if x == 3:
            cancel.set()
        return x

    start_stage(answer, fn, inbox, total, cancel)
    settle(before, "cancelled while items kept coming", LEAK_HINT)
    after = len(calls) - 4
    assert after <= 1, (
        f"fn ran {after} more time(s) after cancel was set (while handling item 3), want at most 1: "
        "check cancel before taking every item, not only when the inbox is empty"
    )


class LateInbox(queue.Queue):
    """An inbox whose first wait with a timeout times out, as if the producer were a little
    late: the items are there on the next try."""

    def __init__(self):
        super().__init__()
        self.timed_out = False

    def get(self, block=True, timeout=None):
        if not self.timed_out and (timeout is not None or not block):
            self.timed_out = True
            raise queue.Empty
        return super().get(block, timeout)


def test_hidden_item_after_a_wait_timed_out(answer):
    inbox = LateInbox()
    for item in (1, 2, answer.DONE):
        inbox.put(item)
    got = drain(answer, start_stage(answer, lambda x: x * 3, inbox, 2))
    assert got == [3, 6], (
        f"the first get(timeout=...) timed out, then 1, 2 and DONE arrived: got {got}, want [3, 6]: "
        "a wait that times out is not the end of the stream (only DONE is): wait again"
    )
