"""Integrity of every exercise under solutions/, in each of its languages.

The stub (the generated learner's notebook) fails at least one visible test, the solution
passes every visible and hidden test, every test has points and every point a test, the
committed exercises/ is exactly what the generator makes. The checks go through the same
code path as `twinbook check` and the grader (twinbook.exercises.check_notebook).
"""

from __future__ import annotations

import re

from plain_values import unplain_comparisons

from twinbook.authoring.generate import diff_tree
from twinbook.exercises import disallowed_imports, load_exercise
from twinbook.exercises.model import HIDDEN_PREFIX, INSTRUCTOR_ONLY, declared_tests
from twinbook.exercises.notebook import (
    answer_cells,
    cell_role,
    has_solution_markers,
    read_notebook,
    strip_solution,
)
from twinbook.runner.check import answer_source, check_notebook
from twinbook.runner.gorunner import goimports

CHECK_CELL = {
    "python": "from twinbook.workbook import check\ncheck()",
    "go": "!*twinbook check --gonb",
}


def _lines(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if line.strip()]


def test_exercise_toml_is_valid(exercise_id, solutions_dir):
    ex = load_exercise(solutions_dir / exercise_id)
    assert ex.id == exercise_id
    assert len(ex.hints) >= 3, "give three hints, gentlest first"


def test_every_test_has_points_and_every_point_a_test(solution):
    _, spec = solution
    visible = declared_tests(spec.visible_tests_path, spec.language)
    hidden = declared_tests(spec.hidden_tests_path, spec.language)
    assert hidden, f"{spec.hidden_tests_path}: no hidden tests"
    assert set(visible + hidden) == set(spec.points), "the points table must name exactly the tests"
    assert all(t.startswith(HIDDEN_PREFIX[spec.language]) for t in hidden)
    assert not any(t.startswith(HIDDEN_PREFIX[spec.language]) for t in visible)
    assert all(p > 0 for p in spec.points.values())


def test_solution_passes_every_visible_and_hidden_test(solution):
    ex, spec = solution
    result = check_notebook(ex, spec.language, hidden=True)
    assert result.total == len(spec.points)
    assert result.ok, f"{spec.notebook_path}:\n{result.report()}"


# A run of this many lines (comments and blank lines aside) that a hidden test file shares
# with the visible tests or the chapter's helper file is a copy of a helper, not an idiom.
COPY_LINES = 8


def _code_lines(path) -> list[str]:
    """The file's code lines without comments and without its package clause and imports:
    two Go test files of one exercise share those (``package main_test``, the answer's
    import and the same standard packages) without copying anything."""
    lines, in_imports = [], False
    for line in _lines(path.read_text(encoding="utf-8")):
        if in_imports:
            in_imports = line != ")"
        elif line == "import (":
            in_imports = True
        elif not line.startswith(("#", "//", "package ", "import ")):
            lines.append(line)
    return lines


def _longest_shared_run(a: list[str], b: list[str]) -> list[str]:
    best: tuple[int, int] = (0, 0)  # (length, end in a)
    previous = [0] * (len(b) + 1)
    for i, line in enumerate(a, 1):
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, 1):
            if line == other:
                current[j] = previous[j - 1] + 1
                best = max(best, (current[j], i))
        previous = current
    return a[best[1] - best[0] : best[1]]


def test_hidden_tests_use_the_helpers_instead_of_copies(solution):
    """Hidden tests import the visible tests' helpers and the chapter's (exercises/README.md,
    "Chapter helpers"): a copy drifts from the original and repeats its review."""
    _, spec = solution
    hidden = _code_lines(spec.hidden_tests_path)
    for shared in (spec.visible_tests_path, spec.helper_path):
        if not shared.is_file():
            continue
        run = _longest_shared_run(hidden, _code_lines(shared))
        assert len(run) < COPY_LINES, (
            f"{spec.hidden_tests_path} repeats {len(run)} lines of {shared.name}, from "
            f"{run[0]!r}: use the helper instead of a copy"
        )


def test_stub_fails_a_visible_test(stub):
    ex, spec = stub
    result = check_notebook(ex, spec.language)
    assert result.total == len(spec.expected(hidden=False))
    assert not result.ok, (
        f"the stub of {spec.notebook_path} passes every visible test:\n{result.report()}"
    )


def test_notebook_cells_follow_the_format(solution, stub):
    ex, spec = solution
    nb = read_notebook(spec.notebook_path)
    roles = [cell_role(c) for c in nb.cells]
    assert roles[0] == "task", "the first cell states the task (role task)"
    answers = [c for c in nb.cells if cell_role(c) == "answer"]
    assert answers and all(c.cell_type == "code" for c in answers)
    assert all(has_solution_markers(c.source, spec.language) for c in answers)
    checks = [
        _lines(c.source) for c in nb.cells if cell_role(c) == "check" and c.cell_type == "code"
    ]
    assert checks == [_lines(CHECK_CELL[spec.language])], (
        "one check cell with the contract's source"
    )
    assert _lines(nb.cells[-1].source) == _lines(CHECK_CELL[spec.language]), (
        "the check cell comes last"
    )
    # the learner's copy: the stub in every answer cell, no answer left
    stub_nb = read_notebook(stub[1].notebook_path)
    stubbed = [strip_solution(c.source, spec.language, ex.title) for c in answers]
    assert answer_cells(stub_nb) == stubbed, "each answer cell is its solution, stripped"
    for cell in stubbed:
        assert ex.title in cell
        assert not has_solution_markers(cell, spec.language)
    assert all(
        not c.get("outputs") and c.get("execution_count") is None
        for c in stub_nb.cells
        if c.cell_type == "code"
    )


