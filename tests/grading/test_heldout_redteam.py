"""The held-out red-team class (heldout_cases.py), graded once through `twinbook grade` in
the full jail: every student gets the points its case says, and the grader's invariants hold.

These pin what the grader gets right today: the cases it graded wrong when the class was
written are not here (they are in the red-team report of issue 9), so this module passes on
main and fails when a layer that holds now stops holding.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import classbuild as cb
import heldout_cases as hc
import pytest

from tests.repo import ROOT, SOLUTIONS
from twinbook.grading import sandbox

#: the module's fixture grades a class of about 50 students through the CLI: 202 s alone on
#: the 2-core machine before Go ran under -race, 224 s after (load about 10); the default
#: 300 s left no room for the other xdist worker's tests running beside it
pytestmark = pytest.mark.timeout(600)

POOL = hc.POOL

#: case id -> (python, go) points given today; each is within what the case allows
#: (honest: exactly full marks; hostile: at most what its correct part earns)
GRADED: dict[str, tuple[float, float]] = {
    # honest but unusual: full marks
    "honest-executor-walrus-typevars": (14, 14),
    "honest-class-protocol-generic-match": (14, 14),
    "honest-coroutine-send-unicode-exceptstar": (14, 14),
    "honest-thread-subclass-print-file": (14, 14),
    "honest-go-errorf-double-w": (14, 14),
    "honest-own-valueerror-fstring-eq": (14, 14),
    "honest-go-range-over-func": (14, 14),
    "honest-go-generics-atomic-cause": (14, 14),
    "honest-go-errors-join-generic-type": (14, 14),
    "honest-type-as-value": (14, 14),
    # forging from inside a Python answer: refused, or no more than earned
    "py-hide-threads-is-alive": (0, 14),
    "py-linger-control": (13, 14),
    "py-raise-before-waiting": (12, 14),
    "py-threading-enumerate-join-main": (1, 14),
    "py-current-thread-target": (0, 14),
    "py-namedtuple-module-answer": (0, 14),
    "py-typing-namedtuple-eq": (0, 14),
    "py-protocol-instancecheck": (1, 14),
    "py-abc-register-list": (1, 14),  # graded on merit since abstract methods may be defined
    "py-exception-args-test-fn": (0, 14),
    "py-userlist-data-swap": (0, 14),
    "py-generator-throw-into-test": (0, 14),
    "py-str-maketrans-objects": (1, 14),
    "py-lambda-default-capture": (0, 14),
    "py-format-spec-nested": (0, 14),
    "py-property-on-list-subclass": (0, 14),
    "py-match-mapping-rest-locals": (1, 14),
    "py-unicode-normalised-dunder": (0, 14),
    "py-unicode-normalised-private": (0, 14),
    # Go answers
    "go-lying-errors-as": (14, 11),
    "go-line-directive": (14, 0),
    "go-defer-panic": (14, 14),
    "go-init-goroutine-spins": (14, 14),
    # compiles that explode: the build fails inside the jail
    "go-const-string-doubling": (14, 0),
    "go-generic-type-doubling": (14, 0),
    # one submission never breaks the class
    "deep-json-notebook": (14, 0),
    "huge-output-notebook": (0, 14),
    "ten-thousand-files": (14, 14),
    "symlink-dir-to-solutions": (0, 14),
    "symlink-chapter-to-solutions": (0, 0),
    "hardlink-to-solution": (14, 14),  # a hard link is a copy: its content is what counts
    "nested-stub-attempt": (14, 14),
    # processes from an allowed module: the jail has no writable /dev/shm, the answer fails
    "py-process-pool-lingering": (0, 14),
    "py-process-pool-500": (0, 14),
}

#: other entries of the class: ids as the grader names them -> (python, go)
OTHERS: dict[str, tuple[float, float]] = {
    "a_b": (14, 14),  # "a b", "a_b" and "a?b" sanitise alike: three rows, none lost
    "zip-bomb": (0, 0),  # refused as a whole, with the reason
    "twin": (14, 14),  # a folder and a zip of the same name: one graded, the other noted
    "_rf-686c39acd6": (14, 14),  # "-rf": never an option to anything
    "_" * 48 + "-3edc8b9881": (14, 14),  # 60 emoji: shortened with a hash
}


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _cgroup_leaves(pid: int) -> list[str]:
    return glob.glob(f"/sys/fs/cgroup/**/twinbook/slot*-{pid}-*", recursive=True)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(OUT, the CLI's completed process, its pid, the private TMPDIR, canaries before)."""
    base = tmp_path_factory.mktemp("heldout")
    subs = base / "submissions"
    subs.mkdir()
    for case in hc.CASES:
        if case.id in GRADED:
            answers = {(POOL, "python"): case.python, (POOL, "go"): case.go}
            folder = cb.make_student(subs / case.id, answers)
            if case.make is not None:
                case.make(folder)
    for name in ("a b", "a_b", "a?b", "twin", "-rf", "\U0001f600" * 60):
        cb.make_student(subs / name)
    cb.zip_folder(cb.make_student(base / "twin-src"), subs / "twin.zip")
    hc.zip_bomb(subs, base)
    tmp = base / "tmp"
    tmp.mkdir()
    before = {"solutions": _hashes(SOLUTIONS), "submissions": _hashes(subs)}
    out = base / "out"
    cmd = [sys.executable, "-m", "twinbook.cli", "grade", str(subs), "--out", str(out)]
    cmd += ["--jobs", "2", "--exercise", POOL]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = proc.communicate(timeout=1200)
    done = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    return out, done, proc.pid, tmp, subs, before


