"""One control group per jail run: memory and process limits for the whole process tree.

rlimits are per process: four processes of 1.5 GiB each fit under a "2 GiB" RLIMIT_AS,
and a process a timeout missed keeps running. A cgroup holds every process the run
starts, whatever it forks, so

* ``memory`` caps the run's memory as a whole, tmpfs files and page cache included (the
  kernel's OOM killer ends a process of the run past it, never a process outside);
* ``pids`` caps the run's processes and threads (a fork bomb stops at the limit);
* ``cpuacct`` (v1) / ``cpu.stat`` (v2) measures the CPU time of the whole tree;
* at the end, or at the timeout, every process still in the cgroup is killed, and the
  cgroup is removed.

Both hierarchies are supported. **v2** (GitHub's runners, most current distributions):
``/sys/fs/cgroup`` is a ``cgroup2`` mount; runs go under ``/sys/fs/cgroup/twinbook`` (the
root cgroup may hold processes, a service's own cgroup may not enable controllers for
children) and are killed with ``cgroup.kill``. **v1** (this project's development
machines): one hierarchy per controller under ``/sys/fs/cgroup/<controller>``; runs go
under ``twinbook/`` inside the grader's own cgroup of each controller and are killed by
signalling every listed process until none is left (the pids limit bounds a fork race).

Creating cgroups needs root (or a delegated v2 subtree). When it is not possible,
:func:`create` returns ``None`` and :func:`unavailable` says why; the sandbox then falls
back to per-process rlimits and says so in its log and the threat model.
"""

from __future__ import annotations

import functools
import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpuacct")
GROUP = "twinbook"


@dataclass(frozen=True)
class RunCgroup:
    """The cgroup (v2: one folder; v1: one folder per controller) of one jail run."""

    version: int
    paths: tuple[Path, ...]

    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a process writes its pid to, to join the run."""
        return [str(p / "cgroup.procs") for p in self.paths]

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.paths:
            try:
                found.update(int(x) for x in (path / "cgroup.procs").read_text().split())
            except OSError:
                continue
        return found

    def kill(self, timeout: float = 10.0) -> bool:
        """Kill every process of the run; True once none is left."""
        if self.version == 2:
            try:
                (self.paths[0] / "cgroup.kill").write_text("1")
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return True
            if time.monotonic() > deadline:
                return False
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.005)

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) of every process the run had."""
        try:
            if self.version == 2:
                for line in (self.paths[0] / "cpu.stat").read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "usage_usec":
                        return int(value) / 1e6
                return None
            cpuacct = next(p for p in self.paths if p.parts[len(ROOT.parts)] == "cpuacct")
            return int((cpuacct / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError, StopIteration):
            return None

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of the run for passing the memory limit."""
        try:
            if self.version == 2:
                text = (self.paths[0] / "memory.events").read_text()
            else:
                memory = next(p for p in self.paths if p.parts[len(ROOT.parts)] == "memory")
                text = (memory / "memory.oom_control").read_text()
        except (OSError, StopIteration):
            return False
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value) > 0
        return False

    def remove(self) -> None:
        """Kill what is left and remove the cgroup (a zombie may take a moment to go)."""
        self.kill()
        for path in self.paths:
            for _ in range(200):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.005)


def version() -> int | None:
    """2 for the unified hierarchy, 1 for the legacy one, None without cgroups."""
    if (ROOT / "cgroup.controllers").is_file():
        return 2
    if (ROOT / "memory" / "cgroup.procs").is_file():
        return 1
    return None


def _own(controller: str) -> str:
    """This process's cgroup path in a v1 hierarchy (``controller``) or in v2 (``""``)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if (controller == "" and names == "") or controller in names.split(","):
            return path
    return "/"


@functools.cache
def _base() -> tuple[int, tuple[Path, ...]] | str:
    """The parent folders of the runs' cgroups, or why there are none."""
    ver = version()
    if ver is None:
        return "no cgroup file system at /sys/fs/cgroup"
    try:
        if ver == 2:
            base = ROOT / GROUP
            base.mkdir(exist_ok=True)
            wanted = {"memory", "pids", "cpu"}
            have = set((ROOT / "cgroup.subtree_control").read_text().split())
            if not wanted <= have:
                (ROOT / "cgroup.subtree_control").write_text(
                    " ".join(f"+{c}" for c in sorted(wanted - have))
                )
            (base / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in sorted(wanted)))
            _sweep([base])
            return 2, (base,)
        bases = []
        for ctrl in V1_CONTROLLERS:
            base = ROOT / ctrl / _own(ctrl).lstrip("/") / GROUP
            base.mkdir(exist_ok=True)
            bases.append(base)
        _sweep(bases)
        return 1, tuple(bases)
    except OSError as exc:
        return f"cannot create cgroups ({exc.strerror or exc}: {exc.filename or ''})"


def _sweep(bases: list[Path]) -> None:
    """Remove the cgroups of graders that died before removing theirs (a run's cgroup is
    named ``<name>-<grader pid>-<random>``); their processes died with the grader
    (bubblewrap's --die-with-parent), and any left are killed here."""
    for base in bases:
        for path in base.iterdir():
            parts = path.name.rsplit("-", 2)
            if not path.is_dir() or len(parts) != 3 or not parts[1].isdigit():
                continue
            try:
                os.kill(int(parts[1]), 0)
                continue  # its grader is alive
            except ProcessLookupError:
                pass
            except PermissionError:
                continue
            version = 2 if base.parent == ROOT else 1
            RunCgroup(version, (path,)).remove()


def unavailable() -> str:
    """Why runs get no cgroup ("" when they do)."""
    base = _base()
    return base if isinstance(base, str) else ""


def create(name: str, *, memory_bytes: int, processes: int) -> RunCgroup | None:
    """A fresh cgroup for one run with its limits set; None when cgroups are unavailable."""
    base = _base()
    if isinstance(base, str):
        return None
    ver, parents = base
    leaf = f"{name}-{os.getpid()}-{secrets.token_hex(4)}"
    made: list[Path] = []
    try:
        for parent in parents:
            path = parent / leaf
            path.mkdir()
            made.append(path)
        group = RunCgroup(ver, tuple(made))
        if ver == 2:
            path = made[0]
            (path / "memory.max").write_text(str(memory_bytes))
            if (path / "memory.swap.max").exists():
                (path / "memory.swap.max").write_text("0")
            (path / "pids.max").write_text(str(processes))
        else:
            memory, pids = made[0], made[1]
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = memory / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(memory_bytes))
            (pids / "pids.max").write_text(str(processes))
        return group
    except OSError:
        for path in made:
            try:
                path.rmdir()
            except OSError:
                pass
        raise
