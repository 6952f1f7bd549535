"""The supervision tree's rules as a pure function of events and times: :class:`Tree`.

The Go twin is ``go/supervisor/tree.go``. There are no tasks, threads or
clocks here: the caller says what happened (a worker ended, with a reason, at
a time in milliseconds) and the tree answers with what a supervisor does about
it, as an action log (``start PATH``, ``terminate PATH``, ``give_up PATH``).
That is what makes the rules testable to the millisecond and the conformance
vectors replayable; the runtime (:mod:`.supervisor`) carries the log out on
real children.

The rules, in short (the book's supervisor spec has them in full):

* a child whose restart type asks for no restart after its reason just stops
  (a temporary one is removed); nothing is counted;
* otherwise one restart is counted at that time; if more than ``intensity``
  were counted in the last ``period_ms`` (both ends included), the supervisor
  gives up: it terminates its running children in reverse start order and
  ends with ``shutdown``, which its parent treats as any child's exit;
* else the strategy says what is restarted: the child (``one_for_one``), all
  (``one_for_all``), or the child and those after it (``rest_for_one``),
  terminating the others in reverse order first and starting in list order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .spec import ChildSpec, Kind, Reason, Restart, Spec, Strategy

__all__ = ["Tree", "TreeError"]

TOP = "/"
"""How the top supervisor is named in ``give_up``: it has no path of its own."""


class TreeError(ValueError):
    """An event the tree cannot take: not started, an unknown or stopped child, time going back."""


@dataclass(eq=False)
class _Node:
    """A child of a supervisor (or the top): its run state, and its own children if it is one."""

    path: str
    restart: Restart
    spec: Spec | None  # the nested supervisor's spec; None for a worker
    parent: _Node | None
    running: bool = False
    children: list[_Node] = field(default_factory=list)
    history: list[int] = field(default_factory=list)  # the times of restarts still counted

    @property
    def is_supervisor(self) -> bool:
        return self.spec is not None

    @property
    def name(self) -> str:
        return self.path or TOP

    def renew(self) -> None:
        """Every child of the spec anew, and no restart remembered: a supervisor's fresh start."""
        assert self.spec is not None
        self.history = []
        self.children = [self._child(child) for child in self.spec.children]

    def _child(self, child: ChildSpec) -> _Node:
        path = f"{self.path}/{child.id}" if self.path else child.id
        nested = child.supervisor if child.kind is Kind.SUPERVISOR else None
        return _Node(path, child.restart, nested, self)


