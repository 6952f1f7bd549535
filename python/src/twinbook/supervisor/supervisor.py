"""The supervisor at run time: :class:`Supervisor` carries a :class:`~.tree.Tree`'s log out on real children.

The Go twin is ``Supervisor`` in ``go/supervisor``. Every decision is the
tree's; this module only does what the tree's log says (``start`` a child,
``terminate`` one, ``give_up``) on objects that follow the
:class:`~.child.Child` protocol, and feeds the tree each child's end with the
time from a clock (:mod:`twinbook.clock`, a manual one in tests).

One task per supervisor takes the ends of its children from a queue, one at a
time, so that an end arriving while a restart is under way waits for it:
events are serialized exactly as the tree assumes. A nested supervisor is a
:class:`Supervisor` too, supervised as a child by its parent: its giving up
is its end, with reason ``shutdown``. Each supervisor's tree therefore holds
only its direct children (a nested one as a leaf), and the log, shared by the
whole tree and written with paths from the top, reads exactly as the
conformance vectors' logs do.

Closing a supervisor terminates its running children in reverse start order,
nested ones recursively, and returns once every one has ended: nothing is
left behind.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from types import TracebackType
from typing import Any

from twinbook.clock import Clock, SystemClock, nanoseconds

from .child import Child, Exited
from .spec import ChildSpec, Kind, Reason, Spec, parse_spec
from .tree import Tree

__all__ = ["Supervisor"]


class _Close:
    """The event that closes a supervisor: handled in turn, after the ends queued before it."""


_CLOSE = _Close()
_Event = tuple[str, object, Reason] | _Close


class Supervisor:
    """Supervise ``workers`` (a :class:`~.child.Child` for every worker path of ``spec``).

    ``spec`` is a :class:`~.spec.Spec` or its JSON shape. Worker paths run from
    the top (``"a"``, ``"db/conn1"``); a worker missing from ``workers``, or
    one the spec does not have, is a :class:`ValueError` naming it. Use
    ``async with Supervisor(...) as sup:`` or :meth:`start` and :meth:`close`.
    A supervisor can be started again once it has ended (that is how its
    parent restarts it): with a new tree, an empty restart history.
    """

    def __init__(
        self,
        spec: Spec | Mapping[str, Any],
        workers: Mapping[str, Child],
        *,
        clock: Clock | None = None,
        log: list[str] | None = None,
        _path: str = "",
    ) -> None:
        self.spec = spec if isinstance(spec, Spec) else parse_spec(spec)
        self.path = _path
        self.log: list[str] = [] if log is None else log
        """Every action taken, tree-wide, as the vectors write them (``start db/conn1``)."""
        self._clock: Clock = clock or SystemClock()
        self._now_ns = nanoseconds(self._clock)  # whole ns: a float's last bit never moves a ms
        self._children: dict[str, Child] = {}
        for child in self.spec.children:
            path = f"{_path}/{child.id}" if _path else child.id
            if child.kind is Kind.SUPERVISOR:
                assert child.supervisor is not None
                self._children[child.id] = Supervisor(
                    child.supervisor, workers, clock=self._clock, log=self.log, _path=path
                )
            elif path in workers:
                self._children[child.id] = workers[path]
            else:
                raise ValueError(f"no child given for worker {path!r}")
        if not _path:
            known = set(_worker_paths(self.spec, ""))
            if extra := sorted(set(workers) - known):
                raise ValueError(f"workers the spec does not have: {extra}")
        self._tree: Tree | None = None
        self._events: asyncio.Queue[_Event] | None = None
        self._task: asyncio.Task[None] | None = None
        self._runs: dict[str, object] = {}  # child id -> the token of its current run
        self._exited: Exited | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0
        self._pending = 0
        self._quiet = asyncio.Event()
        self._last_ms = 0
        self._gave_up = False
        self._active = False  # from start until the run has ended

    # ------------------------------------------------------------------ state

    @property
    def name(self) -> str:
        """The path as the log writes it: ``/`` for the top."""
        return self.path or "/"

    @property
    def stopped(self) -> bool:
        """Whether it has ended: gave up, or was closed (or never started)."""
        return not self._active

    @property
    def gave_up(self) -> bool:
        """Whether its last run ended by giving up (too many restarts), not by being closed."""
        return self._gave_up

    def running(self) -> list[str]:
        """The running workers and nested supervisors, by path, in start order, depth first."""
        if self._tree is None or self.stopped:
            return []
        paths: list[str] = []
        for ident in self._tree.running():
            child = self._children[ident]
            paths.append(f"{self.path}/{ident}" if self.path else ident)
            if isinstance(child, Supervisor):
                paths.extend(child.running())
        return paths

    def child(self, path: str) -> Child:
        """The child object supervised at ``path`` (a worker's, or a nested :class:`Supervisor`)."""
        head, _, rest = path.partition("/")
        child = self._children[head]
        if rest:
            if not isinstance(child, Supervisor):
                raise KeyError(path)
            return child.child(rest)
        return child

    # ------------------------------------------------------------------ the Child protocol

    async def start(self, exited: Exited | None = None) -> None:
        """Start every child in spec order (nested supervisors' children first), then supervise.

        ``exited`` hears the end of this run: a parent's notification, or
        anyone's who wants to know when the supervisor gives up.
        """
        if not self.stopped:
            raise RuntimeError(f"supervisor {self.name} is already running")
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._exited = exited
        self._active = True
        self._events = asyncio.Queue()
        self._tree = Tree(_leaves(self.spec))
        self._runs = {}
        self._pending = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._gave_up = False
        self._last_ms = 0
        await self._carry_out(self._tree.start(self._now_ms()))
        self._task = self._loop.create_task(self._supervise(), name=f"supervisor {self.name}")

    async def terminate(self) -> None:
        """The parent's word for :meth:`close`."""
        await self.close()

    async def close(self) -> None:
        """Terminate the running children in reverse start order, then end; wait for all of it."""
        if self._task is None or self._events is None or self._task.done():
            return  # never started, already ended, or still starting (its start call ends it)
        self._events.put_nowait(_CLOSE)
        await asyncio.shield(self._task)

    async def wait(self) -> None:
        """Wait until this run has ended (given up, or closed)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def settled(self) -> None:
        """Wait until every end reported so far has been handled, here and in nested supervisors.

        Tests and notebooks use it to look at the tree between events; the
        supervisor itself never needs it.
        """
        while True:
            await self._quiet.wait()
            for child in list(self._children.values()):
                if isinstance(child, Supervisor) and not child.stopped:
                    await child.settled()
            await asyncio.sleep(0)  # a threaded child's word comes through call_soon_threadsafe
            if self._quiet.is_set():
                return

    async def __aenter__(self) -> Supervisor:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ the loop

    def _now_ms(self) -> int:
        # clocks are monotonic, but a manual one can be set back: the tree needs time to go on
        self._last_ms = max(self._last_ms, self._now_ns() // 1_000_000)
        return self._last_ms

    def _notify(self, ident: str, token: object, reason: Reason) -> None:
        """A child's run ended: queue the event for the supervising task, from any thread."""
        loop, events = self._loop, self._events
        if loop is None or events is None:
            return
        if threading.get_ident() == self._thread:
            self._queue(events, (ident, token, reason))
        else:
            try:
                loop.call_soon_threadsafe(self._queue, events, (ident, token, reason))
            except RuntimeError:  # the loop has closed: nobody supervises any more
                pass

    def _queue(self, events: asyncio.Queue[_Event], event: _Event) -> None:
        if events is self._events and self._active:
            self._pending += 1
            self._quiet.clear()
            events.put_nowait(event)

    async def _supervise(self) -> None:
        assert self._events is not None and self._tree is not None
        tree = self._tree
        while not tree.stopped:
            event = await self._events.get()
            if isinstance(event, _Close):
                await self._carry_out(tree.shutdown(self._now_ms()))
                break
            ident, token, reason = event
            if self._runs.get(ident) is token:  # not a run already replaced or terminated
                del self._runs[ident]
                await self._carry_out(tree.exit(ident, reason, self._now_ms()))
            self._pending -= 1
            if self._pending == 0:
                self._quiet.set()
        self._quiet.set()
        self._active = False
        if self._gave_up and self._exited is not None:
            self._exited(Reason.SHUTDOWN)

    # docs:start carry-out
    async def _carry_out(self, actions: list[str]) -> None:
        for action in actions:
            verb, _, ident = action.partition(" ")
            if verb == "give_up":
                self._gave_up = True
                self.log.append(f"give_up {self.name}")
                continue
            path = f"{self.path}/{ident}" if self.path else ident
            child = self._children[ident]
            if verb == "start":
                self.log.append(f"start {path}")
                token = object()
                self._runs[ident] = token
                try:
                    await child.start(partial(self._notify, ident, token))
                except Exception:  # a child that cannot start has crashed
                    self._notify(ident, token, Reason.CRASH)
            else:
                # its end, when it comes, is ours: not an event
                self._runs.pop(ident, None)
                await child.terminate()
                self.log.append(f"terminate {path}")

    # docs:end carry-out


def _leaves(spec: Spec) -> Spec:
    """The spec as this supervisor's own tree sees it: nested supervisors are children like workers."""
    return replace(
        spec,
        children=tuple(ChildSpec(child.id, child.restart, Kind.WORKER) for child in spec.children),
    )


def _worker_paths(spec: Spec, prefix: str) -> list[str]:
    paths: list[str] = []
    for child in spec.children:
        path = f"{prefix}/{child.id}" if prefix else child.id
        if child.kind is Kind.SUPERVISOR:
            assert child.supervisor is not None
            paths.extend(_worker_paths(child.supervisor, path))
        else:
            paths.append(path)
    return paths
