"""The book build's log without the kernels' chatter, for ``make book`` and the release.

Executing the notebooks starts kernels whose stderr is the build's: GoNB logs every cell
it runs, glog style (``I1207 13:20:46.058018   11464 main.go:226] ...``), and ipykernel
warns once per kernel that it runs over TCP without encryption (on loopback, as Jupyter
always does). Neither is about the book; both hide its real warnings. ``make book`` pipes
the build's stderr through ``python -m twinbook.authoring.booklog`` and the release's book
build filters with :func:`is_noise` too, so the two are quiet in the same way.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO

#: A glog line of GoNB: severity and date, time, thread id, file:line].
GONB_LOG = re.compile(r"^[IWEF]\d{4} [\d:.]+ +\d+ [\w.-]+\.go:\d+\]")
#: ipykernel's warning that a kernel's sockets are TCP on loopback, unencrypted.
KERNEL_TCP_WARNING = re.compile(
    r"^\[IPKernelApp\] WARNING \| Kernel is running over TCP without encryption"
)


def is_noise(line: str) -> bool:
    """The line is a kernel's chatter, not the book build's."""
    return bool(GONB_LOG.match(line) or KERNEL_TCP_WARNING.match(line))


def copy_quietly(source: Iterable[str], target: IO[str]) -> None:
    """Copy ``source`` to ``target`` line by line as it comes, without the noise."""
    for line in source:
        if not is_noise(line):
            target.write(line)
            target.flush()


def run_quietly(cmd: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Run ``cmd`` (its stdout as it is) with its stderr copied without the noise; the
    finished process."""
    with subprocess.Popen(
        cmd, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True, errors="replace"
    ) as proc:
        assert proc.stderr is not None
        copy_quietly(proc.stderr, sys.stderr)
    return proc


def main() -> None:  # pragma: no cover - exercised through make book
    copy_quietly(sys.stdin, sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    main()
