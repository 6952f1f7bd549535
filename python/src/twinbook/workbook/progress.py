"""A learner's progress: the state file of a workbook, the workbook's order, what to do next.

The state lives in the learner's own copy, beside the exercises::

    exercises/.twinbook/progress.json

    {
      "version": 1,
      "hints": {"ch01-concurrency/01-worker-pool": 2},          # hint levels revealed
      "checks": {                                               # the last check per language
        "ch01-concurrency/01-worker-pool": {
          "python": {"passed": 3, "total": 5, "status": "failing",
                     "first_failure": {"name": "test_x", "message": "..."},
                     "fingerprint": "sha256 of the answer cells and the visible tests",
                     "checked_at": "2025-01-01T12:00:00+00:00"}
        }
      }
    }

``twinbook check`` and ``twinbook watch`` write the ``checks`` entries, ``twinbook hint``
the ``hints``; ``twinbook progress`` reads them. A check result counts only while its
fingerprint matches the notebook as saved now: after an edit the exercise shows as
"changed" until it is checked again. Writes are atomic (a temporary file renamed over the
old one) and serialised by a lock file, so a ``watch`` and a ``check`` running at once do
not lose each other's entries. The in-notebook ``check()`` records nothing: it tests the
kernel's names, which the saved file may not hold yet.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twinbook.exercises.model import Exercise, find_exercises
from twinbook.exercises.notebook import (
    go_answer_file,
    python_answer_file,
    read_answer_cells,
    read_answer_stubs,
)
from twinbook.exercises.results import DOES_NOT_COMPILE, CheckResult, TestResult

_COMPUTE = object()
STATE_DIR = ".twinbook"
STATE_FILE = "progress.json"
VERSION = 1

#: Status of one (exercise, language) in the workbook, from its last check: one set for
#: both languages (a Python syntax error "does not compile" as a Go compile error does).
DONE, FAILING, NOT_STARTED, COMPILE_ERROR, CHANGED, UNCHECKED = (
    "done",
    "failing",
    "not started",
    DOES_NOT_COMPILE,
    "changed",
    "unchecked",
)


def tree_of(exercise: Exercise) -> Path:
    """The workbook tree (``exercises/``) holding an exercise: ``<tree>/<chapter>/<NN-slug>``."""
    return exercise.folder.parents[1]


def state_path(tree: Path) -> Path:
    return Path(tree) / STATE_DIR / STATE_FILE


# --- fingerprints and statuses -------------------------------------------------------------


def fingerprint(exercise: Exercise, language: str) -> str | None:
    """A hash of what a check depends on: the saved answer cells and the visible tests.
    None when the notebook cannot be read (a save in progress, a broken file)."""
    spec = exercise.lang(language)
    try:
        cells = read_answer_cells(spec.notebook_path)
        tests = spec.visible_tests_path.read_bytes()
    except (ValueError, OSError):
        return None
    source = python_answer_file(cells) if language == "python" else go_answer_file(cells)
    digest = hashlib.sha256()
    digest.update(source.encode("utf-8"))
    digest.update(b"\0")
    digest.update(tests)
    return digest.hexdigest()


def stub_markers(exercise: Exercise, language: str) -> tuple[str, ...]:
    """Texts that a failure message carries while the answer is still the generated stub:
    the stub's exception as a traceback shows it and as a test shows a caught one (its repr,
    as in ``retry returned NotImplementedError('...')``)."""
    if language == "go":
        return (f"TODO: {exercise.title}",)
    return (
        f"NotImplementedError: {exercise.title}",
        f"NotImplementedError({exercise.title!r})",
        f'NotImplementedError("{exercise.title}")',
    )


def untouched(exercise: Exercise, language: str) -> bool | None:
    """The notebook's answer cells are exactly as generated (each answer cell carries its
    stub); None when that cannot be told (an unreadable notebook, one made before answer
    cells carried their stub)."""
    try:
        pairs = read_answer_stubs(exercise.lang(language).notebook_path)
    except ValueError:
        return None
    if not pairs or any(stub is None for _, stub in pairs):
        return None
    return all(source == stub for source, stub in pairs)


def result_status(result: CheckResult, exercise: Exercise, fresh: bool | None = None) -> str:
    """done, not started, does not compile (the answer did not parse or compile, or the
    grader would refuse it: no test ran) or failing. ``fresh``: the answer cells are the
    generated stub (:func:`untouched`); an untouched notebook is "not started" whatever its
    tests say. When that is unknown (None), every test failing on the stub's own message
    means not started."""
    if result.ok:
        return DONE
    if fresh:
        return NOT_STARTED
    failures = [r for r in result.results if not r.passed]
    markers = stub_markers(exercise, result.language)
    if (
        fresh is None
        and result.passed == 0
        and failures
        and all(any(m in r.message for m in markers) for r in failures)
    ):
        return NOT_STARTED
    if result.problem or (
        failures and failures[0].message.startswith(("compile error", DOES_NOT_COMPILE))
    ):
        return COMPILE_ERROR
    return FAILING


def first_failure(result: CheckResult) -> TestResult | None:
    """The first failing test of a result (points-table order), or None."""
    return next((r for r in result.results if not r.passed), None)


# --- the state file ----------------------------------------------------------------------


class Progress:
    """The state file of one workbook tree. ``load`` reads it (a missing or unreadable file
    is an empty state); :meth:`record` and :meth:`set_hint_level` update it on disk at once."""

    def __init__(self, tree: Path, data: dict[str, Any] | None = None):
        self.tree = Path(tree)
        self.data = data if data is not None else _empty()

    @property
    def path(self) -> Path:
        return state_path(self.tree)

    @classmethod
    def load(cls, tree: Path) -> Progress:
        return cls(tree, _read(state_path(tree)))

    # -- reading
    def hint_level(self, exercise_id: str) -> int:
        level = self.data["hints"].get(exercise_id, 0)
        return level if isinstance(level, int) and level >= 0 else 0

    def last_check(self, exercise_id: str, language: str) -> dict[str, Any] | None:
        checks = self.data["checks"].get(exercise_id)
        entry = checks.get(language) if isinstance(checks, dict) else None
        return entry if isinstance(entry, dict) else None

    def status(self, exercise: Exercise, language: str, current: object = _COMPUTE) -> str:
        """The pair's status from its last check; ``changed`` when the saved notebook no
        longer matches it. ``current``: the notebook's fingerprint, if already known."""
        entry = self.last_check(exercise.id, language)
        if entry is None:
            return UNCHECKED
        if current is _COMPUTE:
            current = fingerprint(exercise, language)
        if current is None or entry.get("fingerprint") != current:
            return CHANGED
        status = str(entry.get("status", FAILING))
        return COMPILE_ERROR if status == "compile error" else status  # an older file's name

    # -- writing (read-modify-write under the lock, so concurrent writers keep each other's data)
    @contextlib.contextmanager
    def _update(self) -> Iterator[dict[str, Any]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(self.path.parent / "lock"):
            data = _read(self.path)
            yield data
            _write(self.path, data)
        self.data = data

    def set_hint_level(self, exercise_id: str, level: int) -> None:
        with self._update() as data:
            if level > 0:
                data["hints"][exercise_id] = level
            else:
                data["hints"].pop(exercise_id, None)

    def forget(self, exercise_id: str, languages: list[str]) -> None:
        """Drop the exercise's recorded checks in these languages and its revealed hints
        (``twinbook reset``)."""
        with self._update() as data:
            checks = data["checks"].get(exercise_id)
            if isinstance(checks, dict):
                for language in languages:
                    checks.pop(language, None)
                if not checks:
                    data["checks"].pop(exercise_id, None)
            data["hints"].pop(exercise_id, None)

    def record(
        self,
        results: list[tuple[Exercise, CheckResult, str | None]]
        | list[tuple[Exercise, CheckResult, str | None, str]],
    ) -> None:
        """Store check results: (exercise, result, fingerprint of what was checked[, its
        status, when the caller knows it: it saw the notebook the check ran on])."""
        now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        with self._update() as data:
            for exercise, result, print_, *known in results:
                status = str(known[0]) if known else result_status(result, exercise)
                failure = first_failure(result)
                if not isinstance(data["checks"].get(exercise.id), dict):
                    data["checks"][exercise.id] = {}
                data["checks"][exercise.id][result.language] = {
                    "passed": result.passed,
                    "total": result.total,
                    "status": status,
                    "first_failure": None
                    if failure is None
                    else {"name": failure.name, "message": failure.first_line()},
                    "fingerprint": print_,
                    "checked_at": now,
                }


def _empty() -> dict[str, Any]:
    return {"version": VERSION, "hints": {}, "checks": {}}


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _empty()
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return _empty()
    for key in ("hints", "checks"):
        if not isinstance(data.get(key), dict):
            data[key] = {}
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True, ensure_ascii=False)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: last writer wins
        yield
        return
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- the workbook: order, next exercise, per-chapter summary --------------------------------


