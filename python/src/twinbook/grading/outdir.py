"""OUT is replaced only when the new reports are complete.

Reports are written into a fresh folder beside OUT (``.OUT.new-<pid>``, same file system),
and only then swapped in: OUT is renamed aside, the new folder renamed to OUT, the old one
deleted. A crash, Ctrl-C or full disk before the swap leaves the old OUT as it was (and the
half-written folder is removed when it can be). Files of OUT that the grader does not
manage (:data:`MANAGED`) are moved into the new OUT after the swap.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

MANAGED = (
    "gradebook.csv",
    "summary.md",
    "summary.json",
    "grades.json",
    "feedback",
    "junit",
    "results",
    "classroom",
    "returned",
)


def replace_out(out: Path, fill: Callable[[Path], None]) -> None:
    """Call ``fill(folder)`` on an empty folder, then make that folder OUT."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.new-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    for leftover in (stage, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    stage.mkdir()
    try:
        fill(stage)
        if out.exists():
            os.rename(out, old)
        os.rename(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if old.exists() and not out.exists():
            os.rename(old, out)
        raise
    if old.exists():
        # the new OUT is complete; an instructor's own files come along before the old
        # reports go (a crash here leaves them in the hidden old folder, never deleted)
        for child in old.iterdir():
            if child.name not in MANAGED and not (out / child.name).exists():
                os.rename(child, out / child.name)
        shutil.rmtree(old, ignore_errors=True)