def test_solution_notebook_is_committed_with_a_passing_check(solution):
    _, spec = solution
    nb = read_notebook(spec.notebook_path)
    check = nb.cells[-1]
    text = "".join(o.get("text", "") for o in check.outputs if o.get("output_type") == "stream")
    n = len(spec.expected(hidden=False))
    assert f"{n}/{n} tests passed" in text, (
        f"execute {spec.notebook_path} (twinbook exercises execute) and commit it"
    )


def test_solution_uses_only_allowed_imports(solution):
    _, spec = solution
    source = answer_source(spec)
    if spec.language == "go":
        source = goimports(source)  # what the check compiles: imports completed
    assert disallowed_imports(spec.language, source, spec.allowed_imports) == []


def test_committed_exercises_match_the_generator(solutions_dir, exercises_dir):
    diff = diff_tree(solutions_dir, exercises_dir)
    assert diff.clean, "run `twinbook dev generate`:\n" + "\n".join(diff.describe(exercises_dir))


def _hidden_test_names(solutions_dir) -> set[str]:
    """Every test declared in a hidden test file of solutions/ (read from the files, not
    from exercise.toml)."""
    names = set()
    for lang, pattern in (("python", "*/*/*/test_hidden.py"), ("go", "*/*/*/hidden_test.go")):
        for path in solutions_dir.glob(pattern):
            names |= set(declared_tests(path, lang))
    return names


def test_no_file_under_exercises_names_a_hidden_test(
    solutions_dir, exercises_dir, generated_exercises
):
    names = _hidden_test_names(solutions_dir)
    assert len(names) >= 16, "expected the hidden tests of every exercise"
    pattern = re.compile(
        r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b"
    )
    for tree in (exercises_dir, generated_exercises):
        files = [
            p
            for p in tree.rglob("*")
            if p.is_file() and ".twinbook" not in p.relative_to(tree).parts
        ]
        assert any(p.name == "exercise.toml" for p in files)
        found = {
            f"{p.relative_to(tree)}: {name}"
            for p in files
            for name in pattern.findall(p.read_bytes().decode("utf-8", errors="ignore"))
        }
        assert found == set(), f"hidden test names under {tree}"


def test_generator_leaves_out_what_is_for_instructors_only(solutions_dir, generated_exercises):
    """Kept wrong answers and equivalent mutants quote answers: never in exercises/."""
    kept = [
        p.relative_to(solutions_dir)
        for name in INSTRUCTOR_ONLY
        for p in solutions_dir.glob(f"*/*/*/{name}")
    ]
    assert kept, "expected kept wrong answers under solutions/"
    leaked = [rel for rel in kept if (generated_exercises / rel).exists()]
    assert leaked == [], f"the generator copied instructors-only files: {leaked}"


def test_learner_exercise_toml_summarises_the_hidden_tests(solution, stub):
    _, spec = solution
    _, learner = stub
    assert learner.points == {t: p for t, p in spec.points.items() if not spec.is_hidden(t)}
    hidden = spec.hidden_names()
    assert (learner.hidden.tests, learner.hidden.points) == (
        len(hidden),
        sum(spec.points[t] for t in hidden),
    )
    assert learner.total_points == sum(spec.points.values())


def test_exercises_readme_is_kept(exercises_dir):
    text = (exercises_dir / "README.md").read_text(encoding="utf-8")
    for word in (
        "exercise.toml",
        "BEGIN SOLUTION",
        "allowed_imports",
        "twinbook check",
        "`answer`",
    ):
        assert word in text


def test_python_tests_compare_the_answers_results_as_plain_values(solution):
    """A comparison that reaches into the answer goes through plain() (exercises/README.md,
    "Comparing results"), so no object of the answer decides what it equals."""
    exercise, spec = solution
    if spec.language != "python":
        return
    files = [
        p
        for p in (spec.visible_tests_path, spec.hidden_tests_path, spec.helper_path)
        if p.is_file()
    ]
    assert not unplain_comparisons(files), unplain_comparisons(files)


def test_the_plain_values_check_finds_a_bare_comparison(tmp_path):
    bare = tmp_path / "test_visible.py"
    bare.write_text("def test_x(answer):\n    assert answer.f() == 1\n")
    wrapped = tmp_path / "test_hidden.py"
    wrapped.write_text(
        "def get(answer):\n    return plain(answer.f())\n\n"
        "def test_y(answer):\n    assert get(answer) == 1\n    assert plain(answer.g()) != 2\n"
    )
    assert unplain_comparisons([bare, wrapped]) == ["test_visible.py:2: answer.f()"]
