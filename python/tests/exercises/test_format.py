"""Unit tests: exercise.toml validation, the solution stripper, answer extraction, the
generator and the report format."""

from __future__ import annotations

import re
import tomllib

import pytest
from mini_exercise import MINI_FILES, MINI_TOML, mini_notebook

from twinbook.authoring.generate import generate, learner_toml
from twinbook.exercises import ExerciseError, find_exercises, load_exercise
from twinbook.exercises.model import CHAPTER_HELPERS
from twinbook.exercises.notebook import (
    StripError,
    answer_cells,
    disallowed_imports,
    dumps_notebook,
    go_answer_file,
    make_stub_notebook,
    python_answer_file,
    read_notebook,
    strip_solution,
    stub_line,
)
from twinbook.exercises.results import TestResult, finalize, format_report, merge

# --- exercise.toml ---------------------------------------------------------------------------


def test_mini_exercise_loads(make_exercise):
    ex = load_exercise(make_exercise())
    assert ex.id == "ch00-demo/01-add"
    assert ex.hints == ("use +", "return it", "return a + b")
    py = ex.lang("python")
    assert list(py.points) == ["test_adds", "test_negative", "test_hidden_big"]
    assert py.expected(hidden=False) == ["test_adds", "test_negative"]
    assert ex.lang("go").expected(hidden=True) == ["TestAdds", "TestNegative", "TestHiddenBig"]


