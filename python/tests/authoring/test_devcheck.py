"""``twinbook dev check``: a sound exercise is proven in both languages; a solution that
fails a test, or a stub that passes every visible test, is named."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from twinbook.authoring.devcheck import prove, stub_source, targets
from twinbook.cli import app
from twinbook.exercises import load_exercise

WRONG = {
    "python": "def add(a, b):\n    # BEGIN SOLUTION\n    return a + b if a < 10 else 0\n    # END SOLUTION",
    "go": "func Add(a, b int) int {\n\t// BEGIN SOLUTION\n\tif a > 10 {\n\t\treturn 0\n\t}\n\treturn a + b\n\t// END SOLUTION\n}",
}
# a stub that passes the visible tests: the answer sits outside the solution region
LAZY = {
    "python": "def add(a, b):\n    return a + b\n    # BEGIN SOLUTION\n    # END SOLUTION",
    "go": "func Add(a, b int) int {\n\treturn a + b\n\t// BEGIN SOLUTION\n\t// END SOLUTION\n}",
}


@pytest.mark.parametrize("language", ["python", "go"])
def test_a_sound_exercise_is_proven(make_exercise, language):
    ex = load_exercise(make_exercise())
    proof = prove(ex, language)
    assert proof.ok and proof.problems() == []
    assert (proof.solution.passed, proof.solution.total) == (3, 3)  # visible and hidden
    assert (proof.stub.passed, proof.stub.total) == (0, 2)  # visible only
    stub = stub_source(ex, language)
    assert ("NotImplementedError" if language == "python" else "panic(") in stub


@pytest.mark.parametrize("language", ["python", "go"])
def test_a_solution_that_fails_a_hidden_test_is_named(make_exercise, language):
    ex = load_exercise(make_exercise(answers={language: WRONG[language]}))
    proof = prove(ex, language)
    assert not proof.ok
    hidden = "test_hidden_big" if language == "python" else "TestHiddenBig"
    assert [p.split(":")[0] for p in proof.problems()] == [f"the solution fails {hidden}"]


@pytest.mark.parametrize("language", ["python", "go"])
def test_a_stub_that_passes_is_named(make_exercise, language):
    ex = load_exercise(make_exercise(answers={language: LAZY[language]}))
    proof = prove(ex, language)
    assert proof.problems() == ["the stub passes every visible test"]


def test_targets_by_id_folder_name_and_language(make_exercise, tmp_path):
    make_exercise()
    solutions = tmp_path / "solutions"
    assert [(e.id, lang) for e, lang in targets(solutions)] == [
        ("ch00-demo/01-add", "python"),
        ("ch00-demo/01-add", "go"),
    ]
    assert [lang for _, lang in targets(solutions, "01-add", "go")] == ["go"]
    assert targets(solutions, "02-other") == []


def test_the_command_reports_and_exits_1_on_a_broken_exercise(make_exercise, tmp_path):
    make_exercise(answers={"python": LAZY["python"]})
    out = CliRunner().invoke(app, ["dev", "check", "--root", str(tmp_path), "-j", "2"])
    assert out.exit_code == 1, out.output
    assert (
        "✗ ch00-demo/01-add (python): solution 3/3, stub 2/2\n"
        "  the stub passes every visible test\n" in out.output
    )
    assert "✓ ch00-demo/01-add (go): solution 3/3, stub 0/2\n" in out.output
    assert out.output.endswith("1/2 exercise notebooks proven\n")
    good = CliRunner().invoke(
        app, ["dev", "check", "01-add", "--lang", "go", "--root", str(tmp_path)]
    )
    assert good.exit_code == 0, good.output
    missing = CliRunner().invoke(app, ["dev", "check", "09-none", "--root", str(tmp_path)])
    assert missing.exit_code == 2 and "no exercise '09-none'" in missing.output