def _points(out: Path) -> dict[str, tuple[float, float]]:
    rows = csv.DictReader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8")))
    return {
        row["student"]: (float(row[f"{POOL}:python"]), float(row[f"{POOL}:go"])) for row in rows
    }


def test_the_class_is_graded_completely(graded):
    out, proc, *_ = graded
    assert proc.returncode == 0, proc.stderr[-3000:]
    book = _points(out)
    assert len(book) == len(GRADED) + 3 + 4, sorted(book)
    for student in book:
        assert (out / "feedback" / f"{student}.md").is_file(), student
        assert (out / "results" / student / "results.json").is_file(), student


@pytest.mark.parametrize("case", sorted(GRADED))
def test_each_student_gets_the_points_it_earned(graded, case):
    out, *_ = graded
    held = next(c for c in hc.CASES if c.id == case)
    got = _points(out)[case]
    assert got == GRADED[case], f"{case} ({held.why}): {got}"
    if held.kind == "honest":
        assert got == held.expected, f"an honest answer lost points: {held.why}"
    else:
        assert got[0] <= held.expected[0] and got[1] <= held.expected[1], held.why


def test_ids_that_sanitise_alike_and_the_zip_bomb(graded):
    out, *_ = graded
    book = _points(out)
    same = [s for s in book if s == "a_b" or s.startswith("a_b-")]
    assert len(same) == 3, sorted(book)
    assert all(book[s] == OTHERS["a_b"] for s in same)
    assert book["zip-bomb"] == OTHERS["zip-bomb"]
    assert "zip bomb" in (out / "gradebook.csv").read_text(encoding="utf-8")
    for student in ("twin", "_rf-686c39acd6", "_" * 48 + "-3edc8b9881"):
        assert book[student] == OTHERS[student], student
    assert "twin.zip ignored: twin was graded" in (out / "gradebook.csv").read_text(
        encoding="utf-8"
    )


def test_nothing_is_written_outside_out_and_nothing_is_left(graded):
    out, _proc, pid, tmp, subs, before = graded
    assert _hashes(SOLUTIONS) == before["solutions"]
    assert _hashes(subs) == before["submissions"]
    left = sorted(p.name for p in tmp.iterdir())
    assert left == [], f"the grader left files in its TMPDIR: {left}"
    # only the slot leases stay, in one place for the machine: empty lock files
    locks = list(sandbox.SLOT_LOCKS.iterdir())
    assert all(p.name.endswith(".lock") and p.stat().st_size == 0 for p in locks), locks
    assert _cgroup_leaves(pid) == [], "the grader left cgroups behind"
