"""`twinbook grade` end to end on a small class built from the real chapter 1 exercises.

One class is graded once (module fixture, through the CLI with --jobs 2) on the worker-pool
exercise in both languages; each test then reads OUT. The students:

    perfect      a copy of the whole repository, solution answers
    partial      a copy of exercises/, answers that fail some visible and hidden tests
    syntax       Python answer with a syntax error; the Go answer is right
    missing      the Go notebook is gone; the Python answer is right
    zipped       a zip with a wrapping folder (as "download as zip" makes), solution answers
    cheater      stub answers plus conftest.py, sitecustomize.py, pytest.ini, replaced
                 test files, go.mod, hidden_test.go, a TestMain: must still score zero
    broken-nb    the Python notebook is not JSON
    traversal    a zip with a member that climbs out with '..'
    symlinked    a zip whose notebook is a symlink to the instructor's solution
    <img ...>    an empty folder whose name is HTML
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import classbuild as cb
import pytest

from tests.repo import EXERCISES, ROOT, SOLUTIONS
from twinbook.grading.ids import safe_id

POOL = cb.POOL
GO_POOL = (POOL, "go")
PY_POOL = (POOL, "python")
POOL_POINTS = {"python": 14, "go": 14}
HTML_NAME = "<img src=x onerror=alert(1)>"
HTML_ID = safe_id(HTML_NAME)  # what the grader calls that entry
STUDENTS = [
    HTML_ID,
    "broken-nb",
    "cheater",
    "missing",
    "partial",
    "perfect",
    "symlinked",
    "syntax",
    "traversal",
    "zipped",
]


def run_grade(*args: str | Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "twinbook.cli", "grade", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(OUT, the CLI's completed process, the submissions folder) for the class above."""
    base = tmp_path_factory.mktemp("class")
    subs = base / "submissions"
    subs.mkdir()
    only_pool = {pair: "stub" for pair in cb.exercise_languages() if pair[0] != POOL}
    cb.make_student(subs / "perfect", only_pool, layout="repo")
    cb.make_student(
        subs / "partial",
        {**only_pool, PY_POOL: cb.PY_POOL_SEQUENTIAL, GO_POOL: cb.GO_POOL_SEQUENTIAL},
    )
    cb.make_student(subs / "syntax", {**only_pool, PY_POOL: cb.PY_SYNTAX_ERROR})
    cb.make_student(subs / "missing", {**only_pool, GO_POOL: "missing"})
    cb.make_student(subs / "broken-nb", {**only_pool, PY_POOL: "invalid", GO_POOL: "stub"})
    cheater = cb.make_student(subs / "cheater", default="stub")
    cb.add_cheats(cheater)
    (subs / HTML_NAME).mkdir()
    zipped_src = cb.make_student(base / "zipped-src", only_pool, layout="repo")
    cb.zip_folder(zipped_src, subs / "zipped.zip", prefix="twinbook-main")
    cb.traversal_zip(subs / "traversal.zip", zipped_src)
    cb.symlink_zip(subs / "symlinked.zip", str(SOLUTIONS / cb.notebook_rel(POOL, "python")))
    (subs / "README.txt").write_text("not a submission")
    out = base / "out"
    proc = run_grade(subs, "--out", out, "--jobs", "2", "--exercise", POOL)
    return out, proc, subs


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8"))))
    return {row["student"]: row for row in rows}


def points(out: Path, student: str) -> tuple[float, float]:
    row = gradebook(out)[student]
    return float(row[f"{POOL}:python"]), float(row[f"{POOL}:go"])


def results(out: Path, student: str) -> dict:
    return json.loads((out / "results" / student / "results.json").read_text(encoding="utf-8"))


def test_grading_completes_and_prints_a_line_per_student(graded):
    out, proc, _ = graded
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    for student in STUDENTS:
        assert any(re.match(rf"^[✓✗] {re.escape(student)}\s+\d+/28\b", line) for line in lines), (
            student,
            proc.stdout,
        )
    assert re.search(r"^✓ perfect\s+28/28$", proc.stdout, re.M)
    assert "README.txt: ignored" in proc.stderr
    assert "graded 10 students" in proc.stdout


