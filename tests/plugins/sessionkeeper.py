"""One service for a whole pytest session, shared by its xdist workers, never left behind.

The pattern of tests/plugins/kafka.py's real broker, for any service whose keeper program
follows tests/services/kafka/keeper.py's protocol (``python -m MODULE STATE_DIR
OWNER_PID``; it writes ``state.json`` or ``error.txt`` in STATE_DIR, stops on SIGTERM or
when OWNER_PID is gone). The controller (the one pytest process without xdist) chooses the
session's folder ``build/<name>/<id>/`` and hands it to every worker; the first worker
that needs the service starts the keeper under a lock in that folder, the others read its
state there; the controller stops the keeper when the session ends. A session that needs
no service starts none. tests/plugins/postgres.py uses it.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
"""The repository, where the keepers' modules are (a session's rootdir may be elsewhere)."""


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


@dataclasses.dataclass(frozen=True)
class SessionKeeper:
    """A service kept by ``keeper_module`` for the session; ``name`` names its folder."""

    name: str
    keeper_module: str
    start_timeout: float
    stop_timeout: float
    _dir: pytest.StashKey[Path] = dataclasses.field(default_factory=pytest.StashKey[Path])
    _owner: pytest.StashKey[int] = dataclasses.field(default_factory=pytest.StashKey[int])

    @property
    def _input_dir(self) -> str:
        return f"twinbook_{self.name}_dir"

    @property
    def _input_owner(self) -> str:
        return f"twinbook_{self.name}_owner"

    # ----------------------------------------------------------------------------------
    # Hooks the plugin forwards

    def configure(self, config: pytest.Config) -> None:
        """Choose (controller) or receive (worker) the session's folder and owner."""
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None and self._input_dir in workerinput:
            config.stash[self._dir] = Path(workerinput[self._input_dir])
            config.stash[self._owner] = int(workerinput[self._input_owner])
        else:
            config.stash[self._dir] = config.rootpath / "build" / self.name / uuid.uuid4().hex
            config.stash[self._owner] = os.getpid()

    def configure_node(self, node: Any) -> None:
        """(xdist, in the controller) tell the worker the session's folder and owner."""
        node.workerinput[self._input_dir] = str(node.config.stash[self._dir])
        node.workerinput[self._input_owner] = node.config.stash[self._owner]

    def is_controller(self, config: pytest.Config) -> bool:
        return getattr(config, "workerinput", None) is None and self._dir in config.stash

    def stop_for(self, config: pytest.Config) -> str:
        """(the controller) stop the session's service; "" or what had to be killed."""
        return self.stop(config.stash[self._dir])

    # ----------------------------------------------------------------------------------
    # Starting and stopping

    def state(self, config: pytest.Config, *, wait: bool = True) -> dict[str, Any]:
        """The keeper's state (``{}`` when ``wait`` is false: start it and return at
        once). Raises RuntimeError saying why there is no service (the keeper's error is
        reported to every asker)."""
        if self._dir not in config.stash:  # asked by another plugin in a session without ours
            self.configure(config)
            config.add_cleanup(lambda: self.stop(config.stash[self._dir]))
        folder = config.stash[self._dir]
        folder.mkdir(parents=True, exist_ok=True)
        state, error = folder / "state.json", folder / "error.txt"
        with (folder / "lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released on close, or when this process dies
            if not (folder / "keeper.pid").exists():
                self._start_keeper(config, folder)
            if not wait:
                return {}
            deadline = time.monotonic() + self.start_timeout
            keeper = int((folder / "keeper.pid").read_text())
            while not state.exists() and not error.exists():
                if not alive(keeper):
                    error.write_text(
                        f"the {self.name} keeper exited:\n{_tail(folder / 'keeper.log')}"
                    )
                elif time.monotonic() > deadline:
                    error.write_text(f"{self.name} did not start within {self.start_timeout}s")
                else:
                    time.sleep(0.02)
        if error.exists():
            raise RuntimeError(f"no {self.name} for this session: {error.read_text()}")
        result: dict[str, Any] = json.loads(state.read_text())
        return result

    def _start_keeper(self, config: pytest.Config, folder: Path) -> None:
        # posix_spawn, not Popen: this worker never waits for the keeper (the controller
        # stops it), and a Popen left unwaited warns when collected. setsid: its own
        # session, so a worker that ends, or a Ctrl-C, does not take it along.
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        log = folder / "keeper.log"
        keeper = os.posix_spawn(
            sys.executable,
            [
                sys.executable,
                "-m",
                self.keeper_module,
                str(folder),
                str(config.stash[self._owner]),
            ],
            env,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, str(log), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
                (os.POSIX_SPAWN_DUP2, 1, 2),
            ],
            setsid=True,
        )
        (folder / "keeper.pid").write_text(str(keeper))

    def stop(self, folder: Path) -> str:
        """Stop the service kept in ``folder``, if one was started, and remove the
        folder. Returns "" when nothing is left running, else what was (then killed)."""
        if not (folder / "keeper.pid").exists():
            shutil.rmtree(folder, ignore_errors=True)
            return ""
        keeper = int((folder / "keeper.pid").read_text())
        state = folder / "state.json"
        server = int(json.loads(state.read_text())["pid"]) if state.exists() else None
        if alive(keeper):
            os.kill(keeper, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while (alive(keeper) or (server is not None and alive(server))) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.02)
        left = [pid for pid in (keeper, server) if pid is not None and alive(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)
        if left:
            return f"{self.name} did not stop within {self.stop_timeout}s: killed {left}"
        return ""
