"""Hidden tests for the outbox relay's batch (instructors only)."""

import copy
import random

from chapter_helpers import call
from test_visible import Broker, relay, row


def test_hidden_bad_limits_are_refused(answer):
    for limit, max_attempts in ((0, 3), (-1, 3), (3, 0), (3, -1)):
        try:
            answer.relay_batch([row(1, "a")], Broker().publish, limit, max_attempts)
        except ValueError:
            continue
        except Exception as exc:  # the learner's code: the wrong exception is a finding
            raise AssertionError(
                f"limit {limit}, max_attempts {max_attempts} raised {type(exc).__name__}"
            ) from None
        raise AssertionError(f"limit {limit}, max_attempts {max_attempts}: want ValueError")
    kept, parked, published = relay(answer, [row(1, "a"), row(2, "b")], Broker(), 1, 1)
    assert published == [1] and [r["id"] for r in kept] == [2], "limit 1 is valid: one row"
    kept, parked, published = relay(answer, [row(1, "a")], Broker(refuse={1}), 1, 1)
    assert parked == [row(1, "a", attempts=1)], "max_attempts 1: the first failure parks it"


def test_hidden_rows_are_taken_in_id_order_and_left_unchanged(answer):
    outbox = [row(3, "a"), row(1, "a"), row(2, "b")]
    broker = Broker(refuse={3})
    kept, _, published = relay(answer, outbox, broker)
    assert broker.log == [1, 2, 3] and published == [1, 2], (
        f"the broker got {broker.log}: want the rows in id order, [1, 2, 3]"
    )
    assert kept == [row(3, "a", attempts=1)], f"kept is {kept}"
    given, before = copy.deepcopy(outbox), copy.deepcopy(outbox)
    call("relay_batch(...)", answer.relay_batch, given, Broker(refuse={3}).publish, 10, 3)
    assert given == before, f"relay_batch changed the caller's rows to {given}: work on copies"


def test_hidden_skipped_rows_do_not_count_toward_the_limit(answer):
    outbox = [row(1, "a"), row(2, "a"), row(3, "a"), row(4, "b"), row(5, "c")]
    broker = Broker(refuse={1})
    kept, _, published = relay(answer, outbox, broker, limit=2)
    assert broker.log == [1, 4] and published == [4], (
        f"limit 2: the broker got {broker.log}, want [1, 4] (rows 2 and 3 wait behind row 1 "
        "without using the limit)"
    )
    assert [r["id"] for r in kept] == [1, 2, 3, 5], f"kept is {kept}"


def test_hidden_parked_at_exactly_max_attempts(answer):
    outbox = [row(1, "a", attempts=1), row(2, "b", attempts=2)]
    kept, parked, _ = relay(answer, outbox, Broker(refuse={1, 2}), max_attempts=3)
    assert kept == [row(1, "a", attempts=2)] and parked == [row(2, "b", attempts=3)], (
        f"kept {kept}, parked {parked}: a row is parked when its attempts reach max_attempts"
    )


def test_hidden_a_flaky_broker_over_many_passes(answer):
    """Passes until the outbox is empty: every row is published once or parked, and each
    aggregate's published rows keep their id order. A flaky refusal comes only in a row's
    first two attempts, so only the poison rows reach the 4 that park them."""
    rng = random.Random(5)
    outbox = [row(i, f"order-{rng.randrange(4)}") for i in range(1, 41)]
    aggregate = {r["id"]: r["aggregate"] for r in outbox}
    poison = {7, 23}
    published_all, parked_all = [], []
    for _ in range(200):
        if not outbox:
            break
        flaky = {r["id"] for r in outbox if r["attempts"] < 2 and rng.random() < 0.3} | poison
        kept, parked, published = relay(answer, outbox, Broker(refuse=flaky), 5, 4)
        published_all += published
        parked_all += parked
        outbox = kept
    assert not outbox, f"200 passes left {len(outbox)} rows"
    assert sorted(published_all + [r["id"] for r in parked_all]) == list(range(1, 41)), (
        f"published {published_all} and parked {parked_all}: want every row once, 1 to 40"
    )
    assert {r["id"] for r in parked_all} == poison, f"parked {parked_all}"
    for name in sorted(aggregate.values()):
        ids = [i for i in published_all if aggregate[i] == name]
        assert ids == sorted(ids), f"{name}'s rows were published in the order {ids}"
