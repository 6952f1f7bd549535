"""An actor on asyncio: one task, one bounded mailbox, messages handled one at a time.

The Go twin is ``actor.Actor`` in ``go/actor`` (a goroutine and a channel).
An actor owns its state and nobody else touches it: other tasks only send it
messages, so there is nothing to lock. The behaviour is a loop over the
:class:`~.mailbox.Mailbox`, like a goroutine ranging over a channel, and how that loop
ends is the actor's exit :class:`~.reason.Reason`:

* the loop returns: ``normal`` (its work is done);
* an exception escapes it: ``crash`` (kept in :attr:`Actor.error`);
* its owner stops it (:meth:`Actor.stop`): ``shutdown``.

A supervisor decides by that reason whether to start it again.

:meth:`Actor.stop` is graceful by default: the mailbox takes no new message,
the loop handles what is queued, then ends. ``drain=False`` is immediate: the
task is cancelled at its current ``await``, and queued asks are answered with
:class:`~.errors.ActorStopped` rather than left to time out. Either way no
task is left behind: :meth:`Actor.stop` returns once the task has ended.
"""

from __future__ import annotations

import asyncio
import heapq
import inspect
import math
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

from .envelope import Envelope
from .errors import ActorStopped, AskTimeout, MailboxFull
from .mailbox import Mailbox
from .options import Options
from .reason import Reason

__all__ = ["Actor", "Behaviour"]

M = TypeVar("M")
R = TypeVar("R")


