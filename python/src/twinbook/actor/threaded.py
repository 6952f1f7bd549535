"""The same actor on a thread: :class:`ThreadedActor`, for the contrast with :mod:`.actor`.

Same interface, same mailbox options, same exit reasons; what differs is what
waiting costs. A full mailbox with :attr:`~.mailbox.Overflow.BLOCK` blocks
the *sender's thread* (on asyncio only the sending task waits, and the loop
runs on). An ask blocks the asking thread until the reply. And a thread cannot
be interrupted: an immediate stop drops the queued messages and answers the
queued asks, but the message being handled runs to its end first, where the
asyncio flavour cancels it at its next ``await``. The actor needs no lock
for its own state all the same: only its thread touches it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Generic, TypeVar

from .envelope import Envelope
from .errors import ActorStopped, AskTimeout, MailboxFull
from .options import Options, Overflow
from .reason import Reason

__all__ = ["ThreadMailbox", "ThreadedActor"]

M = TypeVar("M")

ThreadBehaviour = Callable[["ThreadMailbox[M]"], None]
"""A threaded actor's loop: ``for envelope in mailbox``; returning is ``normal``, raising ``crash``."""


class ThreadMailbox(Generic[M]):
    """The thread's side of its mailbox: ``for envelope in mailbox`` until it is closed.

    A deque under a :class:`threading.Condition` rather than
    :class:`queue.Queue`, because a mailbox must be *closed* and Python
    3.11's queue cannot be: closing wakes the receiver once the queue is
    empty, and every sender blocked for room with :class:`~.errors.ActorStopped`.
    """

    def __init__(self, options: Options) -> None:
        self._options = options
        self._items: deque[Envelope[M]] = deque()
        self._cond = threading.Condition()
        self._closed = False

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def __iter__(self) -> Iterator[Envelope[M]]:
        while (message := self.receive()) is not None:
            yield message

    def receive(self) -> Envelope[M] | None:
        """The next message, in the order sent; ``None`` once closed and empty."""
        with self._cond:
            while not self._items:
                if self._closed:
                    return None
                self._cond.wait()
            item = self._items.popleft()
            self._cond.notify_all()  # a sender may wait for room (and the receiver is us)
            return item

    # docs:start thread-put
    def put(self, envelope: Envelope[M], *, block: bool = True) -> None:
        """Queue ``envelope`` by the overflow policy; ``block=False`` never waits."""
        options = self._options
        with self._cond:
            if self._closed:
                raise ActorStopped("the actor is not taking messages")
            if len(self._items) >= options.capacity:
                if not block or options.overflow is Overflow.FAIL_FAST:
                    raise MailboxFull(f"mailbox full ({options.capacity} messages)")
                room = self._cond.wait_for(
                    lambda: self._closed or len(self._items) < options.capacity,
                    options.block_timeout,
                )
                if not room:
                    full = f"mailbox full ({options.capacity} messages)"
                    raise MailboxFull(f"{full} for {options.block_timeout}s")
                if self._closed:
                    raise ActorStopped("the actor stopped while the sender waited")
            self._items.append(envelope)
            self._cond.notify_all()

    # docs:end thread-put

    def close(self) -> None:
        """Take no more messages; wake the receiver and every sender waiting for room."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def clear(self) -> list[Envelope[M]]:
        """Remove and return every queued message (an immediate stop answers them)."""
        with self._cond:
            items = list(self._items)
            self._items.clear()
            self._cond.notify_all()
            return items


class ThreadedActor(Generic[M]):
    """An actor on its own thread: ``start()``, ``tell``, ``ask``, ``stop``, like :class:`.Actor`.

    Or ``with ThreadedActor(behaviour) as actor:``. Any thread may send to it.
    """

    def __init__(
        self, behaviour: ThreadBehaviour[M], options: Options | None = None, *, name: str = "actor"
    ) -> None:
        self.name = name
        self._behaviour = behaviour
        self._mailbox: ThreadMailbox[M] = ThreadMailbox(options or Options())
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # guards _asks, _reason and _callbacks across threads
        self._asks: set[Future[Any]] = set()
        self._stopping = False
        self._reason: Reason | None = None
        self._error: BaseException | None = None
        self._ended = threading.Event()
        self._callbacks: list[Callable[[Reason], None]] = []

    @classmethod
    def of(
        cls, handler: Callable[[M], Any], options: Options | None = None, *, name: str = "actor"
    ) -> ThreadedActor[M]:
        """An actor whose loop answers each message with ``handler(msg)`` (see :meth:`.Actor.of`)."""

        def serve(mailbox: ThreadMailbox[M]) -> None:
            for envelope in mailbox:
                envelope.reply(handler(envelope.msg))

        return cls(serve, options, name=name)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> ThreadedActor[M]:
        """Start the actor's thread; returns the actor."""
        if self._thread is not None:
            raise RuntimeError(f"{self.name} was already started")
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        reason, error = Reason.NORMAL, None
        try:
            self._behaviour(self._mailbox)
            if self._stopping:
                reason = Reason.SHUTDOWN
        except BaseException as exc:  # a thread has no one to raise to: record it
            reason, error = Reason.CRASH, exc
        self._mailbox.close()
        self._mailbox.clear()
        stopped = ActorStopped(f"{self.name} ended: {reason}", reason)
        stopped.__cause__ = error
        with self._lock:
            self._reason, self._error = reason, error
            asks, callbacks = list(self._asks), list(self._callbacks)
        for ask in asks:
            if not ask.done():
                try:
                    ask.set_exception(stopped)
                except Exception:  # the asker gave up in between
                    pass
        self._ended.set()
        for callback in callbacks:
            callback(reason)

    def stop(self, drain: bool = True, timeout: float | None = None) -> Reason:
        """Stop the actor and return its exit reason once its thread has ended.

        ``drain=True``: take no new messages, handle the queued ones, then end.
        ``drain=False`` (or once ``timeout`` has passed): drop the queued
        messages, answering their asks with :class:`~.errors.ActorStopped`;
        the message in hand is finished first, since a thread cannot be interrupted.
        """
        if self._thread is None:
            raise RuntimeError(f"{self.name} was never started")
        if not self._ended.is_set():
            self._stopping = True
            self._mailbox.close()
            if not drain or not self._ended.wait(timeout):
                self._fail(self._mailbox.clear())
        self._thread.join()
        assert self._reason is not None
        return self._reason

    def _fail(self, dropped: list[Envelope[M]]) -> None:
        for envelope in dropped:
            envelope.fail(ActorStopped(f"{self.name} stopped before handling it", Reason.SHUTDOWN))

    def wait(self, timeout: float | None = None) -> Reason | None:
        """Block until the actor has ended (or ``timeout`` passed: ``None``); its reason."""
        if self._thread is None:
            raise RuntimeError(f"{self.name} was never started")
        self._ended.wait(timeout)
        return self.reason

    def add_exit_callback(self, callback: Callable[[Reason], None]) -> None:
        """Call ``callback(reason)`` when the actor ends, on its thread (at once if it has ended)."""
        with self._lock:
            reason = self._reason
            if reason is None:
                self._callbacks.append(callback)
                return
        callback(reason)

    @property
    def done(self) -> bool:
        return self._ended.is_set()

    @property
    def reason(self) -> Reason | None:
        return self._reason if self.done else None

    @property
    def error(self) -> BaseException | None:
        return self._error if self.done else None

    def __enter__(self) -> ThreadedActor[M]:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop(drain=exc is None)

    # ------------------------------------------------------------------ messages

    def tell(self, msg: M) -> None:
        """Send ``msg``; when the mailbox is full, BLOCK blocks this thread up to its deadline."""
        self._mailbox.put(Envelope(msg))

    def tell_nowait(self, msg: M) -> None:
        """Send ``msg`` if there is room now, whatever the policy; :class:`MailboxFull` if not."""
        self._mailbox.put(Envelope(msg), block=False)

    def ask(self, msg: M, timeout: float = 5.0) -> Any:
        """Send ``msg`` and block this thread until the reply, for at most ``timeout`` seconds.

        :class:`~.errors.AskTimeout` when no reply came in time. Unlike the
        asyncio flavour, a full BLOCK mailbox waits up to its own deadline.
        """
        reply: Future[Any] = Future()
        with self._lock:
            if self._reason is not None:
                raise ActorStopped(f"{self.name} has ended: {self._reason}", self._reason)
            self._asks.add(reply)
        try:
            self._mailbox.put(Envelope(msg, reply))
            try:
                return reply.result(timeout)
            except TimeoutError:
                if reply.done():  # the actor answered with a TimeoutError of its own
                    raise
                raise AskTimeout(f"{self.name}: no reply within {timeout}s") from None
        finally:
            reply.cancel()
            with self._lock:
                self._asks.discard(reply)

    def __repr__(self) -> str:
        state = "not started" if self._thread is None else (self.reason or "running")
        return f"<ThreadedActor {self.name} {state}>"
