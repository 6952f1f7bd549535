"""Visible tests for the idempotent consumer: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.Consumer``).
``Run`` calls your Consumer, checks that what it returns is a plain bool or dict, and turns an
exception of your code into a failed test that names the call.
"""

from twinbook.runner.plain import plain


class Run:
    """The learner's Consumer as the tests drive it."""

    def __init__(self, answer, window):
        self.consumer = _call(f"Consumer({window})", answer.Consumer, window)

    def handle(self, partition, offset, event_id):
        """``consumer.handle(...)``, which must return True or False."""
        call = f"handle({partition}, {offset}, {event_id!r})"
        got = _call(call, self.consumer.handle, partition, offset, event_id)
        assert type(got) is bool, f"{call} returned {got!r}: want True or False"
        return plain(got)

    def expect(self, partition, offset, event_id, want, why):
        """``handle(...)`` must return ``want``; ``why`` is the rule that says so."""
        got = self.handle(partition, offset, event_id)
        assert got == want, (
            f"handle({partition}, {offset}, {event_id!r}) is {got}, want {want}: {why}"
        )

    def positions(self):
        """``consumer.positions()``: a dict of partition -> offset."""
        got = plain(_call("positions()", self.consumer.positions))
        assert type(got) is dict, f"positions() returned {got!r}: want a dict"
        return plain(got)


def _call(what, fn, *args):
    """``fn(*args)``; an exception is a failed test naming the call."""
    try:
        return fn(*args)
    except Exception as exc:  # the learner's code: any exception is a finding
        raise AssertionError(f"{what} raised {type(exc).__name__}: {exc}") from None


def test_new_events_are_applied_and_positions_advance(answer):
    run = Run(answer, 10)
    for offset, event in enumerate(["a", "b", "c"]):
        run.expect(0, offset, event, True, "a new event at the next offset is applied")
    assert run.positions() == {0: 3}, (
        f"positions() is {run.positions()} after offsets 0, 1, 2 of partition 0: want {{0: 3}}, "
        "the offset after the last handled (the next one to read)"
    )


def test_a_redelivered_offset_is_skipped(answer):
    run = Run(answer, 10)
    for offset, event in enumerate(["a", "b", "c"]):
        run.handle(0, offset, event)
    for offset, event in enumerate(["a", "b", "c"]):
        run.expect(0, offset, event, False, "offset already handled: Kafka delivered it again")
    run.expect(0, 3, "d", True, "offset 3 is new")
    assert run.positions() == {0: 4}, f"positions() is {run.positions()}, want {{0: 4}}"


def test_the_same_event_at_a_new_offset_is_skipped(answer):
    run = Run(answer, 10)
    run.expect(0, 0, "order-1", True, "a new event")
    run.expect(0, 1, "order-1", False, "order-1 again at offset 1: a producer retried its send")
    assert run.positions() == {0: 2}, (
        f"positions() is {run.positions()}: a skipped duplicate is handled too, so the "
        "position moves past it ({0: 2})"
    )


def test_the_window_forgets_the_oldest_event(answer):
    run = Run(answer, 2)
    run.expect(0, 0, "a", True, "new")
    run.expect(0, 1, "b", True, "new")
    run.expect(0, 2, "c", True, "new: the window of 2 now holds b and c, and a is forgotten")
    run.expect(0, 3, "a", True, "a left the window of the last 2 events, so it counts as new")
    run.expect(0, 4, "c", False, "c is still in the window")


def test_partitions_keep_their_own_positions(answer):
    run = Run(answer, 10)
    run.expect(0, 0, "a", True, "new")
    run.expect(1, 0, "b", True, "offset 0 of partition 1 is not offset 0 of partition 0")
    run.expect(1, 1, "c", True, "new")
    run.expect(0, 0, "a", False, "partition 0's offset 0 again")
    assert run.positions() == {0: 1, 1: 2}, f"positions() is {run.positions()}, want {{0: 1, 1: 2}}"
