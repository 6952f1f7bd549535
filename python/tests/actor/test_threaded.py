"""twinbook.actor.ThreadedActor: the same contract on a thread, and where threads differ."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from timeouts import TIMEOUT

from twinbook.actor import (
    ActorStopped,
    AskTimeout,
    MailboxFull,
    Options,
    Overflow,
    Reason,
    ThreadedActor,
    ThreadMailbox,
)

SHORT = 0.01  # a deadline that passes with certainty: nothing will ever make room or reply


class Gated:
    """A handler that records every body and, on ``"hold"``, blocks until the test's gate opens."""

    def __init__(self) -> None:
        self.seen: list[Any] = []
        self.holding = threading.Event()
        self.gate = threading.Event()

    def __call__(self, body: Any) -> Any:
        self.seen.append(body)
        if body == "hold":
            self.holding.set()
            assert self.gate.wait(TIMEOUT)
        return body


def held(mailbox: Options) -> tuple[ThreadedActor[Any], Gated]:
    handler = Gated()
    actor = ThreadedActor.of(handler, mailbox, name="held").start()
    actor.tell("hold")
    assert handler.holding.wait(TIMEOUT)
    return actor, handler


def test_ask_gets_the_reply_on_the_callers_thread() -> None:
    with ThreadedActor.of(lambda n: n * 2) as actor:
        assert actor.ask(21, timeout=TIMEOUT) == 42
    assert actor.reason is Reason.SHUTDOWN


def test_messages_of_each_sender_thread_arrive_in_the_order_sent() -> None:
    seen: list[tuple[int, int]] = []
    go = threading.Barrier(3, timeout=TIMEOUT)
    with ThreadedActor.of(seen.append, Options(capacity=4)) as actor:

        def sender(who: int) -> None:
            go.wait()
            for i in range(200):
                actor.tell((who, i))

        threads = [threading.Thread(target=sender, args=(who,)) for who in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(seen) == 600
    for who in range(3):
        assert [i for w, i in seen if w == who] == list(range(200))


def test_fail_fast_raises_and_block_raises_after_its_deadline() -> None:
    actor, handler = held(Options(capacity=1, overflow=Overflow.FAIL_FAST))
    actor.tell(1)
    with pytest.raises(MailboxFull):
        actor.tell(2)
    handler.gate.set()
    actor.stop()

    actor, handler = held(Options(capacity=1, block_timeout=SHORT))
    actor.tell(1)
    with pytest.raises(MailboxFull, match="for 0.01s"):
        actor.tell(2)  # this thread was blocked for the deadline
    handler.gate.set()
    actor.stop()
    assert handler.seen == ["hold", 1]


def test_block_holds_the_senders_thread_until_there_is_room() -> None:
    actor, handler = held(Options(capacity=1, block_timeout=None))
    actor.tell(1)
    sent = threading.Event()

    def send() -> None:
        actor.tell(2)
        sent.set()

    sender = threading.Thread(target=send)
    sender.start()
    assert not sent.wait(SHORT), "no room: the sender's thread is blocked"
    handler.gate.set()
    sender.join()
    assert sent.is_set()
    actor.stop()
    assert handler.seen == ["hold", 1, 2]


def test_ask_times_out_and_the_actor_goes_on() -> None:
    actor, handler = held(Options())
    with pytest.raises(AskTimeout):
        actor.ask("late", timeout=SHORT)
    handler.gate.set()
    assert actor.ask("next", timeout=TIMEOUT) == "next"
    assert actor.stop() is Reason.SHUTDOWN
    assert handler.seen == ["hold", "late", "next"]


def test_an_exception_is_a_crash_kept_with_its_error() -> None:
    boom = RuntimeError("boom")
    ended: list[Reason] = []

    def fail(body: str) -> str:
        raise boom

    actor = ThreadedActor.of(fail).start()
    actor.add_exit_callback(ended.append)
    with pytest.raises(ActorStopped) as raised:
        actor.ask("x", timeout=TIMEOUT)
    assert raised.value.reason is Reason.CRASH and raised.value.__cause__ is boom
    assert actor.wait(TIMEOUT) is Reason.CRASH
    assert actor.error is boom
    assert ended == [Reason.CRASH]
    with pytest.raises(ActorStopped):
        actor.ask("after", timeout=TIMEOUT)


def test_a_loop_that_returns_ends_normally() -> None:
    def first_only(mailbox: ThreadMailbox[str]) -> None:
        for envelope in mailbox:
            envelope.reply(envelope.msg.upper())
            return

    actor = ThreadedActor(first_only).start()
    assert actor.ask("hi", timeout=TIMEOUT) == "HI"
    assert actor.wait(TIMEOUT) is Reason.NORMAL
    with pytest.raises(ActorStopped):
        actor.tell("after")


def test_graceful_stop_drains_the_queue() -> None:
    actor, handler = held(Options())
    for n in range(3):
        actor.tell(n)
    stopper = threading.Thread(target=actor.stop)
    stopper.start()
    handler.gate.set()
    stopper.join()
    assert actor.reason is Reason.SHUTDOWN
    assert handler.seen == ["hold", 0, 1, 2]


def test_immediate_stop_finishes_the_message_in_hand_and_answers_queued_asks() -> None:
    actor, handler = held(Options())
    answers: list[BaseException] = []

    def ask() -> None:
        try:
            actor.ask("queued", timeout=TIMEOUT)
        except ActorStopped as exc:
            answers.append(exc)

    asker = threading.Thread(target=ask)
    asker.start()
    while len(actor._mailbox) == 0:  # the ask is queued behind the held message
        threading.Event().wait(0.001)
    stopper = threading.Thread(target=actor.stop, kwargs={"drain": False})
    stopper.start()
    asker.join()
    assert len(answers) == 1, "the queued ask is answered, not left to time out"
    handler.gate.set()  # a thread cannot be interrupted: the held message runs to its end
    stopper.join()
    assert actor.reason is Reason.SHUTDOWN
    assert handler.seen == ["hold"]
