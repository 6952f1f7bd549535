"""An operating-system process as a supervised child: :class:`ProcessChild`.

The same :class:`~.child.Child` protocol as an actor's, so the same
supervisor restarts a worker process (chapter 3's swarm) under the same
rules. A process ends in one of three ways, mapped onto the three reasons:

* exit status 0: ``normal`` (it finished its work);
* a non-zero status or a signal: ``crash`` (``kill -9`` included);
* ended by :meth:`ProcessChild.terminate`: ``shutdown``.

Terminating is Unix's polite-then-firm: ``SIGTERM``, a grace period for the
process to clean up, then ``SIGKILL``, which cannot be ignored; it returns
once the process has been reaped, so no zombie and no watcher task remain.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Mapping, Sequence

from .child import Exited
from .spec import Reason

__all__ = ["ProcessChild"]


class ProcessChild:
    """Supervise runs of ``argv`` (one new process per run) with ``env`` (``None``: inherit).

    ``grace`` is the seconds between ``SIGTERM`` and ``SIGKILL`` when terminating.
    The process's standard input is empty; its output goes where ours does.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        grace: float = 5.0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if not argv:
            raise ValueError("argv must name a program")
        self._argv = list(argv)
        self._grace = grace
        self._env = None if env is None else dict(env)
        self._process: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._terminating = False
        self.returncodes: list[int] = []
        """The exit status of every run so far, in order (negative: killed by that signal)."""

    @property
    def pid(self) -> int | None:
        """The current run's process id; ``None`` before the first run."""
        return None if self._process is None else self._process.pid

    async def start(self, exited: Exited) -> None:
        self._terminating = False
        process = await asyncio.create_subprocess_exec(
            *self._argv, stdin=subprocess.DEVNULL, env=self._env
        )
        self._process = process
        self._watcher = asyncio.get_running_loop().create_task(
            self._watch(process, exited), name=f"process {process.pid}"
        )

    async def _watch(self, process: asyncio.subprocess.Process, exited: Exited) -> None:
        code = await process.wait()
        self.returncodes.append(code)
        if self._terminating:
            exited(Reason.SHUTDOWN)
        else:
            exited(Reason.NORMAL if code == 0 else Reason.CRASH)

    # docs:start process-terminate
    async def terminate(self) -> None:
        process, watcher = self._process, self._watcher
        if process is None or watcher is None or watcher.done():
            return
        self._terminating = True
        if process.returncode is None:
            try:
                process.terminate()
                try:
                    async with asyncio.timeout(self._grace):
                        await asyncio.shield(watcher)
                except TimeoutError:
                    process.kill()
            except ProcessLookupError:  # it ended on its own in between
                pass
        await watcher

    # docs:end process-terminate
