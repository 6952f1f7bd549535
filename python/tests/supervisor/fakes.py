"""A child the test ends by hand: :class:`FakeChild`, and the order children were terminated in."""

from __future__ import annotations

from twinbook.supervisor import Exited, Reason


class FakeChild:
    """A :class:`~twinbook.supervisor.Child` that runs until the test calls :meth:`end`.

    Terminating it reports ``shutdown`` like a real child does, which its
    supervisor must ignore; ``order`` (shared between fakes) records who was
    terminated when.
    """

    def __init__(self, path: str, order: list[str] | None = None, fail_start: int = 0) -> None:
        self.path = path
        self.order = order if order is not None else []
        self.runs = 0
        self.fail_start = fail_start  # this many starts raise first
        self._exited: Exited | None = None

    @property
    def running(self) -> bool:
        return self._exited is not None

    async def start(self, exited: Exited) -> None:
        self.runs += 1
        if self.fail_start > 0:
            self.fail_start -= 1
            raise OSError(f"{self.path} cannot start")
        self._exited = exited

    async def terminate(self) -> None:
        if self._exited is not None:
            self.order.append(self.path)
            self.end(Reason.SHUTDOWN)

    def end(self, reason: Reason) -> None:
        exited, self._exited = self._exited, None
        assert exited is not None, f"{self.path} is not running"
        exited(reason)