def test_gradebook_has_a_row_per_student_and_stable_columns(graded):
    out, _, _ = graded
    text = (out / "gradebook.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert header == f"student,{POOL}:python,{POOL}:go,total,max,problems"
    book = gradebook(out)
    assert list(book) == sorted(STUDENTS)
    for row in book.values():
        assert row["max"] == "28"
        assert float(row["total"]) == float(row[f"{POOL}:python"]) + float(row[f"{POOL}:go"])


def test_perfect_and_zipped_students_get_full_marks(graded):
    out, _, _ = graded
    assert points(out, "perfect") == (14, 14)
    assert points(out, "zipped") == (14, 14)
    assert results(out, "perfect")["status"] == "pass"
    feedback = (out / "feedback" / "zipped.md").read_text(encoding="utf-8")
    assert f"twinbook-main/exercises/{cb.notebook_rel(POOL, 'go')}" in feedback


def test_partly_correct_student_gets_partial_credit(graded):
    out, _, _ = graded
    py, go = points(out, "partial")
    assert py == 12  # test_runs_limit_calls_at_once (2 points) fails
    assert 0 < go < 12  # TestRunsLimitCallsAtOnce and hidden cancellation tests fail
    md = (out / "feedback" / "partial.md").read_text(encoding="utf-8")
    assert "✗ `test_runs_limit_calls_at_once` (0/2)" in md
    assert "only 1 call(s) ran at once with limit=3" in md  # a failing visible test's message
    assert "✗ `TestHiddenCancelledContext`" in md  # hidden: name and outcome only
    assert re.search(r"Hidden tests: \d+ hidden tests? passed, [1-9]\d* failed\.", md)


def test_syntax_error_scores_zero_there_and_the_rest_is_graded(graded):
    out, _, _ = graded
    assert points(out, "syntax") == (0, 14)
    md = (out / "feedback" / "syntax.md").read_text(encoding="utf-8")
    assert "SyntaxError" in md
    row = gradebook(out)["syntax"]
    assert row["total"] == "14"


def test_missing_notebook_scores_zero_with_a_clear_line(graded):
    out, _, _ = graded
    assert points(out, "missing") == (14, 0)
    assert f"{POOL}:go: not started (no notebook)" in gradebook(out)["missing"]["problems"]
    md = (out / "feedback" / "missing.md").read_text(encoding="utf-8")
    assert f"notebook not found: expected exercises/{cb.notebook_rel(POOL, 'go')}" in md


def test_invalid_notebook_scores_zero_with_a_clear_line(graded):
    out, _, _ = graded
    assert points(out, "broken-nb") == (0, 0)
    assert f"{POOL}:python: unreadable notebook" in gradebook(out)["broken-nb"]["problems"]
    assert "not a valid Jupyter notebook" in (out / "feedback" / "broken-nb.md").read_text(
        encoding="utf-8"
    )


def test_files_a_student_adds_have_no_effect(graded):
    out, _, _ = graded
    assert points(out, "cheater") == (0, 0)
    res = results(out, "cheater")
    assert res["tests"] and all(t["status"] != "pass" for t in res["tests"])
    md = (out / "feedback" / "cheater.md").read_text(encoding="utf-8")
    # the stub ran against the instructor's tests; the feedback only says "not started"
    assert "NotImplementedError" in json.dumps(res)
    assert f"| {POOL} | python | not started | 0/14 |" in md
    assert "NotImplementedError" not in md


def test_hostile_zips_get_an_error_row_and_write_nothing_outside(graded):
    out, proc, subs = graded
    for student, reason in (("traversal", "leaves the archive"), ("symlinked", "is a symlink")):
        row = gradebook(out)[student]
        assert row["total"] == "0"
        assert reason in row["problems"]
        res = results(out, student)
        assert res["status"] == "error" and reason in res["message"]
        assert reason in (out / "feedback" / f"{student}.md").read_text(encoding="utf-8")
        assert student in proc.stdout
    assert not list(subs.parent.rglob("escaped-by-zip.ipynb"))
    assert not list(Path(ROOT).rglob("escaped-by-zip.ipynb"))


def test_html_feedback_escapes_everything(graded):
    out, _, _ = graded
    page = (out / "feedback" / f"{HTML_ID}.html").read_text(encoding="utf-8")
    assert "<img" not in page and "&lt;img" not in page
    assert HTML_ID.startswith("_img_src_x_onerror_alert_1__-") and HTML_ID in page
    partial = (out / "feedback" / "partial.html").read_text(encoding="utf-8")
    assert "only 1 call(s) ran at once with limit=3" in partial


def _hidden_literals() -> list[str]:
    """Distinctive text from the hidden tests: string literals (up to a format field) and
    code lines that the visible tests do not share."""
    found = set()
    for lang, name in (("python", "test_hidden.py"), ("go", "hidden_test.go")):
        hidden = (SOLUTIONS / POOL / lang / name).read_text(encoding="utf-8")
        visible = (
            SOLUTIONS / POOL / lang / ("test_visible.py" if lang == "python" else "visible_test.go")
        ).read_text(encoding="utf-8")
        if lang == "python":
            literals = [
                n.value
                for n in ast.walk(ast.parse(hidden))
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            literals += [
                v.value
                for n in ast.walk(ast.parse(hidden))
                if isinstance(n, ast.JoinedStr)
                for v in n.values
                if isinstance(v, ast.Constant)
            ]
        else:
            literals = re.findall(r'"((?:[^"\\]|\\.)*)"', hidden)
            literals = [re.split(r"%[a-zA-Z]", lit)[0] for lit in literals]
        code = [line.strip() for line in hidden.splitlines()]
        for text in literals + code:
            text = text.strip()
            if (
                len(text) >= 16
                and text not in visible
                and not text.startswith(("def test_hidden", "func TestHidden"))
            ):
                found.add(text)
    return sorted(found)


def test_no_report_shows_hidden_test_code_or_messages(graded):
    out, proc, _ = graded
    secrets = _hidden_literals()
    assert len(secrets) > 10
    # the returned notebooks hold the student's own answers (which may well contain a line
    # of a hidden test, as a correct answer does): only the feedback they gained is checked
    reports = [p for p in out.rglob("*") if p.is_file() and "returned" not in p.parts]
    assert len(reports) > 40
    texts = {p: p.read_text(encoding="utf-8") for p in reports}
    texts[Path("stdout")] = proc.stdout + proc.stderr
    returned = list((out / "returned").rglob("*.ipynb"))
    assert returned
    for path in returned:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        feedback = [c for c in cells if c["metadata"].get("twinbook", {}).get("role") == "feedback"]
        assert len(feedback) == 2, path
        texts[path] = "".join("".join(c["source"]) for c in feedback)
    for path, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"{path} shows hidden test text: {secret!r}"


def test_junit_files_parse_and_count_tests(graded):
    out, _, _ = graded
    for student in STUDENTS:
        root = ET.parse(out / "junit" / f"{student}.xml").getroot()
        assert root.tag == "testsuites"
        suites = root.findall("testsuite")
        assert [s.get("name") for s in suites] == [f"{POOL} (python)", f"{POOL} (go)"]
        cases = root.iter("testcase")
        total = failures = 0
        for case in cases:
            total += 1
            failures += len(case.findall("failure")) + len(case.findall("error"))
            assert case.get("name") and case.get("classname")
            if "Hidden" in case.get("name") or case.get("name").startswith("test_hidden"):
                for node in case:
                    assert node.get("type") == "hidden" and not (node.text or "").strip()
        assert total == int(root.get("tests")) == 18
        assert failures == int(root.get("failures")) + int(root.get("errors"))
    perfect = ET.parse(out / "junit" / "perfect.xml").getroot()
    assert perfect.get("failures") == "0" and perfect.get("errors") == "0"


def test_results_json_follows_exercism_v3(graded):
    out, _, _ = graded
    for student in STUDENTS:
        res = results(out, student)
        assert res["version"] == 3
        assert res["status"] in ("pass", "fail", "error")
        if res["status"] == "error":
            assert res["message"]
        assert len(res["tests"]) == 18
        for test in res["tests"]:
            assert {"name", "status"} <= set(test)
            assert test["status"] in ("pass", "fail", "error")
            assert isinstance(test["task_id"], int) and test["task_id"] >= 1
            hidden = "Hidden" in test["name"] or ": test_hidden" in test["name"]
            if test["status"] != "pass":
                assert test["message"]
            if hidden:
                assert "test_code" not in test
                assert test.get("message") in (
                    None,
                    "hidden test failed (its details are not shown)",
                )
            else:
                assert "def test_" in test["test_code"] or test["test_code"].startswith("func Test")
    assert results(out, "partial")["status"] == "fail"


def test_classroom_results_have_the_reporters_shape(graded):
    out, _, _ = graded
    for student in STUDENTS:
        data = json.loads((out / "classroom" / f"{student}.json").read_text(encoding="utf-8"))
        assert data["version"] == 1
        assert data["status"] in ("pass", "fail", "error")
        assert data["max_score"] == 28
        assert len(data["tests"]) == 18
        for test in data["tests"]:
            assert {"name", "status", "message", "score"} <= set(test)
            assert test["status"] in ("pass", "fail", "error")
        total = sum(t["score"] for t in data["tests"])
        assert total == float(gradebook(out)[student]["total"])
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## twinbook grade: 10 students")
    assert "| perfect | 28/28 | 100% | - |" in summary


def test_grading_twice_gives_identical_reports(tmp_path):
    """A small class graded twice: every file of OUT, gradebook.csv first, is byte-identical."""
    subs = tmp_path / "subs"
    subs.mkdir()
    only_pool_py = {pair: "stub" for pair in cb.exercise_languages() if pair != PY_POOL}
    cb.make_student(subs / "ann", only_pool_py)
    cb.make_student(subs / "bob", {**only_pool_py, PY_POOL: cb.PY_SYNTAX_ERROR})
    cb.traversal_zip(subs / "cy.zip")
    (subs / "dee").mkdir()
    outs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        proc = run_grade(subs, "--out", out, "--jobs", "2", "--exercise", "01-worker-pool")
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
    first, second = outs
    assert (first / "gradebook.csv").read_bytes() == (second / "gradebook.csv").read_bytes()
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    assert gradebook(first)["ann"]["total"] == "14"


def test_regrading_into_the_same_out_drops_stale_reports(tmp_path):
    subs = tmp_path / "subs"
    (subs / "gone").mkdir(parents=True)
    out = tmp_path / "out"
    assert run_grade(subs, "--out", out, "--exercise", POOL).returncode == 0
    assert (out / "feedback" / "gone.md").is_file()
    (subs / "gone").rmdir()
    (subs / "here").mkdir()
    assert run_grade(subs, "--out", out, "--exercise", POOL).returncode == 0
    assert not (out / "feedback" / "gone.md").exists()
    assert list(gradebook(out)) == ["here"]


@pytest.mark.parametrize(
    "case",
    [
        "no-submissions",
        "submissions-is-a-file",
        "learner-copy-as-solutions",
        "unknown-exercise",
        "out-inside-submissions",
    ],
)
def test_the_grader_exits_2_naming_what_is_wrong(tmp_path, case):
    subs = tmp_path / "subs"
    subs.mkdir()
    out = tmp_path / "out"
    args: list = [subs, "--out", out]
    expect = ""
    if case == "no-submissions":
        args[0] = tmp_path / "nope"
        expect = "nope: no such folder"
    elif case == "submissions-is-a-file":
        args[0] = tmp_path / "file.zip"
        args[0].write_text("x")
        expect = "not a folder"
    elif case == "learner-copy-as-solutions":
        args += ["--solutions", EXERCISES]
        expect = "hidden tests not found"
    elif case == "unknown-exercise":
        args += ["--exercise", "99-nothing"]
        expect = "--exercise '99-nothing': no such exercise"
    elif case == "out-inside-submissions":
        args[2] = subs / "out"
        expect = "is inside SUBMISSIONS"
    proc = run_grade(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expect in proc.stderr, proc.stderr
    if case != "out-inside-submissions":
        assert not out.exists()
