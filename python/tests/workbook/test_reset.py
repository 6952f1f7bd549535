"""``twinbook reset EXERCISE [--lang]``: the answer cells go back to their stub, the
learner's notebook is kept in a backup first, the exercise's checks and hints are forgotten;
with no git and no other file (a student edition is no git repository)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from twinbook.cli import app
from twinbook.exercises import load_exercise
from twinbook.workbook.progress import NOT_STARTED, untouched

ADD = "ch00-demo/01-add"


@pytest.fixture
def workbook(make_exercise, tmp_path) -> Path:
    """A project with the small exercise, exercises/ generated from solutions/."""
    make_exercise()
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "README.md").write_text("kept\n")
    assert CliRunner().invoke(app, ["dev", "generate", "--root", str(tmp_path)]).exit_code == 0
    return tmp_path


def twinbook(root: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--root", str(root)], env={"COLUMNS": "200"})


def state(root: Path) -> dict:
    return json.loads((root / "exercises" / ".twinbook" / "progress.json").read_text())


def notebook(root: Path, language: str) -> Path:
    return root / "exercises" / ADD / language / "add.ipynb"


def answers(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb["cells"]
        if c["cell_type"] == "code" and c["metadata"].get("twinbook", {}).get("role") == "answer"
    ]


def write_answer(path: Path, source: str) -> None:
    """What Jupyter saves after the learner typed ``source`` into the answer cell (its
    metadata, the stub included, as it was)."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("twinbook", {}).get("role") == "answer":
            cell["source"] = source
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
            cell["execution_count"] = 3
    path.write_text(json.dumps(nb, indent=1))


MY_ANSWER = "def add(a, b):\n    return a - b  # my try\n"


def test_restores_the_stub_and_keeps_the_learners_cells(workbook):
    path = notebook(workbook, "python")
    stub = answers(path)
    write_answer(path, MY_ANSWER)
    assert twinbook(workbook, "check", ADD, "--lang", "python").exit_code == 1
    assert twinbook(workbook, "hint", ADD).exit_code == 0
    out = twinbook(workbook, "reset", ADD, "--lang", "python")
    assert out.exit_code == 0, out.output
    assert answers(path) == stub
    assert untouched(load_exercise(workbook / "exercises" / ADD), "python") is True
    cell = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    assert cell["outputs"] == [] and cell["execution_count"] is None
    backups = list((workbook / "exercises" / ".twinbook" / "backups" / ADD / "python").iterdir())
    assert len(backups) == 1 and answers(backups[0]) == [MY_ANSWER]
    assert str(backups[0]) in out.output.replace("\n", "")
    assert "answer cells back to the stub" in out.output
    assert ADD not in state(workbook)["checks"] and state(workbook)["hints"] == {}
    again = twinbook(workbook, "check", ADD, "--lang", "python")
    assert "· not started" in again.output, again.output


def test_one_language_only_and_a_second_reset_keeps_both_backups(workbook):
    assert twinbook(workbook, "check", ADD).exit_code == 1  # both languages recorded
    write_answer(notebook(workbook, "python"), MY_ANSWER)
    write_answer(notebook(workbook, "go"), "func Add(a, b int) int { return 0 }\n")
    out = twinbook(workbook, "reset", ADD, "--lang", "go")
    assert out.exit_code == 0, out.output
    assert set(state(workbook)["checks"][ADD]) == {"python"}
    assert answers(notebook(workbook, "python")) == [MY_ANSWER]  # the other language: untouched
    write_answer(notebook(workbook, "go"), "func Add(a, b int) int { return 1 }\n")
    assert twinbook(workbook, "reset", ADD, "--lang", "go").exit_code == 0
    kept = sorted(
        answers(p)[0]
        for p in (workbook / "exercises" / ".twinbook" / "backups" / ADD / "go").iterdir()
    )
    assert kept == [
        "func Add(a, b int) int { return 0 }\n",
        "func Add(a, b int) int { return 1 }\n",
    ]


def test_an_untouched_notebook_needs_no_backup(workbook):
    out = twinbook(workbook, "reset", ADD, "--lang", "python")
    assert out.exit_code == 0 and "it was untouched" in out.output, out.output
    assert not (workbook / "exercises" / ".twinbook" / "backups").exists()


def _without_stubs(path: Path) -> None:
    """A notebook made before answer cells carried their stub."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        cell["metadata"].get("twinbook", {}).pop("stub", None)
    path.write_text(json.dumps(nb, indent=1))


def test_an_older_notebook_is_left_alone_with_a_reason(workbook):
    path = notebook(workbook, "python")
    _without_stubs(path)
    write_answer(path, MY_ANSWER)
    out = twinbook(workbook, "reset", ADD, "--lang", "python")
    assert out.exit_code == 0, out.output
    assert "notebook left as it is" in out.output and "download it again" in out.output
    assert answers(path) == [MY_ANSWER]
    assert not list((workbook / "exercises" / ".twinbook" / "backups").rglob("*.ipynb"))


def test_an_older_notebook_tracked_in_git_comes_back_from_git(workbook):
    path = notebook(workbook, "python")
    _without_stubs(path)
    original = path.read_bytes()
    git = ["git", "-C", str(workbook), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", "exercises"], ["commit", "-qm", "start"]):
        subprocess.run([*git, *args], check=True)
    write_answer(path, MY_ANSWER)
    out = twinbook(workbook, "reset", ADD, "--lang", "python")
    assert out.exit_code == 0, out.output
    assert path.read_bytes() == original
    (backup,) = (workbook / "exercises" / ".twinbook" / "backups").rglob("*.ipynb")
    assert answers(backup) == [MY_ANSWER]


def test_the_status_of_an_untouched_notebook_is_not_started(workbook):
    """Whatever its tests report: a stub caught by a test (shown as its repr) included."""
    out = twinbook(workbook, "check", ADD)
    assert state(workbook)["checks"][ADD]["python"]["status"] == NOT_STARTED, out.output
    assert state(workbook)["checks"][ADD]["go"]["status"] == NOT_STARTED, out.output