@pytest.mark.parametrize(
    "edit, where, message",
    [
        (lambda t: t.replace('title = "Add two numbers"\n', ""), "title", "missing field"),
        (lambda t: t.replace('title = "Add two numbers"', "title = 3"), "title", "must be a str"),
        (
            lambda t: t.replace('hints = ["use +", "return it", "return a + b"]', "hints = []"),
            "hints",
            "at least one",
        ),
        (lambda t: t.replace('hints = ["use +"', 'hints = [""'), r"hints\[0\]", "non-empty string"),
        (
            lambda t: t.replace('"ch00-demo/01-add"', '"ch00-demo/02-add"'),
            "id",
            "does not match the folder",
        ),
        (lambda t: t.replace('"ch00-demo/01-add"', '"nonsense"'), "id", "must look like"),
        (
            lambda t: t.replace('notebook = "python/add.ipynb"', 'notebook = "python/nope.ipynb"'),
            "python.notebook",
            "file not found",
        ),
        (
            lambda t: t.replace('allowed_imports = ["math"]\n', ""),
            "python.allowed_imports",
            "missing field",
        ),
        (
            lambda t: t.replace("test_adds = 1", "test_adds = 0"),
            "python.points.test_adds",
            "positive number",
        ),
        (
            lambda t: t.replace("test_adds = 1", 'test_adds = "1"'),
            "python.points.test_adds",
            "positive number",
        ),
        (
            lambda t: t.replace("test_adds = 1", "test_adds = 1\ntest_missing = 1"),
            "python.points.test_missing",
            "no such test",
        ),
        (
            lambda t: t.replace("TestHiddenBig = 2", "TestHiddenBig = 2\nTestHiddenGone = 1"),
            "go.points.TestHiddenGone",
            "no such test in .*hidden_test.go",
        ),
        (
            lambda t: t.replace("[go.points]", "[go.points]\n") + "colour = 1\n",
            "go.points.colour",
            "no such test",
        ),
        (lambda t: t + "\n[rust]\nnotebook = 'x'\n", "rust", "unknown field"),
        (
            lambda t: t.replace("[python]", "[python]\nkernel = 'x'"),
            "python.kernel",
            "unknown field",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_toml_errors_name_the_file_and_the_field(make_exercise, edit, where, message):
    folder = make_exercise(toml=edit(MINI_TOML))
    with pytest.raises(ExerciseError) as info:
        load_exercise(folder)
    text = str(info.value)
    assert text.startswith(str(folder / "exercise.toml") + ": "), text
    assert re.search(rf": {where}: .*{message}", text), text


def test_a_test_without_points_is_an_error(make_exercise):
    folder = make_exercise(toml=MINI_TOML.replace("test_negative = 1\n", ""))
    with pytest.raises(ExerciseError, match=r"test_visible.py: test test_negative has no points"):
        load_exercise(folder)


def test_a_hidden_name_in_the_visible_file_is_an_error(make_exercise):
    extra = "\n\ndef test_hidden_sneaky(answer):\n    pass\n"
    folder = make_exercise(
        files={"python/test_visible.py": MINI_FILES["python/test_visible.py"] + extra}
    )
    with pytest.raises(
        ExerciseError, match=r"test_visible.py: test test_hidden_sneaky: .*must not start with"
    ):
        load_exercise(folder)


def test_invalid_toml_is_reported_with_the_file(make_exercise):
    folder = make_exercise(toml="id = \n")
    with pytest.raises(ExerciseError, match=r"exercise.toml: invalid TOML"):
        load_exercise(folder)


def test_learner_copy_without_hidden_tests_is_valid(make_exercise):
    folder = make_exercise(files={"python/test_hidden.py": None, "go/hidden_test.go": None})
    ex = load_exercise(folder)
    assert "test_hidden_big" in ex.lang("python").points


LEARNER_TOML = MINI_TOML.replace(
    "test_hidden_big = 2\n", "\n[python.hidden]\ntests = 1\npoints = 2\n"
).replace("TestHiddenBig = 2\n", "\n[go.hidden]\ntests = 1\npoints = 2\n")


def test_learner_copy_with_a_hidden_summary_loads(make_exercise):
    folder = make_exercise(
        toml=LEARNER_TOML, files={"python/test_hidden.py": None, "go/hidden_test.go": None}
    )
    ex = load_exercise(folder)
    py = ex.lang("python")
    assert list(py.points) == ["test_adds", "test_negative"]
    assert py.hidden_names() == []
    assert (py.hidden.tests, py.hidden.points) == (1, 2)
    assert py.total_points == 4
    assert py.expected(hidden=False) == ["test_adds", "test_negative"]
    # the full form says the same through the same properties
    full = load_exercise(make_exercise()).lang("go")
    assert full.hidden_summary is None and full.hidden_names() == ["TestHiddenBig"]
    assert (full.hidden.tests, full.hidden.points, full.total_points) == (1, 2, 4)


@pytest.mark.parametrize(
    "edit, where, message",
    [
        (
            lambda t: t.replace("tests = 1\npoints = 2\n\n[go]", "tests = 0\npoints = 2\n\n[go]"),
            "python.hidden.tests",
            "positive integer",
        ),
        (
            lambda t: t.replace(
                "tests = 1\npoints = 2\n\n[go]", "tests = true\npoints = 2\n\n[go]"
            ),
            "python.hidden.tests",
            "must be a int",
        ),
        (
            lambda t: t.replace("tests = 1\npoints = 2\n\n[go]", "tests = 1\n\n[go]"),
            "python.hidden.points",
            "missing field",
        ),
        (
            lambda t: t.replace("tests = 1\npoints = 2\n\n[go]", "tests = 1\npoints = -1\n\n[go]"),
            "python.hidden.points",
            "positive number",
        ),
        (
            lambda t: t.replace(
                "tests = 1\npoints = 2\n\n[go]", "tests = 1\npoints = 2\nnames = []\n\n[go]"
            ),
            "python.hidden.names",
            "unknown field",
        ),
        (
            lambda t: t.replace("test_negative = 1\n", "test_negative = 1\ntest_hidden_big = 2\n"),
            "python.points.test_hidden_big",
            "a hidden test named beside",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_hidden_summary_errors_name_the_file_and_the_field(make_exercise, edit, where, message):
    folder = make_exercise(
        toml=edit(LEARNER_TOML), files={"python/test_hidden.py": None, "go/hidden_test.go": None}
    )
    with pytest.raises(ExerciseError) as info:
        load_exercise(folder)
    assert re.search(rf"exercise.toml: {where}: .*{message}", str(info.value)), str(info.value)


def test_learner_toml_drops_hidden_names_and_keeps_the_rest():
    text = MINI_TOML.replace("[python.points]\n", "[python.points]  # by test\n# a comment stays\n")
    got = learner_toml(text)
    assert "hidden_big" not in got.lower() and "HiddenBig" not in got
    assert "# a comment stays\n" in got and "[python.points]  # by test\n" in got
    data = tomllib.loads(got)
    assert data["python"]["points"] == {"test_adds": 1, "test_negative": 1}
    assert data["python"]["hidden"] == {"tests": 1, "points": 2}
    assert data["go"]["points"] == {"TestAdds": 1, "TestNegative": 1}
    assert data["go"]["hidden"] == {"tests": 1, "points": 2}
    assert {k: v for k, v in data.items() if k not in ("python", "go")} == {
        k: v for k, v in tomllib.loads(MINI_TOML).items() if k not in ("python", "go")
    }
    # no hidden test in a language: no summary table
    no_hidden = learner_toml(MINI_TOML.replace("TestHiddenBig = 2\n", ""))
    assert "[go.hidden]" not in no_hidden and "[python.hidden]" in no_hidden


def test_learner_toml_refuses_a_points_table_it_cannot_cut_line_by_line():
    table = '[python]\nnotebook = "python/add.ipynb"\nallowed_imports = ["math"]\n\n[python.points]\ntest_adds = 1\ntest_negative = 1\ntest_hidden_big = 2\n'
    assert table in MINI_TOML
    inline = MINI_TOML.replace(
        table,
        'python = { notebook = "python/add.ipynb", allowed_imports = ["math"], '
        "points = { test_adds = 1, test_negative = 1, test_hidden_big = 2 } }\n",
    )
    assert tomllib.loads(inline)["python"] == tomllib.loads(MINI_TOML)["python"]
    with pytest.raises(ExerciseError, match="one `name = points` line per test"):
        learner_toml(inline)


def test_find_exercises_sorted_by_id(make_exercise, tmp_path):
    make_exercise()
    assert [e.id for e in find_exercises(tmp_path / "solutions")] == ["ch00-demo/01-add"]


@pytest.mark.parametrize(
    ("name", "text", "test"),
    [
        ("chapter_helpers.py", "def test_sneaky(answer):\n    pass\n", "test_sneaky"),
        (
            "chapter_helpers_test.go",
            'package main_test\n\nimport "testing"\n\nfunc TestSneaky(t *testing.T) {}\n',
            "TestSneaky",
        ),
    ],
)
def test_a_chapter_helper_with_a_test_is_an_error(make_exercise, name, text, test):
    """Its tests would run in every exercise of the chapter, with points nowhere."""
    folder = make_exercise()
    (folder.parent / name).write_text(text)
    with pytest.raises(ExerciseError, match=f"{name}: test {test}: a chapter helper file"):
        load_exercise(folder)


@pytest.mark.parametrize("where", ["go/visible_test.go", "go/hidden_test.go", "helper"])
def test_a_go_test_file_in_the_answers_package_is_an_error(make_exercise, where):
    """package main would put the tests' names in the answer's scope: they are main_test."""
    folder = make_exercise()
    path = folder.parent / "chapter_helpers_test.go" if where == "helper" else folder / where
    text = path.read_text() if path.is_file() else "package main_test\n"
    path.write_text(text.replace("package main_test", "package main", 1))
    with pytest.raises(ExerciseError, match=r"must be `package main_test`.*not `package main`"):
        load_exercise(folder)


def test_chapter_helpers_are_no_exercise(make_exercise, tmp_path):
    folder = make_exercise()
    for name in CHAPTER_HELPERS.values():
        (folder.parent / name).write_text(
            "package main_test\n" if name.endswith(".go") else "X = 1\n"
        )
    chapter = tmp_path / "solutions" / "ch00-demo"
    assert [e.id for e in find_exercises(tmp_path / "solutions")] == ["ch00-demo/01-add"]
    assert [p.name for p in chapter.iterdir() if p.is_dir()] == ["01-add"]


# --- the stripper ----------------------------------------------------------------------------


def test_strip_python_region_keeps_everything_else():
    source = (
        "import threading\n\n"
        "def f(x):\n"
        '    """Doc."""\n'
        "    # BEGIN SOLUTION\n"
        "    y = x + 1\n"
        "    return y\n"
        "    # END SOLUTION\n\n"
        "def g():\n"
        "        # BEGIN SOLUTION\n"
        "        return 2\n"
        "        # END SOLUTION\n"
        "# trailing comment"
    )
    assert strip_solution(source, "python", 'A "quoted" title') == (
        "import threading\n\n"
        "def f(x):\n"
        '    """Doc."""\n'
        '    raise NotImplementedError("A \\"quoted\\" title")\n\n'
        "def g():\n"
        '        raise NotImplementedError("A \\"quoted\\" title")\n'
        "# trailing comment"
    )


def test_strip_go_region_uses_the_marker_indentation():
    source = "// F doc.\nfunc F() int {\n\t// BEGIN SOLUTION\n\treturn 1\n\t// END SOLUTION\n}"
    assert (
        strip_solution(source, "go", "Title")
        == '// F doc.\nfunc F() int {\n\tpanic("TODO: Title")\n}'
    )


@pytest.mark.parametrize(
    ("language", "indent", "title", "stub"),
    [
        # 8 + 26 + 65 + 1 = 100 columns: still one line
        ("python", " " * 8, "x" * 63, '        raise NotImplementedError("' + "x" * 63 + '")'),
        (
            "python",
            " " * 8,
            "x" * 64,
            '        raise NotImplementedError(\n            "' + "x" * 64 + '"\n        )',
        ),
        # a tab counts 4: 4 + 6 + 89 + 1 = 100 columns
        ("go", "\t", "x" * 81, '\tpanic("TODO: ' + "x" * 81 + '")'),
        ("go", "\t", "x" * 82, '\tpanic(\n\t\t"TODO: ' + "x" * 82 + '",\n\t)'),
    ],
)
def test_a_stub_wider_than_a_cell_shows_is_broken_over_three_lines(language, indent, title, stub):
    """JupyterLab cuts a code line off after about 100 columns: a long title would hide the
    end of the stub, so the call is broken the way ruff and gofmt break it."""
    assert stub_line(language, title, indent) == stub
    marker = "# BEGIN SOLUTION" if language == "python" else "// BEGIN SOLUTION"
    end = marker.replace("BEGIN", "END")
    source = f"{indent}{marker}\n{indent}x = 1\n{indent}{end}"
    assert strip_solution(source, language, title) == stub


def test_strip_without_markers_is_identity():
    source = "x = 1\n# BEGIN SOLUTION is only a marker alone on its line\n"
    assert strip_solution(source, "python", "T") == source


@pytest.mark.parametrize(
    "source, message",
    [
        ("# BEGIN SOLUTION\nx = 1\n", "line 1: # BEGIN SOLUTION is never closed"),
        ("x = 1\n# END SOLUTION\n", "line 2: # END SOLUTION without # BEGIN SOLUTION"),
        (
            "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n",
            "line 2: # BEGIN SOLUTION inside the region opened on line 1",
        ),
    ],
)
def test_strip_rejects_bad_markers(source, message):
    with pytest.raises(StripError, match=re.escape(f"cell 3: {message}")):
        strip_solution(source, "python", "T", where="cell 3")


def test_stub_notebook_clears_outputs_and_is_stable():
    nb = mini_notebook("python")
    nb.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    stub = make_stub_notebook(nb, "python", "Add two numbers")
    assert nb.cells[2].outputs, "the source notebook is not modified"
    for cell in stub.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert "execution" not in cell.metadata
    assert 'raise NotImplementedError("Add two numbers")' in stub.cells[1].source
    assert dumps_notebook(stub) == dumps_notebook(
        make_stub_notebook(stub, "python", "Add two numbers")
    )


# --- answer extraction -------------------------------------------------------------------------


def test_answer_cells_are_the_answer_role_in_order():
    nb = mini_notebook("python")
    nb.cells.insert(3, nb.cells[1].copy())
    nb.cells[3].source = "def sub(a, b):\n    return a - b"
    nb.cells[0].metadata["twinbook"] = {"role": "answer"}  # markdown: never an answer
    assert answer_cells(nb) == [nb.cells[1].source, "def sub(a, b):\n    return a - b"]


def test_python_answer_file_drops_magics():
    text = python_answer_file(["%load_ext x\nimport math", "!ls\ndef f():\n    return math.pi"])
    assert text == "import math\n\n\ndef f():\n    return math.pi\n"
    compile(text, "answer.py", "exec")


def test_go_answer_file_hoists_imports_and_adds_main():
    cells = [
        'import "sync"\n\nvar mu sync.Mutex',
        'import (\n\t"fmt"\n\tstr "strings"\n)\n\nfunc F() string { return fmt.Sprint(str.ToUpper("x")) }',
        "%%\nignored magic line is dropped, the rest stays",
    ]
    text = go_answer_file(cells)
    assert text.startswith('package main\n\nimport (\n\t"sync"\n\t"fmt"\n\tstr "strings"\n)\n')
    assert "var mu sync.Mutex" in text and "func F() string" in text
    assert "%%" not in text
    assert text.rstrip().endswith("func main() {}")
    assert go_answer_file(["func main() {\n}\n"]).count("func main()") == 1


def test_disallowed_imports():
    py = "import threading\nimport concurrent.futures.thread\nfrom __future__ import annotations\nimport os.path\nfrom . import x\n"
    assert disallowed_imports("python", py, ["threading", "concurrent.futures"]) == ["os.path"]
    go = 'package main\n\nimport (\n\t"context"\n\t"os/exec"\n)\n\nimport "sync"\n'
    assert disallowed_imports("go", go, ["context", "sync"]) == ["os/exec"]


# --- the generator ---------------------------------------------------------------------------


def test_generate_is_idempotent_and_drops_hidden_tests(make_exercise, tmp_path):
    make_exercise()
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    (solutions / "ch00-demo" / "notes.txt").write_bytes(b"kept\r\nbyte for byte")
    helpers = {"chapter_helpers.py": b"X = 1\n", "chapter_helpers_test.go": b"package main_test\n"}
    for name, data in helpers.items():
        (solutions / "ch00-demo" / name).write_bytes(data)
    exercises.mkdir()
    (exercises / "README.md").write_text("hand-written")
    (exercises / "stale.txt").write_text("old")

    first = generate(solutions, exercises)
    assert first.stale == [exercises.joinpath("stale.txt").relative_to(exercises)]
    assert not (exercises / "stale.txt").exists()
    assert (exercises / "README.md").read_text() == "hand-written"
    ex = exercises / "ch00-demo" / "01-add"
    assert (
        not (ex / "python" / "test_hidden.py").exists()
        and not (ex / "go" / "hidden_test.go").exists()
    )
    toml = (ex / "exercise.toml").read_text()
    assert "test_hidden_big" not in toml and "TestHiddenBig" not in toml
    learner = load_exercise(ex)  # the learner's form loads, the hidden tests summarised
    assert (learner.lang("python").hidden.tests, learner.lang("python").total_points) == (1, 4)
    assert (ex / "python" / "test_visible.py").read_bytes() == (
        solutions / "ch00-demo/01-add/python/test_visible.py"
    ).read_bytes()
    assert (exercises / "ch00-demo" / "notes.txt").read_bytes() == b"kept\r\nbyte for byte"
    for name in CHAPTER_HELPERS.values():  # the chapter's helpers ship: visible code
        assert (exercises / "ch00-demo" / name).read_bytes() == helpers[name]
    go_nb = read_notebook(ex / "go" / "add.ipynb")
    assert answer_cells(go_nb) == [
        '// Add returns a + b.\nfunc Add(a, b int) int {\n\tpanic("TODO: Add two numbers")\n}'
    ]

    before = {p: p.read_bytes() for p in exercises.rglob("*") if p.is_file()}
    assert generate(solutions, exercises, check=True).clean
    assert generate(solutions, exercises).clean
    assert {p: p.read_bytes() for p in exercises.rglob("*") if p.is_file()} == before

    (ex / "python" / "add.ipynb").write_text("{}")
    diff = generate(solutions, exercises, check=True)
    assert diff.describe(exercises) == [f"{ex / 'python' / 'add.ipynb'}: differs"]


# --- the report ------------------------------------------------------------------------------


def test_report_format():
    results = [
        TestResult("test_a", "passed"),
        TestResult("test_b", "failed", "assert 1 == 2\nmore detail"),
        TestResult("test_c", "error", "\n  RuntimeError: boom  \n"),
        TestResult("test_d", "skipped", "not today"),
    ]
    assert format_report(results) == (
        "✓ test_a\n"
        "✗ test_b: assert 1 == 2\n"
        "✗ test_c: RuntimeError: boom\n"
        "✗ test_d: not today\n"
        "1/4 tests passed"
    )


def test_finalize_orders_by_points_and_fails_missing_tests():
    found = {"b": TestResult("b", "passed"), "zz": TestResult("zz", "passed")}
    result = finalize("x/01-y", "python", ["a", "b"], found)
    assert result.report() == "✗ a: did not run\n✓ b\n1/2 tests passed"
    assert not result.ok and result.total == 2
    why = finalize("x/01-y", "go", ["a"], {}, "compile error: ./answer.go:3:1: syntax error")
    assert why.report() == "✗ a: compile error: ./answer.go:3:1: syntax error\n0/1 tests passed"


def test_merge_keeps_the_worst_outcome():
    results: dict[str, TestResult] = {}
    merge(results, TestResult("t", "passed"))
    merge(results, TestResult("t", "failed", "case 2"))
    merge(results, TestResult("t", "passed"))
    merge(results, TestResult("t", "failed", "case 3"))
    assert results["t"] == TestResult("t", "failed", "case 2")
