"""A small exercise (add two numbers, both languages) for the tooling's unit tests, and the
``make_exercise`` fixture that writes it (the test folders of the tooling import it into
their conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

MINI_TOML = """\
id = "ch00-demo/01-add"
title = "Add two numbers"
hints = ["use +", "return it", "return a + b"]

[python]
notebook = "python/add.ipynb"
allowed_imports = ["math"]

[python.points]
test_adds = 1
test_negative = 1
test_hidden_big = 2

[go]
notebook = "go/add.ipynb"
allowed_imports = ["fmt"]

[go.points]
TestAdds = 1
TestNegative = 1
TestHiddenBig = 2
"""

MINI_FILES = {
    "python/test_visible.py": (
        "def test_adds(answer):\n    assert answer.add(2, 3) == 5, 'add(2, 3) should be 5'\n\n\n"
        "def test_negative(answer):\n    assert answer.add(-2, -3) == -5\n"
    ),
    "python/test_hidden.py": "def test_hidden_big(answer):\n    assert answer.add(10**20, 1) == 10**20 + 1\n",
    "go/visible_test.go": (
        'package main_test\n\nimport (\n\t. "answer"\n\t"testing"\n)\n\n'
        'func TestAdds(t *testing.T) {\n\tif got := Add(2, 3); got != 5 {\n\t\tt.Fatalf("Add(2, 3) = %d, want 5", got)\n\t}\n}\n\n'
        'func TestNegative(t *testing.T) {\n\tif got := Add(-2, -3); got != -5 {\n\t\tt.Fatalf("Add(-2, -3) = %d, want -5", got)\n\t}\n}\n'
    ),
    "go/hidden_test.go": (
        'package main_test\n\nimport (\n\t. "answer"\n\t"testing"\n)\n\n'
        'func TestHiddenBig(t *testing.T) {\n\tif got := Add(1<<40, 1); got != 1<<40+1 {\n\t\tt.Fatalf("got %d", got)\n\t}\n}\n'
    ),
}

MINI_ANSWERS = {
    "python": 'def add(a, b):\n    """Return a + b."""\n    # BEGIN SOLUTION\n    return a + b\n    # END SOLUTION',
    "go": "// Add returns a + b.\nfunc Add(a, b int) int {\n\t// BEGIN SOLUTION\n\treturn a + b\n\t// END SOLUTION\n}",
}
MINI_CHECKS = {
    "python": "from twinbook.workbook import check\ncheck()",
    "go": "!*twinbook check --gonb",
}


def mini_notebook(language: str, answer: str | None = None):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    def role(cell, name):
        cell.metadata["twinbook"] = {"role": name}
        return cell

    nb = new_notebook()
    nb.metadata["kernelspec"] = (
        {"name": "python3", "display_name": "Python 3", "language": "python"}
        if language == "python"
        else {"name": "gonb", "display_name": "Go (gonb)", "language": "go"}
    )
    demo = "print(add(1, 2))" if language == "python" else "%%\nfmt.Println(Add(1, 2))"
    nb.cells = [
        role(new_markdown_cell("# Add\n\nWrite add."), "task"),
        role(new_code_cell(MINI_ANSWERS[language] if answer is None else answer), "answer"),
        role(new_code_cell(demo), "demo"),
        role(new_code_cell(MINI_CHECKS[language]), "check"),
    ]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="3\n")]
    nb.cells[2].execution_count = 2
    return nb


@pytest.fixture
def make_exercise(tmp_path):
    """make_exercise(toml=..., files={...}, answers={lang: source}) -> the exercise folder
    (tmp/solutions/ch00-demo/01-add); files mapped to None are not written."""
    from twinbook.exercises.notebook import write_notebook

    def make(toml: str = MINI_TOML, files: dict | None = None, answers: dict | None = None) -> Path:
        folder = tmp_path / "solutions" / "ch00-demo" / "01-add"
        (folder / "python").mkdir(parents=True, exist_ok=True)
        (folder / "go").mkdir(parents=True, exist_ok=True)
        (folder / "exercise.toml").write_text(toml)
        for rel, text in {**MINI_FILES, **(files or {})}.items():
            if text is not None:
                (folder / rel).write_text(text)
            elif (folder / rel).exists():
                (folder / rel).unlink()
        for lang in ("python", "go"):
            write_notebook(
                mini_notebook(lang, (answers or {}).get(lang)), folder / lang / "add.ipynb"
            )
        return folder

    return make


@pytest.fixture
def mini(make_exercise):
    """The small exercise, loaded from its solutions copy."""
    from twinbook.exercises import load_exercise

    return load_exercise(make_exercise())
