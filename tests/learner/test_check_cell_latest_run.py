"""The check cell tests the answer on the screen, not a stale one (issue 10, points 1-3).

A learner runs a working answer cell, edits it into one that does not compile, runs it
(the kernel keeps the names of the earlier run) and runs the check cell: the check must
say that the latest answer did not run and why, at the cell's line, instead of passing on
the earlier definition. An answer the grader would refuse is refused by the check cell
too, on both kernels."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from learner_workbook import SOLUTIONS, WORKER_POOL, solution_answers

EDITS = {
    # (language, what): (text in the solution's answer, its replacement, message)
    ("python", "syntax error"): (
        "def map_limited(fn, items, limit):",
        "def map_limited(fn, items, limit:",
        "does not compile: answer cell, line {line}: SyntaxError: ",
    ),
    ("python", "import not allowed"): (
        "import threading",
        "import threading\nimport math",
        "does not compile: answer cell, line {line}: import of 'math' is not allowed here",
    ),
    ("go", "syntax error"): (
        "\tctx, cancel := context.WithCancel(ctx)",
        "\tctx, cancel := context.WithCancel(ctx",
        "does not compile",
    ),
    ("go", "package GoNB imports"): (
        "\tctx, cancel := context.WithCancel(ctx)",
        "\t_ = time.Now()\n\tctx, cancel := context.WithCancel(ctx)",
        'import "time" is not allowed here',
    ),
}


def _run(tmp_path, language: str, edited: str) -> tuple[str, str]:
    """Run the solved answer cell, the check cell, the edited answer cell (the same
    cell, as a learner would), the check cell again: both checks' output."""
    import nbclient

    folder = tmp_path / WORKER_POOL
    shutil.copytree(SOLUTIONS / WORKER_POOL, folder)
    for helper in SOLUTIONS.joinpath(WORKER_POOL).parent.glob("chapter_helpers*"):
        shutil.copy(helper, folder.parent / helper.name)
    path = next((folder / language).glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    role = [
        c.metadata.get("twinbook", {}).get("role") if c.cell_type == "code" else None
        for c in nb.cells
    ]
    answer, check = nb.cells[role.index("answer")], nb.cells[role.index("check")]
    answer.source = solution_answers(WORKER_POOL, language)[0]
    nb.cells = [answer, check]
    client = nbclient.NotebookClient(
        nb,
        kernel_name="gonb" if language == "go" else "python3",
        timeout=300,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    outputs = []
    with client.setup_kernel():
        client.execute_cell(answer, 0)
        client.execute_cell(check, 1)
        outputs.append(_text(check))
        answer.source = edited
        client.execute_cell(answer, 0)
        client.execute_cell(check, 1)
        outputs.append(_text(check))
    return outputs[0], outputs[1]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


@pytest.mark.parametrize(("language", "what"), list(EDITS), ids=[" ".join(k) for k in EDITS])
def test_the_check_cell_reports_the_latest_run_of_the_answer_cell(tmp_path, language, what):
    old, new, message = EDITS[(language, what)]
    solved = solution_answers(WORKER_POOL, language)[0]
    assert old in solved
    edited = solved.replace(old, new, 1)
    line = edited.split("\n").index(new.split("\n")[-1] if "import" in what else new) + 1
    before, after = _run(tmp_path, language, edited)
    assert before.rstrip().endswith("5/5 tests passed"), before
    assert message.format(line=line) in after, after
    assert after.rstrip().endswith("0/5 tests passed"), after
    assert after.count("does not compile") == 1, after  # once, not once per test
    assert "answer.go" not in after and "main.go" not in after
    if (language, what) == ("python", "syntax error"):
        assert "your latest run of the answer cell failed, so the tests did not run" in after