class _Asks:
    """The pending asks of one actor, and one timer for all their deadlines.

    A timer per ask (``asyncio.timeout`` or ``call_at``) costs about as much as
    the ask's round trip itself; asks are the hot path. So the deadlines sit in
    a heap and one timer waits for the earliest; answered asks leave the heap
    lazily, from its top, when the next ask comes or the timer fires (asks one
    after another keep the heap at a few entries). At the actor's end every
    ask still in it is answered with :class:`~.errors.ActorStopped`.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._heap: list[tuple[float, int, asyncio.Future[Any], float | None]] = []
        self._seq = 0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def add(
        self,
        loop: asyncio.AbstractEventLoop,
        reply: asyncio.Future[Any],
        timeout: float | None,
        since: float | None = None,
    ) -> None:
        """Time out ``reply`` ``timeout`` seconds after ``since`` (the loop's time; now if None)."""
        heap = self._heap
        while heap and heap[0][2].done():
            heapq.heappop(heap)
        start = loop.time() if since is None else since
        deadline = math.inf if timeout is None else start + timeout
        self._seq += 1
        heapq.heappush(heap, (deadline, self._seq, reply, timeout))
        if deadline < self._timer_at:
            self._schedule(loop, deadline)

    def _schedule(self, loop: asyncio.AbstractEventLoop, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(at, self._fire, loop)
        self._timer_at = at

    def _fire(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer, self._timer_at = None, math.inf
        heap, now = self._heap, loop.time()
        while heap and (heap[0][2].done() or heap[0][0] <= now):
            _, _, reply, timeout = heapq.heappop(heap)
            if not reply.done():  # a reply that comes later finds it done and is dropped
                reply.set_exception(AskTimeout(f"{self._name}: no reply within {timeout}s"))
        if heap and heap[0][0] < math.inf:
            self._schedule(loop, heap[0][0])

    def close(self, error: ActorStopped) -> None:
        """The actor has ended: answer every pending ask with ``error``; no timer is left."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for _, _, reply, _ in self._heap:
            if not reply.done():
                reply.set_exception(error)
        self._heap.clear()


Behaviour = Callable[[Mailbox[M]], Awaitable[None]]
"""An actor's loop: it receives from the mailbox until it returns (``normal``) or raises (``crash``)."""


class Actor(Generic[M]):
    """An actor on asyncio: ``start()`` it in a running loop, ``tell`` and ``ask`` it, ``stop`` it.

    Or ``async with Actor(behaviour) as actor:``, which starts it and stops
    it gracefully at the end of the block. Messages from one sender arrive in
    the order it sent them (the mailbox is FIFO and a sender awaits each
    send). Every method belongs to the loop the actor was started in.
    """

    def __init__(
        self, behaviour: Behaviour[M], options: Options | None = None, *, name: str = "actor"
    ) -> None:
        self.name = name
        self._behaviour = behaviour
        self._mailbox: Mailbox[M] = Mailbox(options or Options())
        self._task: asyncio.Task[None] | None = None
        self._asks = _Asks(name)
        self._stopping = False
        self._reason: Reason | None = None
        self._error: BaseException | None = None
        self._ended: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # set by start()
        self._callbacks: list[Callable[[Reason], None]] = []

    @classmethod
    def of(
        cls,
        handler: Callable[[M], Awaitable[Any]] | Callable[[M], Any],
        options: Options | None = None,
        *,
        name: str = "actor",
    ) -> Actor[M]:
        """An actor whose loop answers each message with ``handler(msg)`` (awaited if async).

        The usual shape (pykka's ``on_receive``): a told message's answer is
        dropped, an ask gets it; an exception from ``handler`` crashes the actor.
        A plain function is called as is: a handler that never waits needs no
        coroutine, and saves creating one per message.
        """
        # an async function, or an object whose __call__ is one
        if inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
            type(handler).__call__
        ):
            handle_async = cast(Callable[[M], Awaitable[Any]], handler)

            async def serve(mailbox: Mailbox[M]) -> None:
                async for envelope in mailbox:
                    value = await handle_async(envelope.msg)
                    # Envelope.reply inline (a call per message saved): on asyncio the
                    # reply is a loop future, done only if its asker gave up
                    reply = envelope._reply
                    if reply is not None and not reply.done():
                        reply.set_result(value)

            return cls(serve, options, name=name)

        async def serve_sync(mailbox: Mailbox[M]) -> None:
            async for envelope in mailbox:
                value = handler(envelope.msg)
                reply = envelope._reply  # as in serve: Envelope.reply inline
                if reply is not None and not reply.done():
                    reply.set_result(value)

        return cls(serve_sync, options, name=name)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> Actor[M]:
        """Start the actor's task in the running loop; returns the actor."""
        if self._task is not None:
            raise RuntimeError(f"{self.name} was already started")
        self._ended = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run(), name=self.name)
        # a done callback, not a finally: a task cancelled before its first step never
        # runs its coroutine, and the end must be recorded all the same
        self._task.add_done_callback(self._finish)
        return self

    # docs:start exit-reason
    async def _run(self) -> None:
        try:
            await self._behaviour(self._mailbox)
        except Exception as exc:
            self._end(Reason.CRASH, exc)
        else:
            self._end(Reason.SHUTDOWN if self._stopping else Reason.NORMAL, None)

    def _end(self, reason: Reason, error: BaseException | None) -> None:
        if self._reason is None:
            self._reason, self._error = reason, error

    # docs:end exit-reason

    def _finish(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            self._end(Reason.SHUTDOWN, None)
        elif (exc := task.exception()) is not None:  # KeyboardInterrupt, SystemExit
            self._end(Reason.CRASH, exc)
        reason = self._reason
        assert reason is not None
        self._mailbox.close()
        self._mailbox.clear()
        stopped = ActorStopped(f"{self.name} ended: {reason}", reason)
        stopped.__cause__ = self._error
        self._asks.close(stopped)  # queued, or received and never answered: nobody will now
        assert self._ended is not None
        self._ended.set()
        for callback in self._callbacks:
            callback(reason)

    # docs:start stop
    async def stop(self, drain: bool = True, timeout: float | None = None) -> Reason:
        """Stop the actor and return its exit reason once its task has ended.

        ``drain=True``: take no new messages, handle the queued ones, then end
        (``shutdown``); if that takes more than ``timeout`` seconds, stop at
        once. ``drain=False``: cancel the task now; queued asks get
        :class:`~.errors.ActorStopped`. Stopping an actor that has already
        ended returns how it ended.
        """
        if self._task is None or self._ended is None:
            raise RuntimeError(f"{self.name} was never started")
        if not self._task.done():
            self._stopping = True
            self._mailbox.close()
            if drain:
                try:
                    async with asyncio.timeout(timeout):
                        await self._ended.wait()
                except TimeoutError:
                    pass
            if not self._task.done():
                self._task.cancel()
        await self._ended.wait()
        assert self._reason is not None
        return self._reason

    # docs:end stop

    async def wait(self) -> Reason:
        """Wait until the actor has ended, however it ends; its reason."""
        if self._ended is None:
            raise RuntimeError(f"{self.name} was never started")
        await self._ended.wait()
        assert self._reason is not None
        return self._reason

    def add_exit_callback(self, callback: Callable[[Reason], None]) -> None:
        """Call ``callback(reason)`` when the actor ends (at once if it has): how a supervisor learns."""
        if self._reason is not None and self._ended is not None and self._ended.is_set():
            callback(self._reason)
        else:
            self._callbacks.append(callback)

    @property
    def done(self) -> bool:
        """Whether the actor has ended."""
        return self._ended is not None and self._ended.is_set()

    @property
    def reason(self) -> Reason | None:
        """How it ended; ``None`` while it runs."""
        return self._reason if self.done else None

    @property
    def error(self) -> BaseException | None:
        """The exception that crashed it, if it crashed."""
        return self._error if self.done else None

    async def __aenter__(self) -> Actor[M]:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # on an error in the block, do not wait for a backlog nobody wants any more
        await self.stop(drain=exc is None)

    # ------------------------------------------------------------------ messages

    async def tell(self, msg: M) -> None:
        """Send ``msg`` without waiting for an answer; by the mailbox's overflow policy when full."""
        envelope = Envelope(msg)
        if not self._mailbox.put_nowait(envelope):  # the fast path needs no second coroutine
            await self._mailbox.put(envelope)

    def tell_nowait(self, msg: M) -> None:
        """Send ``msg`` if there is room now, whatever the policy; :class:`MailboxFull` if not."""
        if not self._mailbox.put_nowait(Envelope(msg)):
            raise MailboxFull(f"{self.name}: mailbox full")

    # docs:start ask
    async def ask(self, msg: M, timeout: float | None = 5.0) -> Any:
        """Send ``msg`` and wait for the reply, for at most ``timeout`` seconds in all.

        :class:`~.errors.AskTimeout` when no reply came in time (the time
        spent waiting for room in the mailbox counts), :class:`~.errors.ActorStopped`
        if the actor stops first, :class:`~.errors.MailboxFull` by the overflow policy.
        ``timeout=None`` waits as long as the actor lives.
        """
        # the actor's loop is the caller's
        loop = self._loop or asyncio.get_running_loop()
        reply: asyncio.Future[Any] = loop.create_future()
        envelope = Envelope(msg, reply)
        # full: the slow path may wait for room
        since = None
        if not self._mailbox.put_nowait(envelope):
            since = loop.time()
            try:
                async with asyncio.timeout(timeout):
                    await self._mailbox.put(envelope)
            except TimeoutError:
                raise AskTimeout(
                    f"{self.name}: no room and no reply within {timeout}s",
                ) from None
        self._asks.add(loop, reply, timeout, since)  # a wait for room counted
        try:
            return await reply
        except BaseException:
            reply.cancel()  # cancelled while waiting: a late reply is dropped
            raise

    # docs:end ask

    def __repr__(self) -> str:
        state = "not started" if self._task is None else (self.reason or "running")
        return f"<Actor {self.name} {state}>"
