"""Visible tests for the outbox relay's batch: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines
(``answer.relay_batch``). ``relay`` calls it with a fake broker (``Broker``: it acknowledges
every row except those it is told to refuse, and logs what it was given), checks that the
result is three plain lists, and turns an exception of your code into a failed test that
names the call.
"""

import copy

from chapter_helpers import call

from twinbook.runner.plain import plain


def row(id, aggregate, attempts=0):
    return {"id": id, "aggregate": aggregate, "payload": f"event {id}", "attempts": attempts}


class Broker:
    """Acknowledges every row but those whose id is in ``refuse``; logs the ids it was given."""

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.log = []

    def publish(self, r):
        self.log.append(r["id"])
        return r["id"] not in self.refuse


def relay(answer, outbox, broker, limit=10, max_attempts=3):
    """``relay_batch(outbox, broker.publish, limit, max_attempts)`` on a copy of ``outbox``:
    (kept, parked, published), checked to be lists."""
    what = f"relay_batch(<{len(outbox)} rows>, publish, {limit}, {max_attempts})"
    got = plain(
        call(what, answer.relay_batch, copy.deepcopy(outbox), broker.publish, limit, max_attempts)
    )
    assert type(got) is tuple and len(got) == 3 and all(type(x) is list for x in got), (
        f"{what} returned {got!r}: want (kept, parked, published), three lists"
    )
    return got


def test_acknowledged_rows_are_published_and_deleted(answer):
    outbox = [row(1, "order-1"), row(2, "order-2")]
    kept, parked, published = relay(answer, outbox, Broker())
    assert (kept, parked, published) == ([], [], [1, 2]), (
        f"got kept={kept}, parked={parked}, published={published}: every row was acknowledged, "
        "so every row is published, in id order, and none is kept"
    )


def test_a_refused_row_stays_with_one_more_attempt(answer):
    outbox = [row(1, "order-1"), row(2, "order-2")]
    kept, parked, published = relay(answer, outbox, Broker(refuse={1}))
    assert kept == [row(1, "order-1", attempts=1)] and published == [2] and parked == [], (
        f"got kept={kept}, parked={parked}, published={published}: row 1 was not acknowledged, "
        "so it stays, with attempts 1; row 2 (another aggregate) is published"
    )


def test_a_refused_row_blocks_the_rest_of_its_aggregate(answer):
    outbox = [row(1, "order-1"), row(2, "order-1"), row(3, "order-2")]
    broker = Broker(refuse={1})
    kept, parked, published = relay(answer, outbox, broker)
    assert broker.log == [1, 3] and published == [3], (
        f"the broker was given {broker.log}: row 2 must wait for row 1, its aggregate's earlier "
        "event, or it would overtake it; row 3 is another aggregate's"
    )
    assert kept == [row(1, "order-1", attempts=1), row(2, "order-1")], (
        f"kept is {kept}: row 1 (one attempt more) and row 2 (not tried), in id order"
    )


def test_at_most_limit_rows_are_tried(answer):
    outbox = [row(i, f"order-{i}") for i in range(1, 6)]
    broker = Broker()
    kept, _, published = relay(answer, outbox, broker, limit=2)
    assert broker.log == [1, 2] and published == [1, 2], (
        f"with limit 2 the broker was given {broker.log}: want the 2 oldest rows, [1, 2]"
    )
    assert [r["id"] for r in kept] == [3, 4, 5], f"kept is {kept}: the rest waits"


def test_a_poison_row_is_parked(answer):
    outbox = [row(1, "order-1", attempts=2), row(2, "order-2")]
    kept, parked, published = relay(answer, outbox, Broker(refuse={1}), max_attempts=3)
    assert parked == [row(1, "order-1", attempts=3)] and kept == [] and published == [2], (
        f"got kept={kept}, parked={parked}, published={published}: row 1 failed its third "
        "attempt of 3, so it is parked, out of the outbox"
    )
