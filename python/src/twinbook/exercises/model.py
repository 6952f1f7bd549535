"""Exercise metadata: load and validate ``exercise.toml``, find exercises under a root.

The format is described in ``exercises/README.md``. In short::

    id = "ch01-concurrency/01-worker-pool"
    title = "A worker pool with a limit"
    hints = ["...", "...", "..."]
    [python]
    notebook = "python/worker_pool.ipynb"
    allowed_imports = ["threading"]
    [python.points]
    test_results_in_order = 1
    [go]
    notebook = "go/worker_pool.ipynb"
    allowed_imports = ["context", "sync"]
    [go.points]
    TestResultsInOrder = 1
    TestHiddenStopsAfterFirstError = 2

That is the full form, in ``solutions/``: the points table names every visible and hidden
test. A learner's copy (``exercises/``, what ``twinbook exercises generate`` writes) names
only the visible tests and summarises the hidden ones, so that no hidden test's name
leaves ``solutions/``::

    [go.points]
    TestResultsInOrder = 1
    [go.hidden]
    tests = 1
    points = 2
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXERCISE_FILE = "exercise.toml"
LANGUAGES = ("python", "go")

#: Fixed names of the test files, relative to the folder of the language's notebook.
VISIBLE_TESTS = {"python": "test_visible.py", "go": "visible_test.go"}
HIDDEN_TESTS = {"python": "test_hidden.py", "go": "hidden_test.go"}
#: A chapter's helper file, per language: what the visible and hidden tests of the chapter's
#: exercises share (fakes, clocks, the vector replayer). It is optional and sits in the
#: chapter folder, beside the ``NN-slug`` exercise folders (a file, so a walk over the
#: chapter's folders still finds exercises only); the runners copy it beside the test files.
CHAPTER_HELPERS = {"python": "chapter_helpers.py", "go": "chapter_helpers_test.go"}
#: Names (of a folder or a file) beside a language's notebook that are for instructors
#: only: the kept wrong answers (``<lang>/wrong_answers/``, each a whole answer file that
#: must fail a test) and the equivalent mutants (``<lang>/equivalent_mutants.toml``, which
#: quote the answer). The generator and the release never copy them into ``exercises/`` or
#: a student edition.
INSTRUCTOR_ONLY = frozenset({"wrong_answers", "equivalent_mutants.toml"})
#: A test is hidden exactly when its name starts with this prefix.
HIDDEN_PREFIX = {"python": "test_hidden_", "go": "TestHidden"}

_GO_TEST_RE = re.compile(r"^func\s+(Test[A-Za-z0-9_]*)\s*\(\s*\w+\s+\*testing\.T\s*\)", re.M)
_PY_TEST_RE = re.compile(r"^test_\w*$")


class ExerciseError(Exception):
    """A problem with an exercise's files; the message names the file and the field."""


@dataclass(frozen=True)
class HiddenSummary:
    """A learner's copy's ``[<lang>.hidden]`` table: how many hidden tests, worth how much."""

    tests: int
    points: int | float


@dataclass(frozen=True)
class LanguageSpec:
    """One language of an exercise (the ``[python]`` or ``[go]`` table)."""

    language: str
    folder: Path  # the exercise folder
    notebook: str  # relative to the exercise folder
    allowed_imports: tuple[str, ...]
    points: dict[str, int | float]  # test name -> points, in file order
    #: ``[<lang>.hidden]`` of a learner's copy (its points table names no hidden test)
    hidden_summary: HiddenSummary | None = None

    @property
    def notebook_path(self) -> Path:
        return self.folder / self.notebook

    @property
    def test_dir(self) -> Path:
        """The folder holding the notebook and its test files."""
        return self.notebook_path.parent

    @property
    def visible_tests_path(self) -> Path:
        return self.test_dir / VISIBLE_TESTS[self.language]

    @property
    def hidden_tests_path(self) -> Path:
        return self.test_dir / HIDDEN_TESTS[self.language]

    @property
    def helper_path(self) -> Path:
        """The chapter's helper file for this language (it may not exist)."""
        return self.folder.parent / CHAPTER_HELPERS[self.language]

    def is_hidden(self, test: str) -> bool:
        return test.startswith(HIDDEN_PREFIX[self.language])

    def expected(self, *, hidden: bool) -> list[str]:
        """Test names a run must report, in the order of the points table."""
        return [t for t in self.points if hidden or not self.is_hidden(t)]

    def hidden_names(self) -> list[str]:
        """The hidden tests the points table names (none in a learner's copy)."""
        return [t for t in self.points if self.is_hidden(t)]

    @property
    def hidden(self) -> HiddenSummary | None:
        """How many hidden tests there are and what they are worth, in either form (the
        full points table, or a learner's copy's summary); None when there are none."""
        if self.hidden_summary is not None:
            return self.hidden_summary
        names = self.hidden_names()
        if not names:
            return None
        return HiddenSummary(len(names), sum(self.points[t] for t in names))

    @property
    def total_points(self) -> int | float:
        """What the language is worth: visible and hidden tests, in either form."""
        summary = self.hidden_summary.points if self.hidden_summary is not None else 0
        return sum(self.points.values()) + summary


