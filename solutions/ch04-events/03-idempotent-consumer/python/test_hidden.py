"""Hidden tests for the idempotent consumer (instructors only)."""

from test_visible import Run


def test_hidden_a_window_below_one_is_refused(answer):
    for window in (0, -1):
        try:
            answer.Consumer(window)
        except ValueError:
            continue
        except Exception as exc:  # the learner's code: the wrong exception is a finding
            raise AssertionError(
                f"Consumer({window}) raised {type(exc).__name__}, want ValueError"
            ) from None
        raise AssertionError(
            f"Consumer({window}) was built: want ValueError, a window holds at least 1 event"
        )
    run = Run(answer, 1)
    run.expect(0, 0, "a", True, "a window of 1 is valid")
    run.expect(0, 1, "a", False, "it remembers the last event")
    run.expect(0, 2, "b", True, "new")
    run.expect(0, 3, "a", True, "a window of 1 holds only b now")


def test_hidden_exactly_window_events_are_remembered(answer):
    run = Run(answer, 3)
    for offset, event in enumerate("abc"):
        run.expect(0, offset, event, True, "new")
    run.expect(0, 3, "a", False, "a is one of the last 3 events")
    run.expect(0, 4, "d", True, "new: a leaves the window")
    run.expect(0, 5, "b", False, "b is still one of the last 3 applied: b, c and d")
    run.expect(0, 6, "e", True, "new: b leaves the window")
    run.expect(0, 7, "b", True, "b has left the window: it counts as new")


def test_hidden_a_skipped_duplicate_does_not_refresh_the_window(answer):
    run = Run(answer, 3)
    for offset, event in enumerate("abc"):
        run.handle(0, offset, event)
    run.expect(0, 3, "a", False, "a is in the window")
    run.expect(0, 4, "d", True, "new: the window holds the last 3 applied, b, c and d")
    run.expect(
        0,
        5,
        "a",
        True,
        "a was applied first of all; seeing it again skipped did not make it recent",
    )
    run.expect(0, 6, "b", True, "the window is now c, d and a")
    run.expect(0, 7, "d", False, "d is still in the window")


def test_hidden_offsets_may_have_gaps(answer):
    run = Run(answer, 10)
    run.expect(0, 5, "a", True, "a partition's first record may be at any offset")
    run.expect(0, 9, "b", True, "offsets 6 to 8 are gone (compaction, transaction markers)")
    assert run.positions() == {0: 10}, f"positions() is {run.positions()}, want {{0: 10}}"
    run.expect(0, 7, "c", False, "offset 7 is before the position 10: a redelivery")
    run.expect(0, 9, "x", False, "offset 9 again, whatever its event id")
    assert run.positions() == {0: 10}, (
        f"positions() is {run.positions()}: a redelivered record never moves the position back"
    )


def test_hidden_a_redelivered_offset_is_skipped_whatever_its_event(answer):
    run = Run(answer, 1)
    for offset, event in enumerate("abcd"):
        run.handle(2, offset, event)
    run.expect(2, 0, "a", False, "a left the window, but offset 0 of partition 2 was handled")
    run.expect(2, 3, "zzz", False, "offset 3 was handled: the offset decides, not the id")
    run.expect(2, 4, "d", False, "offset 4 is new, but d is the last event applied")


def test_hidden_event_ids_are_shared_across_partitions(answer):
    run = Run(answer, 10)
    run.expect(0, 0, "order-7", True, "new")
    run.expect(3, 0, "order-7", False, "the same event, written again to another partition")
    assert run.positions() == {0: 1, 3: 1}, f"positions() is {run.positions()}, want {{0: 1, 3: 1}}"


def test_hidden_positions_is_a_copy(answer):
    run = Run(answer, 10)
    run.handle(0, 0, "a")
    run.positions()[0] = 0
    got = run.positions()
    assert got == {0: 1}, f"changing the dict positions() returned changed the consumer: {got}"
    run.expect(0, 0, "a", False, "offset 0 was handled, whatever the caller did with positions()")
    fresh = Run(answer, 5)
    assert fresh.positions() == {}, "a new consumer has no positions"


def test_hidden_survives_a_crash_and_a_retried_send(answer):
    # A partition's log: order-3 was sent twice by a retrying producer (offsets 3 and 4).
    log = ["order-1", "order-2", "order-3", "order-3", "order-4", "order-5", "order-6"]
    run = Run(answer, 100)
    applied = []
    committed = 0
    # the consumer handles offsets 0 to 4, commits after offset 2 only, and crashes: Kafka
    # delivers again from the committed position, 3; the bookkeeping, kept with the data, survived
    for offset in range(5):
        if run.handle(0, offset, log[offset]):
            applied.append(log[offset])
        if offset == 2:
            committed = run.positions()[0]
    assert committed == 3, f"positions() after offset 2 is {committed}, want 3"
    for offset in range(committed, len(log)):
        if run.handle(0, offset, log[offset]):
            applied.append(log[offset])
    want = ["order-1", "order-2", "order-3", "order-4", "order-5", "order-6"]
    assert applied == want, (
        f"the events applied are {applied}: want each once, in order, {want}, whatever was "
        "delivered twice"
    )
    assert run.positions() == {0: 7}, f"positions() is {run.positions()}, want {{0: 7}}"