@dataclass(frozen=True)
class Item:
    """One notebook of the workbook: an exercise in one language, with its status."""

    exercise: Exercise
    language: str
    status: str

    @property
    def done(self) -> bool:
        return self.status == DONE

    @property
    def chapter(self) -> str:
        return self.exercise.id.split("/")[0]


def workbook(
    tree: Path, progress: Progress | None = None, exercises: list[Exercise] | None = None
) -> list[Item]:
    """Every (exercise, language) of the tree in workbook order (exercise id, then Python
    before Go), with its status from the state file."""
    progress = progress or Progress.load(tree)
    exercises = find_exercises(tree) if exercises is None else exercises
    return [
        Item(ex, language, progress.status(ex, language))
        for ex in exercises
        for language in ex.languages
    ]


def next_item(items: list[Item]) -> Item | None:
    """The first notebook not yet passing, in workbook order (None: all done)."""
    return next((item for item in items if not item.done), None)


@dataclass
class ChapterSummary:
    chapter: str
    done: dict[str, int]
    total: dict[str, int]


def chapters(items: list[Item]) -> list[ChapterSummary]:
    """Per chapter: notebooks done / total per language, in workbook order."""
    out: dict[str, ChapterSummary] = {}
    for item in items:
        summary = out.setdefault(item.chapter, ChapterSummary(item.chapter, {}, {}))
        summary.total[item.language] = summary.total.get(item.language, 0) + 1
        summary.done[item.language] = summary.done.get(item.language, 0) + item.done
    return list(out.values())


def reveal_hint(
    exercise: Exercise, level: int | None = None, *, reset: bool = False, record: bool | None = None
) -> int:
    """The hint level to show now: ``level`` when given, else one more than revealed so far
    (at most the number of hints). The highest level shown is remembered in the state file;
    ``record`` False (default: False only for an exercise of a ``solutions/`` tree, which is
    the instructor's) leaves the file alone. ``reset`` forgets the level and returns 0."""
    tree = tree_of(exercise)
    record = tree.name != "solutions" if record is None else record
    progress = Progress.load(tree)
    if reset:
        if record:
            progress.set_hint_level(exercise.id, 0)
        return 0
    shown = progress.hint_level(exercise.id)
    wanted = min(max(1, level if level is not None else shown + 1), len(exercise.hints))
    if record and wanted > shown:
        progress.set_hint_level(exercise.id, wanted)
    return wanted
