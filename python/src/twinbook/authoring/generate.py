"""Generate the learners' ``exercises/`` tree from ``solutions/``.

For every file under ``solutions/``:

* hidden test files (``python/test_hidden.py``, ``go/hidden_test.go`` beside an exercise's
  notebook) are dropped, and so are the instructors' kept wrong answers and equivalent
  mutants (``<lang>/wrong_answers/``, ``<lang>/equivalent_mutants.toml``:
  :data:`INSTRUCTOR_ONLY`);
* ``exercise.toml`` loses the hidden tests' lines from its ``[<lang>.points]`` tables and
  gains a ``[<lang>.hidden]`` summary (``tests = N``, ``points = P``) instead
  (:func:`learner_toml`): no hidden test's name leaves ``solutions/``. This is the one
  place that removes them; the book and ``twinbook release`` ship these files as they are;
* notebooks (``*.ipynb``) inside an exercise get their ``BEGIN/END SOLUTION`` regions
  replaced by the stub and every cell's outputs and execution count cleared, then are
  written with one fixed serialisation, so generating twice gives the same bytes;
* everything else is copied byte for byte.

Files that exist only in ``exercises/`` and are listed in :data:`KEEP` (its README) are
left alone; any other file there that the generator would not write is stale.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbook.exercises.model import (
    EXERCISE_FILE,
    HIDDEN_PREFIX,
    HIDDEN_TESTS,
    INSTRUCTOR_ONLY,
    LANGUAGES,
    ExerciseError,
    find_exercises,
)
from twinbook.exercises.notebook import (
    dumps_notebook,
    make_stub_notebook,
    notebook_language,
    read_notebook,
)

#: Paths (relative to exercises/) that the generator never writes nor deletes.
KEEP = frozenset({"README.md"})
# .twinbook/ holds a learner's progress (twinbook.workbook.progress): theirs, never generated nor removed
_JUNK_DIRS = frozenset({".ipynb_checkpoints", "__pycache__", ".pytest_cache", ".twinbook"})
_JUNK_FILES = frozenset({".DS_Store"})


def _is_junk(rel: Path) -> bool:
    return (
        bool(_JUNK_DIRS.intersection(rel.parts)) or rel.name in _JUNK_FILES or rel.suffix == ".pyc"
    )


def _files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file() and not _is_junk(p.relative_to(root))
    )


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r'^\s*(?:"([^"]+)"|([A-Za-z0-9_-]+))\s*=')


def _number(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def learner_toml(text: str, path: Path | str = EXERCISE_FILE) -> str:
    """A solutions' ``exercise.toml`` as a learner's copy: every ``[<lang>.points]`` table
    without the hidden tests' lines, followed by ``[<lang>.hidden]`` with their number and
    their points (omitted when a language has no hidden test). Everything else, comments
    included, is kept line for line. The result is parsed again and must say exactly that
    (else :class:`ExerciseError`: write the points table one ``name = points`` per line)."""
    data = tomllib.loads(text)
    summaries: dict[str, tuple[int, int | float]] = {}
    for lang in LANGUAGES:
        points = data.get(lang, {}).get("points", {}) if isinstance(data.get(lang), dict) else {}
        hidden = [p for name, p in points.items() if name.startswith(HIDDEN_PREFIX[lang])]
        if hidden:
            summaries[lang] = (len(hidden), sum(hidden))

    out: list[str] = []
    table = ""

    def close(table: str) -> None:
        lang = table.removesuffix(".points") if table.endswith(".points") else None
        if lang not in summaries:
            return
        tail = []
        while out and not out[-1].strip():
            tail.append(out.pop())  # the summary goes right below the last key
        tests, points = summaries[lang]
        out.append(
            f"\n[{lang}.hidden]  # the hidden tests, run only by the grader: how many, worth how much\n"
        )
        out.append(f"tests = {tests}\n")
        out.append(f"points = {_number(points)}\n")
        out.extend(reversed(tail))

    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    for line in lines:
        header = _HEADER.match(line)
        if header:
            close(table)
            table = header.group(1)
        elif table.endswith(".points") and table.removesuffix(".points") in HIDDEN_PREFIX:
            key = _KEY.match(line)
            name = key and (key.group(1) or key.group(2))
            if name and name.startswith(HIDDEN_PREFIX[table.removesuffix(".points")]):
                continue
        out.append(line)
    close(table)
    result = "".join(out)

    wanted = tomllib.loads(text)
    for lang, (tests, points) in summaries.items():
        table_ = wanted[lang]
        table_["points"] = {
            k: v for k, v in table_["points"].items() if not k.startswith(HIDDEN_PREFIX[lang])
        }
        table_["hidden"] = {"tests": tests, "points": points}
    got: dict[str, Any] | tomllib.TOMLDecodeError
    try:
        got = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:
        got = exc
    if got != wanted:
        raise ExerciseError(
            f"{path}: the learner's copy without the hidden tests' names came out wrong: write each "
            "[<lang>.points] table as a table of its own, one `name = points` line per test"
        )
    return result


def generate_tree(solutions: Path) -> dict[Path, bytes]:
    """What ``exercises/`` must contain: relative path -> bytes (KEEP files excluded)."""
    solutions = Path(solutions)
    exercises = {ex.folder.relative_to(solutions.resolve()): ex for ex in find_exercises(solutions)}
    hidden: set[Path] = set()
    for rel_dir, ex in exercises.items():
        for spec in ex.languages.values():
            rel_tests = spec.test_dir.relative_to(ex.folder)
            hidden.add(rel_dir / rel_tests / HIDDEN_TESTS[spec.language])
    out: dict[Path, bytes] = {}
    for rel in _files(solutions):
        if rel in hidden or rel.as_posix() in KEEP or INSTRUCTOR_ONLY.intersection(rel.parts):
            continue
        src = solutions / rel
        owner = next((d for d in exercises if d in rel.parents), None)
        if rel.suffix == ".ipynb" and owner is not None:
            ex = exercises[owner]
            nb = read_notebook(src)
            stub = make_stub_notebook(nb, notebook_language(nb), ex.title, str(src))
            out[rel] = dumps_notebook(stub).encode("utf-8")
        elif rel.name == EXERCISE_FILE and rel.parent in exercises:
            out[rel] = learner_toml(src.read_text(encoding="utf-8"), src).encode("utf-8")
        else:
            out[rel] = src.read_bytes()
    return out


@dataclass
class Diff:
    changed: list[Path] = field(default_factory=list)  # differ or missing in exercises/
    stale: list[Path] = field(default_factory=list)  # in exercises/ but not generated

    @property
    def clean(self) -> bool:
        return not self.changed and not self.stale

    def describe(self, exercises: Path) -> list[str]:
        lines = []
        for rel in self.changed:
            state = "differs" if (exercises / rel).exists() else "missing"
            lines.append(f"{exercises / rel}: {state}")
        lines += [f"{exercises / rel}: stale (not generated from solutions)" for rel in self.stale]
        return lines


def diff_tree(solutions: Path, exercises: Path, wanted: dict[Path, bytes] | None = None) -> Diff:
    wanted = generate_tree(solutions) if wanted is None else wanted
    have = {rel for rel in _files(exercises) if rel.as_posix() not in KEEP}
    diff = Diff()
    for rel, data in sorted(wanted.items()):
        path = exercises / rel
        if not path.is_file() or path.read_bytes() != data:
            diff.changed.append(rel)
    diff.stale = sorted(have - set(wanted))
    return diff


def generate(solutions: Path, exercises: Path, *, check: bool = False) -> Diff:
    """Write (or with ``check``, only compare) ``exercises/``; returns what differed."""
    wanted = generate_tree(solutions)
    diff = diff_tree(solutions, exercises, wanted)
    if check:
        return diff
    for rel in diff.changed:
        path = exercises / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wanted[rel])
    for rel in diff.stale:
        (exercises / rel).unlink()
    # remove folders left empty by stale files
    for folder in sorted(
        {(exercises / rel).parent for rel in diff.stale}, key=lambda p: -len(p.parts)
    ):
        while folder != exercises and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return diff