@dataclass(frozen=True)
class Exercise:
    """A loaded and validated ``exercise.toml``."""

    id: str
    title: str
    hints: tuple[str, ...]
    folder: Path
    languages: dict[str, LanguageSpec] = field(default_factory=dict)

    @property
    def toml_path(self) -> Path:
        return self.folder / EXERCISE_FILE

    def lang(self, language: str) -> LanguageSpec:
        try:
            return self.languages[language]
        except KeyError:
            raise ExerciseError(
                f"{self.toml_path}: exercise {self.id!r} has no [{language}] table"
            ) from None


def _err(path: Path, where: str, msg: str) -> ExerciseError:
    return ExerciseError(f"{path}: {where}: {msg}")


def _require(
    data: dict[str, Any], key: str, typ: type | tuple[type, ...], path: Path, prefix: str = ""
) -> Any:
    where = f"{prefix}{key}"
    if key not in data:
        raise _err(path, where, "missing field")
    value = data[key]
    if not isinstance(value, typ) or isinstance(value, bool) and typ is not bool:
        names = typ.__name__ if isinstance(typ, type) else " or ".join(t.__name__ for t in typ)
        raise _err(path, where, f"must be a {names}, got {type(value).__name__} {value!r}")
    return value


def _string_list(data: dict[str, Any], key: str, path: Path, prefix: str = "") -> tuple[str, ...]:
    value = _require(data, key, list, path, prefix)
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _err(path, f"{prefix}{key}[{i}]", f"must be a non-empty string, got {item!r}")
    return tuple(value)


def python_test_names(source: str, filename: str = "<tests>") -> list[str]:
    """Top-level ``def test_*`` functions of a Python test file, in file order."""
    tree = ast.parse(source, filename)
    return [
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and _PY_TEST_RE.match(node.name)
    ]


def go_test_names(source: str) -> list[str]:
    """``func TestXxx(t *testing.T)`` functions of a Go test file, in file order."""
    return _GO_TEST_RE.findall(source)


