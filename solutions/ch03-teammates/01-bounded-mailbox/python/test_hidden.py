"""Hidden tests for the bounded mailbox (instructors only)."""

import threading

from test_visible import PATIENCE, Call, Capacity, drain, room_check, take, until_checked, what

from twinbook.runner.plain import plain


def test_hidden_capacity_below_one_is_refused(answer):
    for capacity in (0, -1):
        outcome = what(lambda capacity=capacity: answer.Mailbox(capacity))
        assert outcome == "raised ValueError", (
            f"Mailbox({capacity}): {outcome}, want raised ValueError: a mailbox without room "
            "could never take a message"
        )
    mailbox = answer.Mailbox(1, answer.FAIL_FAST)
    outcome = what(lambda: mailbox.put("only"))
    assert outcome == "returned", f"put into an empty Mailbox(1): {outcome}, want it to fit"


def test_hidden_unknown_overflow_is_refused(answer):
    outcome = what(lambda: answer.Mailbox(3, "drop_oldest"))
    assert outcome == "raised ValueError", (
        f"Mailbox(3, 'drop_oldest'): {outcome}, want raised ValueError: only BLOCK and FAIL_FAST"
    )


def test_hidden_exactly_capacity_fits_and_room_is_reused(answer):
    mailbox = answer.Mailbox(3, answer.FAIL_FAST)
    outcomes = [what(lambda i=i: mailbox.put(i)) for i in range(4)]
    assert outcomes == ["returned"] * 3 + ["raised MailboxFull"], (
        f"four puts into a FAIL_FAST mailbox of capacity 3: {outcomes}, want three to fit and "
        "the fourth to raise MailboxFull"
    )
    first = take(mailbox)
    assert first == 0, f"get() on a mailbox holding 0, 1, 2: got {first!r}, want 0 (the oldest)"
    outcome = what(lambda: mailbox.put(3))
    assert outcome == "returned", f"put after a get made room: {outcome}, want it to fit"
    outcome = what(lambda: mailbox.put(4))
    assert outcome == "raised MailboxFull", f"put into the full mailbox again: {outcome}"
    mailbox.close()
    got = drain(mailbox)
    assert got == [1, 2, 3], f"the mailbox delivered {got!r}, want [1, 2, 3]"


def test_hidden_order_kept_across_many_puts_and_gets(answer):
    mailbox = answer.Mailbox(2, answer.FAIL_FAST)
    got = []
    for i in range(0, 40, 2):
        mailbox.put(i)
        mailbox.put(i + 1)
        got.append(take(mailbox))
        got.append(take(mailbox))
    assert got == list(range(40)), f"put two, get two, twenty times: got {got!r}"


def test_hidden_any_value_is_a_message(answer):
    mailbox = answer.Mailbox(4)
    for msg in [None, 0, "", False]:
        mailbox.put(msg)
    mailbox.close()
    got = drain(mailbox)
    assert got == [None, 0, "", False], (
        f"put None, 0, '' and False, close, then get: delivered {got!r}: a message may be any "
        "value, None too; the end is MailboxClosed, not a special value"
    )


def test_hidden_zero_block_timeout(answer):
    mailbox = answer.Mailbox(1, answer.BLOCK, block_timeout=0)
    outcome = what(lambda: mailbox.put("a"))
    assert outcome == "returned", f"put with room and block_timeout 0: {outcome}, want it to fit"
    outcome = what(lambda: mailbox.put("b"))
    assert outcome == "raised MailboxFull", (
        f"put on a full BLOCK mailbox with block_timeout 0: {outcome}, want raised MailboxFull "
        "at once"
    )


def test_hidden_timed_out_put_is_never_delivered(answer):
    mailbox = answer.Mailbox(1, answer.BLOCK, block_timeout=0.02)
    mailbox.put("a")
    outcome = what(lambda: mailbox.put("late"))
    assert outcome == "raised MailboxFull", f"put on a full mailbox nobody reads: {outcome}"
    first = take(mailbox)
    assert first == "a", f"get() on a mailbox holding 'a': got {first!r}, want 'a'"
    mailbox.put("b")
    mailbox.close()
    got = drain(mailbox)
    assert got == ["b"], (
        f"after a put that gave up and a get: delivered {got!r}, want ['b']: the put that "
        "raised MailboxFull must not queue its message"
    )


def test_hidden_full_mailbox_fails_fast_repeatedly(answer):
    mailbox = answer.Mailbox(1, answer.FAIL_FAST)
    mailbox.put("a")
    outcomes = [what(lambda i=i: mailbox.put(i)) for i in range(3)]
    assert outcomes == ["raised MailboxFull"] * 3, f"three puts on a full mailbox: {outcomes}"


def test_hidden_get_waits_for_a_put(answer):
    mailbox = answer.Mailbox(2)
    reader = Call(mailbox.get)
    outcome = reader.result(PATIENCE)
    assert outcome == "still waiting", (
        f"get() on an empty mailbox: {outcome}, want it to wait for a message"
    )
    mailbox.put("hello")
    outcome = reader.result()
    assert outcome == "returned", (
        f"a reader waited in get() and a message came: the reader {outcome}, want it to get "
        "the message: put must wake the waiting threads (notify_all)"
    )
    assert plain(reader.value) == "hello", f"the waiting reader got {reader.value!r}"


def test_hidden_close_wakes_a_waiting_reader(answer):
    mailbox = answer.Mailbox(2)
    reader = Call(mailbox.get)
    assert reader.result(PATIENCE) == "still waiting", "get() on an empty mailbox must wait"
    mailbox.close()
    outcome = reader.result()
    assert outcome == "raised MailboxClosed", (
        f"a reader waited in get() and the mailbox was closed: {outcome}, want raised "
        "MailboxClosed: close() must wake the waiting threads"
    )


