"""The Go notebook flow on the real GoNB kernel: the answer cell, then the check cell
(`!*twinbook check --gonb`), which builds GoNB's program as the answer package and the
visible tests as its external test package. Untouched, solved and wrong, as a learner would."""

from __future__ import annotations

import nbformat
import pytest
from learner_workbook import WORKER_POOL, solution_answers

WRONG = (
    "func MapLimited(ctx context.Context, limit int, items []int, "
    "fn func(context.Context, int) (int, error)) ([]int, error) {\n\treturn nil, nil\n}"
)


def _run(exercises, answer: str | None) -> str:
    """Execute the learner's Go worker-pool notebook; the check cell's output."""
    import nbclient

    path = exercises / WORKER_POOL / "go" / "worker_pool.ipynb"
    nb = nbformat.read(path, as_version=4)
    if answer is not None:
        cell = next(c for c in nb.cells if c.metadata.get("twinbook", {}).get("role") == "answer")
        cell.source = answer
    client = nbclient.NotebookClient(
        nb,
        kernel_name="gonb",
        timeout=300,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    check = next(c for c in nb.cells if c.cell_type == "code" and "twinbook check" in c.source)
    return "".join(o.get("text", "") for o in check.outputs if o.get("output_type") == "stream")


@pytest.mark.parametrize(
    ("answer", "report", "total"),
    [
        (None, "✗ TestResultsInOrder: MapLimited panicked: TODO", "0/5 tests passed"),
        ("solved", "✓ TestResultsInOrder", "5/5 tests passed"),
        (WRONG, "✗ TestBadLimitIsAnError: limit=0: want an error, got nil", "1/5 tests passed"),
    ],
    ids=["untouched", "solved", "wrong"],
)
def test_the_check_cell_on_gonb(exercises, answer, report, total):
    if answer == "solved":
        answer = "\n\n".join(solution_answers(WORKER_POOL, "go"))
    out = _run(exercises, answer)
    assert report in out, out
    assert out.rstrip().endswith(total), out


def test_the_hint_footer_in_a_go_notebook_says_the_notebooks_command(exercises):
    """`!*twinbook hint` in GoNB: the footer names the command to type there, and after
    the last hint it says there are no more."""
    import nbclient

    path = exercises / WORKER_POOL / "go" / "worker_pool.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells = [nbformat.v4.new_code_cell("!*twinbook hint") for _ in range(4)]
    client = nbclient.NotebookClient(
        nb, kernel_name="gonb", timeout=300, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    outs = [
        "".join(o.get("text", "") for o in c.outputs if o.get("output_type") == "stream")
        for c in nb.cells
    ]
    assert "(next: !*twinbook hint 2)" in outs[0], outs[0]
    assert "(next: !*twinbook hint 3)" in outs[1], outs[1]
    for last in outs[2:]:
        assert "Hint 3/3" in last and "(next:" not in last, last
        assert "that was the last hint: there are no more" in last, last