class Tree:
    """One supervision tree, top supervisor first, driven by the caller's events and times.

    :meth:`start` once, then :meth:`exit` for each worker that ends; both
    return the actions taken, in order. After the top supervisor has given up
    (:attr:`stopped`), events are ignored and their log is empty.
    """

    def __init__(self, spec: Spec) -> None:
        self._top = _Node("", Restart.PERMANENT, spec, None)
        self._now: int | None = None
        self._stopped = False

    @property
    def spec(self) -> Spec:
        assert self._top.spec is not None
        return self._top.spec

    @property
    def stopped(self) -> bool:
        """Whether the top supervisor has given up (or was shut down): the tree is over."""
        return self._stopped

    def start(self, now_ms: int) -> list[str]:
        """Start every child in list order, nested supervisors' children before the next sibling."""
        if self._now is not None:
            raise TreeError("the tree has already been started")
        self._now = now_ms
        log: list[str] = []
        self._top.running = True
        self._top.renew()
        for child in self._top.children:
            self._start(child, log)
        return log

    def exit(self, path: str, reason: Reason | str, now_ms: int) -> list[str]:
        """The running worker at ``path`` ended with ``reason`` at ``now_ms``: react, return the log.

        Raises :class:`TreeError` for anything but a running worker, a known
        reason and a time no earlier than the last event's.
        """
        if self._stopped:
            return []
        if self._now is None:
            raise TreeError("exit before the tree was started")
        if now_ms < self._now:
            raise TreeError(f"time goes back: {now_ms} ms after {self._now} ms")
        try:
            why = Reason(reason)
        except ValueError:
            raise TreeError(f"unknown reason {reason!r}") from None
        node = self._find(path)
        if node.is_supervisor:
            raise TreeError(f"{path!r} is a supervisor, not a worker")
        if not node.running:
            raise TreeError(f"{path!r} is not running")
        self._now = now_ms
        log: list[str] = []
        assert node.parent is not None
        self._ended(node.parent, node, why, now_ms, log)
        return log

    def shutdown(self, now_ms: int) -> list[str]:
        """Terminate every running child in reverse start order, as the top's owner closing it."""
        if self._stopped or self._now is None:
            self._stopped = True
            return []
        self._now = max(self._now, now_ms)
        log: list[str] = []
        self._terminate_children(self._top, log)
        self._top.running = False
        self._stopped = True
        return log

    def running(self) -> list[str]:
        """The running workers and nested supervisors, by path, in start order, depth first."""
        return [node.path for node in _walk(self._top)]

    def restarts(self, path: str = "") -> list[int]:
        """The times of the restarts the supervisor at ``path`` (the top by default) still counts."""
        node = self._top if path in ("", TOP) else self._find(path)
        if not node.is_supervisor:
            raise TreeError(f"{path!r} is not a supervisor")
        return list(node.history)

    # ------------------------------------------------------------------ the rules

    # docs:start child-exited
    def _ended(
        self,
        sup: _Node,
        child: _Node,
        reason: Reason,
        now: int,
        log: list[str],
    ) -> None:
        """``child`` of ``sup`` has ended: restart what the strategy says, or give
        up."""
        child.running = False
        restart = child.restart is Restart.PERMANENT or (
            child.restart is Restart.TRANSIENT and reason is Reason.CRASH
        )
        if not restart:
            if child.restart is Restart.TEMPORARY:
                sup.children.remove(child)
            return
        assert sup.spec is not None
        sup.history = [t for t in sup.history if t >= now - sup.spec.period_ms] + [now]
        if len(sup.history) > sup.spec.intensity:
            self._give_up(sup, now, log)
            return
        if sup.spec.strategy is Strategy.ONE_FOR_ONE:
            self._start(child, log)
            return
        # docs:end child-exited
        # docs:start restart-from
        first = 0
        if sup.spec.strategy is Strategy.REST_FOR_ONE:
            first = sup.children.index(child)
        affected = sup.children[first:]
        for other in reversed(affected):
            if other is not child and other.running:
                self._terminate(other, log)
                if other.restart is Restart.TEMPORARY:
                    sup.children.remove(other)
        for other in affected:
            # a transient child that had stopped is started again too, without a
            # terminate
            if other in sup.children and not other.running:
                self._start(other, log)
        # docs:end restart-from

    # docs:start give-up
    def _give_up(self, sup: _Node, now: int, log: list[str]) -> None:
        log.append(f"give_up {sup.name}")
        self._terminate_children(sup, log)
        sup.running = False
        if sup.parent is None:
            self._stopped = True
        else:
            self._ended(sup.parent, sup, Reason.SHUTDOWN, now, log)

    def _start(self, node: _Node, log: list[str]) -> None:
        log.append(f"start {node.path}")
        node.running = True
        if node.is_supervisor:
            node.renew()
            for child in node.children:
                self._start(child, log)

    def _terminate(self, node: _Node, log: list[str]) -> None:
        self._terminate_children(node, log)
        node.running = False
        log.append(f"terminate {node.path}")

    def _terminate_children(self, node: _Node, log: list[str]) -> None:
        for child in reversed(node.children):
            if child.running:
                self._terminate(child, log)

    # docs:end give-up

    def _find(self, path: str) -> _Node:
        node = self._top
        for part in path.split("/"):
            match = [child for child in node.children if child.path.rsplit("/", 1)[-1] == part]
            if not match:
                raise TreeError(f"no child {path!r}")
            node = match[0]
        return node


def _walk(node: _Node) -> Iterator[_Node]:
    for child in node.children:
        if child.running:
            yield child
            yield from _walk(child)
