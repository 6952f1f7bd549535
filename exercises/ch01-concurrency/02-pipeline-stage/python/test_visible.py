"""Visible tests for the pipeline stage: run them with the check cell."""

import queue
import threading
import time


def start_stage(answer, fn, inbox, maxsize, cancel=None):
    """Call stage() in a helper thread: it must return its outbox at once."""
    box = {}

    def call():
        try:
            box["outbox"] = answer.stage(fn, inbox, maxsize, cancel)
        except BaseException as exc:  # report it in the test, not in a stray thread
            box["error"] = exc

    t = threading.Thread(target=call, daemon=True)
    t.start()
    t.join(2)
    if "error" in box:
        raise box["error"]
    assert not t.is_alive(), (
        "stage() did not return within 2s: start a threading.Thread for the loop and return the outbox right away"
    )
    outbox = box["outbox"]
    assert isinstance(outbox, queue.Queue), (
        f"stage() must return a queue.Queue, got {type(outbox).__name__}"
    )
    return outbox


def drain(answer, outbox, timeout=3.0):
    """Take items from outbox until DONE; fail if DONE does not come in time."""
    got = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            item = outbox.get(timeout=max(left, 0.001))
        except queue.Empty:
            raise AssertionError(
                f"no DONE on the outbox within {timeout}s (received {got} so far): "
                "when the inbox gives you DONE, put DONE on the outbox and end the thread"
            ) from None
        if item is answer.DONE:
            return got
        got.append(item)


def filled(answer, *items):
    inbox = queue.Queue()
    for item in items:
        inbox.put(item)
    inbox.put(answer.DONE)
    return inbox


def test_applies_fn_in_order(answer):
    outbox = start_stage(answer, lambda x: x * x, filled(answer, *range(1, 11)), 2)
    got = drain(answer, outbox)
    want = [x * x for x in range(1, 11)]
    assert got == want, (
        f"got {got}, want {want}: put fn(item) on the outbox for every item, in the order they arrive"
    )


def test_done_is_passed_on(answer):
    outbox = start_stage(answer, lambda x: x, filled(answer), 1)
    got = drain(answer, outbox, timeout=2)
    assert got == [], f"an inbox holding only DONE produced {got}, want nothing before DONE"


def test_outbox_has_requested_maxsize(answer):
    outbox = start_stage(answer, lambda x: x, filled(answer), 3)
    assert outbox.maxsize == 3, (
        f"outbox.maxsize is {outbox.maxsize}, want 3: create it with queue.Queue(maxsize), "
        "that bound is what makes the stage wait for a slow consumer"
    )
    drain(answer, outbox, timeout=2)


def test_cancel_stops_the_thread(answer):
    before = set(threading.enumerate())
    cancel = threading.Event()
    inbox = queue.Queue()  # nothing will ever arrive: only cancel can end the stage
    start_stage(answer, lambda x: x, inbox, 1, cancel)
    time.sleep(0.05)
    cancel.set()
    deadline = time.monotonic() + 2
    while set(threading.enumerate()) - before:
        assert time.monotonic() < deadline, (
            "the stage thread is still running 2s after cancel was set: "
            "wait on the inbox with get(timeout=...) in a loop and check cancel.is_set() between tries"
        )
        time.sleep(0.01)
