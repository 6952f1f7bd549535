"""`twinbook watch`: driven in a subprocess like a learner would (save a notebook, see the
check again, Ctrl-C), plus the watcher's choices (what to show first, which saves count)."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time

from learner_workbook import WORKER_POOL, bar, fill_in, pairs
from rich.console import Console

from twinbook.exercises import load_exercise
from twinbook.workbook import checks
from twinbook.workbook.watch import Watcher

WAIT = 90  # seconds: generous, the machine may be busy; never a timing assertion


class Watch:
    """`twinbook watch ...` in a subprocess, its output collected line by line."""

    def __init__(self, workbook, *args: str):
        env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="120")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "twinbook.cli",
                "watch",
                *args,
                "--no-clear",
                "--root",
                str(workbook),
            ],
            cwd=workbook,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, count: int = 1) -> None:
        deadline = time.monotonic() + WAIT
        while self.output.count(text) < count:
            assert self.proc.poll() is None or self.output.count(text) >= count, (
                f"watch exited:\n{self.output}"
            )
            assert time.monotonic() < deadline, f"no {text!r} after {WAIT}s:\n{self.output}"
            time.sleep(0.1)

    def finish(self) -> int:
        try:
            code = self.proc.wait(timeout=WAIT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self._reader.join(timeout=10)
        return code


def test_a_save_checks_again_and_says_what_is_next(workbook):
    exercises = workbook / "exercises"
    watch = Watch(workbook, WORKER_POOL, "--lang", "python", "--max-runs", "1")
    watch.wait_for("Watching 1 notebook")
    assert "│ ch01-concurrency/01-worker-pool │ python   │   0/5 │ · not started │" in watch.output
    assert "Next: ch01-concurrency/01-worker-pool (python)" in watch.output
    # save the solved notebook until the watcher has seen a save (it may not watch yet
    # when the first save lands); each save differs, so none is taken for an autosave
    n = 0
    while watch.proc.poll() is None:
        n += 1
        answer = fill_in(
            exercises,
            WORKER_POOL,
            "python",
            replace={"return results": f"return results  # save {n}"},
        )
        assert answer.is_file()
        try:
            watch.proc.wait(timeout=1.5)
        except subprocess.TimeoutExpired:
            assert n < WAIT, watch.output
    assert watch.finish() == 0, watch.output
    second = watch.output.split("twinbook watch · ")[2]  # the screen after the save
    assert "│ ch01-concurrency/01-worker-pool │ python   │   5/5 │ ✓ done │" in second
    assert "passes every visible test" in second
    assert "Next: ch01-concurrency/01-worker-pool (go)" in second
    assert bar(exercises, python=1) in second
    # each screen says when its check ran: a save whose screen looks the same still shows
    times = re.findall(
        r"^twinbook watch · \S+ \(python\) · checked at (\d\d:\d\d:\d\d)$", watch.output, re.M
    )
    assert len(times) == 2, watch.output
    assert times[0] <= times[1] or times[0] > "23:58:00"  # (the clock may pass midnight)


def test_ctrl_c_stops_it_cleanly(workbook):
    watch = Watch(workbook, "--poll")  # polling mode: where file events do not arrive
    watch.wait_for(f"Watching {len(pairs(workbook / 'exercises'))} notebook")
    watch.proc.send_signal(signal.SIGINT)
    assert watch.finish() == 0, watch.output
    assert "Stopped watching." in watch.output
    assert "Traceback" not in watch.output and "KeyboardInterrupt" not in watch.output


def test_without_an_exercise_it_starts_with_the_next_one_to_do(workbook):
    exercises = workbook / "exercises"
    fill_in(exercises, WORKER_POOL, "python")
    checks.record(exercises, [checks.check_one(load_exercise(exercises / WORKER_POOL), "python")])
    watcher = Watcher(exercises, console=Console(file=io.StringIO()), clear=False)
    first = watcher.first()
    assert (first[0].id, first[1]) == (WORKER_POOL, "go")
    assert [(ex.id, lang) for ex, lang in watcher.pairs] == pairs(exercises)


def test_only_saves_that_change_the_answer_count(workbook):
    exercises = workbook / "exercises"
    out = io.StringIO()
    watcher = Watcher(
        exercises,
        [(exercises / WORKER_POOL, "python")],
        console=Console(file=out, width=120),
        clear=False,
    )
    notebook = str(exercises / WORKER_POOL / "python" / "worker_pool.ipynb")
    pair = watcher.pairs[0]
    assert watcher.saved({notebook}) == [pair]  # never checked yet
    watcher.check(pair)
    assert "0/5" in out.getvalue()
    assert watcher.saved({notebook}) == []  # saved again unchanged (an autosave): nothing to do
    go_notebook = str(exercises / WORKER_POOL / "go" / "worker_pool.ipynb")
    assert watcher.saved({go_notebook, notebook + ".tmp"}) == []  # not watched
    fill_in(exercises, WORKER_POOL, "python")
    assert watcher.saved({notebook}) == [pair]