def test_hidden_close_wakes_a_waiting_sender(answer):
    on_compare, checked = room_check("sender")
    mailbox = answer.Mailbox(Capacity(1, on_compare), answer.BLOCK, block_timeout=30)
    mailbox.put("a")
    sender = Call(lambda: mailbox.put("b"), name="sender")
    until_checked(checked, sender)
    assert sender.result(PATIENCE) == "still waiting", "put on a full BLOCK mailbox must wait"
    mailbox.close()
    outcome = sender.result()
    assert outcome == "raised MailboxClosed", (
        f"a sender waited for room and the mailbox was closed: {outcome}, want raised "
        "MailboxClosed: close() wakes the waiting senders, and a closed mailbox takes nothing"
    )
    got = drain(mailbox)
    assert got == ["a"], f"after close the mailbox delivered {got!r}, want ['a']"


def test_hidden_closed_mailbox_stays_closed(answer):
    mailbox = answer.Mailbox(2)
    mailbox.put("a")
    mailbox.close()
    outcome = what(mailbox.close)
    assert outcome == "returned", f"close() twice: the second {outcome}, want it to do nothing"
    first = take(mailbox)
    assert first == "a", f"get() on a mailbox holding 'a': got {first!r}, want 'a'"
    outcomes = [what(mailbox.get) for _ in range(3)]
    assert outcomes == ["raised MailboxClosed"] * 3, (
        f"get() three times on a closed, empty mailbox: {outcomes}, want MailboxClosed each time"
    )
    outcome = what(lambda: mailbox.put("b"))
    assert outcome == "raised MailboxClosed", f"put after close with room: {outcome}"


def test_hidden_full_and_closed_is_closed(answer):
    for overflow in (answer.FAIL_FAST, answer.BLOCK):
        mailbox = answer.Mailbox(1, overflow, block_timeout=0.02)
        mailbox.put("a")
        mailbox.close()
        outcome = what(lambda mailbox=mailbox: mailbox.put("b"))
        assert outcome == "raised MailboxClosed", (
            f"put on a full mailbox ({overflow}) that is closed: {outcome}, want raised "
            "MailboxClosed: closed comes first, room does not matter any more"
        )


def test_hidden_many_senders_keep_their_order(answer):
    senders, each = 6, 100
    mailbox = answer.Mailbox(3, answer.BLOCK, block_timeout=30)
    start = threading.Barrier(senders)
    errors = []

    def send(who):
        start.wait()
        for i in range(each):
            try:
                mailbox.put((who, i))
            except Exception as exc:
                errors.append(f"sender {who}: put raised {type(exc).__name__}")
                return

    threads = [threading.Thread(target=send, args=(w,), daemon=True) for w in range(senders)]
    for t in threads:
        t.start()
    got = [take(mailbox) for _ in range(senders * each)]
    for t in threads:
        t.join(5)
    assert errors == [], f"{senders} threads putting into a capacity-3 BLOCK mailbox: {errors}"
    for who in range(senders):
        mine = [i for w, i in got if w == who]
        assert mine == list(range(each)), (
            f"{senders} threads each put {each} numbered messages; sender {who}'s arrived as "
            f"{mine[:10]}...: each sender's messages must arrive once each, in its order"
        )


def test_hidden_many_readers_get_each_message_once(answer):
    readers, total = 4, 400
    mailbox = answer.Mailbox(5, answer.BLOCK, block_timeout=30)
    got = [[] for _ in range(readers)]
    ends = [None] * readers

    def read(me):
        while True:
            try:
                got[me].append(mailbox.get())
            except Exception as exc:
                ends[me] = type(exc).__name__
                return

    threads = [threading.Thread(target=read, args=(r,), daemon=True) for r in range(readers)]
    for t in threads:
        t.start()
    for i in range(total):
        mailbox.put(i)
    mailbox.close()
    for t in threads:
        t.join(5)
    assert plain(ends) == ["MailboxClosed"] * readers, (
        f"{readers} readers until the mailbox was closed: they ended with {ends}, want each to "
        "get MailboxClosed once everything was delivered"
    )
    every = sorted(plain(m) for r in got for m in r)
    assert every == list(range(total)), (
        f"{readers} readers shared {total} messages: {len(every)} delivered, "
        f"{len(set(every))} different: each message must be delivered exactly once"
    )


def test_hidden_two_senders_race_for_the_last_place(answer):
    held = threading.Event()
    runner_done = threading.Event()

    def on_compare():
        # the laggard is held at its check for room (after it has read how full the mailbox
        # is) until the runner's whole put has returned; a lock keeps the runner out, and
        # then the laggard waits PATIENCE alone
        if threading.current_thread().name == "laggard" and not held.is_set():
            held.set()
            runner_done.wait(PATIENCE)

    mailbox = answer.Mailbox(Capacity(1, on_compare), answer.FAIL_FAST)
    laggard = Call(lambda: mailbox.put("laggard"), name="laggard")
    until_checked(held, laggard)
    runner = Call(lambda: mailbox.put("runner"), name="runner")
    outcomes = [runner.result()]
    runner_done.set()
    outcomes.append(laggard.result())
    mailbox.close()
    got = drain(mailbox)
    assert sorted(outcomes) == ["raised MailboxFull", "returned"] and len(got) == 1, (
        f"two threads put into the last place of a FAIL_FAST mailbox at once: {outcomes}, the "
        f"mailbox then delivered {got!r}: want one put to fit and the other to raise "
        "MailboxFull; one thread checked for room, the other filled it, then the first put its "
        "message in too: check and append under the same lock (with self._cond:)"
    )