GO_TEST_PACKAGE = "main_test"  # the answer is package main; its tests are its external tests
_GO_PACKAGE_RE = re.compile(r"^package\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
_GO_COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def go_package(source: str) -> str:
    """The package name of a Go file (its package clause, comments aside), or ""."""
    m = _GO_PACKAGE_RE.search(_GO_COMMENT_RE.sub("", source))
    return m.group(1) if m else ""


def declared_tests(path: Path, language: str) -> list[str]:
    source = path.read_text(encoding="utf-8")
    if language == "python":
        try:
            return python_test_names(source, str(path))
        except SyntaxError as exc:
            raise ExerciseError(f"{path}: syntax error: {exc}") from None
    return go_test_names(source)


def _load_language(data: dict[str, Any], language: str, folder: Path, path: Path) -> LanguageSpec:
    table = data[language]
    if not isinstance(table, dict):
        raise _err(path, language, f"must be a table, got {type(table).__name__}")
    prefix = f"{language}."
    notebook = _require(table, "notebook", str, path, prefix)
    if (
        not notebook.endswith(".ipynb")
        or Path(notebook).is_absolute()
        or ".." in Path(notebook).parts
    ):
        raise _err(
            path,
            f"{prefix}notebook",
            f"must be a relative path to an .ipynb file, got {notebook!r}",
        )
    allowed = _string_list(table, "allowed_imports", path, prefix)
    points_table = _require(table, "points", dict, path, prefix)
    if not points_table:
        raise _err(path, f"{prefix}points", "must name at least one test")
    points: dict[str, int | float] = {}
    for name, value in points_table.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise _err(path, f"{prefix}points.{name}", f"must be a positive number, got {value!r}")
        points[name] = value
    unknown = sorted(set(table) - {"notebook", "allowed_imports", "points", "hidden"})
    if unknown:
        raise _err(path, f"{prefix}{unknown[0]}", "unknown field")
    summary = _load_hidden_summary(table, language, path) if "hidden" in table else None
    if summary is not None:
        named = [t for t in points if t.startswith(HIDDEN_PREFIX[language])]
        if named:
            raise _err(
                path,
                f"{prefix}points.{named[0]}",
                f"a hidden test named beside [{language}.hidden]: the full points table "
                f"(solutions/) names every test, a learner's copy only summarises the hidden ones",
            )

    spec = LanguageSpec(language, folder, notebook, allowed, points, summary)
    if not spec.notebook_path.is_file():
        raise _err(path, f"{prefix}notebook", f"file not found: {spec.notebook_path}")
    if not spec.visible_tests_path.is_file():
        raise _err(path, language, f"visible tests not found: {spec.visible_tests_path}")

    if language == "go":
        # A test file in the answer's own package would put its names in the answer's scope.
        for file in (spec.visible_tests_path, spec.hidden_tests_path, spec.helper_path):
            package = go_package(file.read_text(encoding="utf-8")) if file.is_file() else None
            if package not in (None, GO_TEST_PACKAGE):
                raise ExerciseError(
                    f"{file}: must be `package {GO_TEST_PACKAGE}` (the answer's external test "
                    f"package), not `package {package or '?'}`"
                )

    if spec.helper_path.is_file():
        tests = declared_tests(spec.helper_path, language)
        if tests:
            raise ExerciseError(
                f"{spec.helper_path}: test {tests[0]}: a chapter helper file holds helpers "
                f"only, its tests would run in every exercise of the chapter"
            )

    # Every test has points, every point has a test, hidden tests only in the hidden file.
    found: dict[str, Path] = {}
    files = [spec.visible_tests_path]
    if spec.hidden_tests_path.is_file():
        files.append(spec.hidden_tests_path)
    for file in files:
        hidden_file = file == spec.hidden_tests_path
        for test in declared_tests(file, language):
            if test in found:
                raise ExerciseError(f"{file}: test {test} is defined twice (also in {found[test]})")
            if spec.is_hidden(test) != hidden_file:
                rule = "must" if hidden_file else "must not"
                raise ExerciseError(
                    f"{file}: test {test}: names in this file {rule} start with "
                    f"{HIDDEN_PREFIX[language]!r}"
                )
            found[test] = file
            if test not in points:
                raise ExerciseError(
                    f"{file}: test {test} has no points: add it to [{language}.points] in {path}"
                )
    for test in points:
        if test in found:
            continue
        if spec.is_hidden(test) and not spec.hidden_tests_path.is_file():
            continue  # a learner's copy: hidden tests are not shipped
        where = spec.hidden_tests_path if spec.is_hidden(test) else spec.visible_tests_path
        raise _err(path, f"{prefix}points.{test}", f"no such test in {where}")
    return spec


def _load_hidden_summary(table: dict[str, Any], language: str, path: Path) -> HiddenSummary:
    """``[<lang>.hidden]``: ``tests`` (a positive integer) and ``points`` (a positive number)."""
    prefix = f"{language}.hidden."
    hidden = table["hidden"]
    if not isinstance(hidden, dict):
        raise _err(path, f"{language}.hidden", f"must be a table, got {type(hidden).__name__}")
    tests = _require(hidden, "tests", int, path, prefix)
    if tests < 1:
        raise _err(path, f"{prefix}tests", f"must be a positive integer, got {tests!r}")
    points = _require(hidden, "points", (int, float), path, prefix)
    if points <= 0:
        raise _err(path, f"{prefix}points", f"must be a positive number, got {points!r}")
    unknown = sorted(set(hidden) - {"tests", "points"})
    if unknown:
        raise _err(path, f"{prefix}{unknown[0]}", "unknown field")
    return HiddenSummary(tests, points)


def load_exercise(path: str | Path) -> Exercise:
    """Load and validate an exercise from its folder or its ``exercise.toml``."""
    path = Path(path)
    if path.is_dir():
        path = path / EXERCISE_FILE
    if not path.is_file():
        raise ExerciseError(f"{path}: file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ExerciseError(f"{path}: invalid TOML: {exc}") from None
    folder = path.parent.resolve()
    ex_id = _require(data, "id", str, path)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*/[0-9]{2}-[a-z0-9-]+", ex_id):
        raise _err(path, "id", f"must look like 'chNN-topic/NN-slug', got {ex_id!r}")
    if folder.parts[-2:] != tuple(ex_id.split("/")):
        raise _err(path, "id", f"{ex_id!r} does not match the folder {folder}")
    title = _require(data, "title", str, path)
    if not title.strip():
        raise _err(path, "title", "must not be empty")
    hints = _string_list(data, "hints", path)
    if not hints:
        raise _err(path, "hints", "give at least one hint")
    languages = {}
    for language in LANGUAGES:
        if language in data:
            languages[language] = _load_language(data, language, folder, path)
    if not languages:
        raise _err(path, "python", "missing table: an exercise needs [python] or [go] or both")
    unknown = sorted(set(data) - {"id", "title", "hints", *LANGUAGES})
    if unknown:
        raise _err(path, unknown[0], "unknown field")
    return Exercise(ex_id, title, hints, folder, languages)


_SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", ".pytest_cache", ".git"}


def find_exercises(root: str | Path) -> list[Exercise]:
    """Every exercise (a folder with ``exercise.toml``) under ``root``, sorted by id."""
    root = Path(root)
    found = []
    for toml in sorted(root.rglob(EXERCISE_FILE)):
        if _SKIP_DIRS.intersection(toml.relative_to(root).parts):
            continue
        found.append(load_exercise(toml))
    return sorted(found, key=lambda e: e.id)


def find_exercise_dir(start: str | Path) -> Path:
    """The exercise folder holding ``start`` (a notebook's folder, a notebook or the exercise)."""
    start = Path(start).resolve()
    for folder in [start, *start.parents][:3]:
        if (folder / EXERCISE_FILE).is_file():
            return folder
    raise ExerciseError(f"{start}: not inside an exercise (no {EXERCISE_FILE} here or above)")
