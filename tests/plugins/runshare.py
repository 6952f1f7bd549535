"""Run something once per pytest session and share its output with every xdist worker.

Every xdist worker collects (and may run) the same items, but a tool such as
``go test ./...`` or ``mypy`` should run once per session, not once per worker. The first
process to ask for a result takes an exclusive lock on
``build/<kind>/<testrunuid>/<key>.lock``, produces the result into ``<key>.<suffix>``
(atomically, by rename) and releases the lock; the others block on the lock and then read
that file. ``testrunuid`` is xdist's id of the run, the same in every worker (a fresh one
per session without xdist). Run directories older than a day are pruned.

Used by the Go test plugin (tests/plugins/gotest.py) and the static checks
(tests/plugins/lint.py).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

PRUNE_AFTER_SECONDS = 24 * 3600

_run_uid_key = pytest.StashKey[str]()


def run_uid(config: pytest.Config) -> str:
    """The id of this test run: shared by all xdist workers, unique per session."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: all workers of a run share this
        return str(workerinput["testrunuid"])
    uid = config.stash.get(_run_uid_key, None)
    if uid is None:
        uid = uuid.uuid4().hex
        config.stash[_run_uid_key] = uid
    return uid


def _prune(base: Path, keep: Path) -> None:
    now = time.time()
    for run_dir in base.iterdir() if base.is_dir() else ():
        try:
            if run_dir != keep and now - run_dir.stat().st_mtime > PRUNE_AFTER_SECONDS:
                shutil.rmtree(run_dir, ignore_errors=True)
        except OSError:
            pass


def shared_result(
    config: pytest.Config,
    kind: str,
    key: str,
    produce: Callable[[Path], None],
    suffix: str = ".json",
) -> Path:
    """Path of this run's result for ``key``, calling ``produce(tmp_path)`` if no one has yet.

    ``produce`` writes the result to the path it is given; the file is renamed into place
    only once ``produce`` returns, so a reader never sees half of it.
    """
    base = config.rootpath / "build" / kind
    run_dir = base / run_uid(config)
    run_dir.mkdir(parents=True, exist_ok=True)
    result = run_dir / f"{key}{suffix}"
    with (run_dir / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released on close, or when the process dies
        if not result.exists():
            _prune(base, keep=run_dir)
            tmp = result.with_suffix(f".tmp{os.getpid()}")
            produce(tmp)
            os.replace(tmp, result)
    return result
