"""Feedback that starts with a summary per exercise and details only for what was
attempted; returned notebooks with the feedback inside, rendered offline to safe HTML;
a crash while writing OUT through `twinbook grade` keeps the old OUT."""

from __future__ import annotations

import json
from pathlib import Path

import classbuild as cb
import pytest
from test_grade_scoring import POOL, Scripted, backend, by_name, student

from tests.repo import SOLUTIONS
from twinbook.grading import command, reports
from twinbook.grading.grade import grade_class
from twinbook.grading.returned import write_returned

NOTEBOOK = cb.notebook_rel(POOL, "python")


def _grade(subs: Path, **kw):
    return grade_class(subs, solutions=SOLUTIONS, be=backend(Scripted()), **kw)


def test_an_untouched_submission_gets_a_short_summary_only(tmp_path):
    cb.make_student(tmp_path / "subs" / "ann", default="stub")
    grades = _grade(tmp_path / "subs")
    ann = by_name(grades)["ann"]
    assert all(e.state == "not started" for e in ann.exercises)
    md = reports.feedback_markdown(ann)
    assert "Visible tests:" not in md and "## " not in md
    assert md.count("| not started |") == len(ann.exercises)
    assert len(md.splitlines()) < 10 + len(ann.exercises)
    problems = reports.gradebook_csv(grades).splitlines()[1]
    assert f"{POOL}:python: not started" in problems


def test_summary_states_and_details_for_attempted_exercises_only(tmp_path):
    subs = tmp_path / "subs"
    student(
        subs,
        "ann",
        "# outcome test_results_in_order failed\ndef map_limited(fn, items, limit): ...\n",
        "// REJECT\n",
    )
    ann = by_name(_grade(subs, exercises=[POOL]))["ann"]
    py, go = ann.exercises
    assert py.summary() == "failing 12/14" and go.summary() == "rejected"
    md = reports.feedback_markdown(ann)
    assert "| python | failing 12/14 | 12/14 |" in md
    assert f"## {POOL} (python): 12/14" in md and f"## {POOL} (go): 0/14" in md
    html = reports.feedback_html(ann)
    assert "<td>failing 12/14</td>" in html


def test_returned_notebooks_carry_the_feedback_and_render_to_safe_html(tmp_path):
    subs = tmp_path / "subs"
    folder = student(
        subs,
        "ann",
        "# outcome test_results_in_order failed\ndef map_limited(fn, items, limit): ...\n",
    )
    del folder
    path = subs / "ann" / NOTEBOOK
    nb = json.loads(path.read_text())
    nb["cells"].append(
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": "<script>alert(1)</script><img src=x onerror=alert(2)>",
        }
    )
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"text/html": "<script>steal()</script>"},
        }
    ]
    path.write_text(json.dumps(nb))
    grades = _grade(subs, exercises=[POOL])
    out = tmp_path / "out"
    write_returned(grades, out)
    got = out / "returned" / "ann" / POOL / "python" / "worker_pool.ipynb"
    cells = json.loads(got.read_text())["cells"]
    roles = [c["metadata"].get("twinbook", {}).get("role") for c in cells]
    assert roles[0] == "feedback" and roles.count("feedback") == 2
    last_answer = max(i for i, r in enumerate(roles) if r == "answer")
    assert roles[last_answer + 1] == "feedback"
    details = "".join(cells[last_answer + 1]["source"])
    assert "✗ `test_results_in_order` (0/2)" in details and "failing 12/14" in details
    assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")
    page = got.with_suffix(".html").read_text()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # the student's HTML shows as text at most, never as a tag; outputs are gone
    assert "<script" not in page and "<img" not in page and "steal()" not in page
    assert "http://" not in page and "https://" not in page  # nothing fetched when opened
    assert "test_results_in_order" in page


def test_a_crash_while_writing_keeps_the_old_out_through_the_command(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    student(subs, "ann", "def map_limited(fn, items, limit): ...\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "gradebook.csv").write_text("student,total\nold,1\n")
    real = command.grade_class
    monkeypatch.setattr(
        command, "grade_class", lambda *a, **kw: real(*a, **kw, be=backend(Scripted()))
    )

    def half(grades, stage):
        (stage / "gradebook.csv").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(command, "write_reports", half)
    with pytest.raises(OSError):
        command.run(subs, out, solutions=SOLUTIONS, exercises=[POOL], progress=False)
    assert (out / "gradebook.csv").read_text() == "student,total\nold,1\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
