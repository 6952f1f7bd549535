"""What ``twinbook grade`` writes into OUT.

::

    OUT/gradebook.csv                 a row per student (sorted by id), a column per
                                      exercise and language, total, max, problems
    OUT/summary.md                    the class at a glance (for $GITHUB_STEP_SUMMARY)
    OUT/summary.json                  the same, for scripts
    OUT/grades.json                   the grades themselves (what ``grade merge`` reads)
    OUT/feedback/<student>.md|.html   per-student feedback
    OUT/junit/<student>.xml           JUnit XML, a testsuite per exercise and language
    OUT/results/<student>/results.json  Exercism test-runner format, version 3
    OUT/classroom/<student>.json      GitHub Classroom autograding runner result
    OUT/returned/<student>/...        the student's notebooks with the feedback under each
                                      exercise, .ipynb and .html (:mod:`.returned`)

Everything is a function of the grades only (no timestamps, no timings, everything
sorted), so grading the same submissions twice writes the same bytes. A hidden test
appears by name and outcome only: :mod:`.grade` drops its message before any of this runs,
and no test code or input of a hidden test is ever read here.
"""

from __future__ import annotations

import ast
import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

from .grade import (
    GRADED,
    MISSING,
    NOT_GRADED,
    Adjustment,
    ClassGrade,
    ExerciseGrade,
    GradeSetupError,
    StudentGrade,
    TestGrade,
)
from .ids import plain
from .points import fmt

HIDDEN_MESSAGE = "hidden test failed (its details are not shown)"
MAX_MESSAGE_LINES = 30
MAX_MESSAGE_CHARS = 4000


def prepare_out(out: Path, submissions: Path, solutions: Path) -> None:
    """Check OUT is a safe place to write (nothing is deleted here: :mod:`.outdir` swaps
    the new reports in once they are complete)."""
    out = out.resolve()
    for name, other in (
        ("SUBMISSIONS", submissions.resolve()),
        ("--solutions", solutions.resolve()),
    ):
        if out == other or other in out.parents:
            raise GradeSetupError(
                f"--out {out} is inside {name} ({other}): choose a folder outside it"
            )
        if out in other.parents:
            raise GradeSetupError(f"{name} ({other}) is inside --out {out}: choose another --out")
    if out.exists() and not out.is_dir():
        raise GradeSetupError(f"--out {out}: exists and is not a folder")


def percent(points: float, max_points: float) -> str:
    return f"{100 * points / max_points:.0f}%" if max_points else "-"


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text safe for XML 1.0 and terminals, cut to a readable size."""
    text = _XML_BAD.sub("\ufffd", text or "")
    lines = text.splitlines()
    if len(lines) > MAX_MESSAGE_LINES:
        lines = lines[:MAX_MESSAGE_LINES] + [
            f"... ({len(text.splitlines()) - MAX_MESSAGE_LINES} more lines)"
        ]
    text = "\n".join(lines)
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + " ... (cut)"
    return text


def first_line(text: str) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def test_message(test: TestGrade) -> str:
    """What a report may say about a test that did not pass."""
    if test.passed:
        return ""
    return HIDDEN_MESSAGE if test.hidden else clean(test.message) or test.outcome


# --- visible test code (Exercism's test_code) ----------------------------------------------


@cache
def _visible_test_code(path: str, language: str) -> dict[str, str]:
    source = Path(path).read_text(encoding="utf-8")
    out: dict[str, str] = {}
    if language == "python":
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return out
        lines = source.splitlines()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                out[node.name] = "\n".join(lines[start - 1 : node.end_lineno])
        return out
    for match in re.finditer(r"^func\s+(Test\w*)\s*\(", source, re.M):
        open_at = source.find("{", match.end())
        depth, i = 0, open_at
        while 0 <= i < len(source):
            depth += {"{": 1, "}": -1}.get(source[i], 0)
            if depth == 0:
                break
            i += 1
        out[match.group(1)] = source[match.start() : i + 1]
    return out


def visible_test_code(grade_columns: ClassGrade, exercise: str, language: str, test: str) -> str:
    for ex, lang in grade_columns.columns:
        if ex.id == exercise and lang == language:
            spec = ex.lang(lang)
            if spec.is_hidden(test):
                return ""  # never read or show a hidden test's code
            return _visible_test_code(str(spec.visible_tests_path), lang).get(test, "")
    return ""


# --- gradebook -----------------------------------------------------------------------------


def gradebook_csv(grades: ClassGrade) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    keys = grades.column_keys()
    adjusted = any(s.adjustments for s in grades.students)
    head = ["student"] + (["name", "email"] if grades.roster else [])
    tail = (["submitted", "late"] if grades.deadline else []) + (
        ["adjustments"] if adjusted else []
    )
    writer.writerow([*head, *keys, "total", "max", *tail, "problems"])
    for student in sorted(grades.students, key=lambda s: s.student):
        present = {e.key for e in student.exercises}
        row = [_cell(student.student)]
        if grades.roster:
            row += [_cell(student.name), _cell(student.email)]
        row += [fmt(student.exercise_points(k)) if k in present else "0" for k in keys]
        row += [fmt(student.points), fmt(grades.max_points)]
        if grades.deadline:
            row += [student.submitted, "yes" if student.late else "no"]
        if adjusted:
            row.append(_cell("; ".join(_adjustment_text(a) for a in student.adjustments)))
        row.append(_cell("; ".join(_short(p) for p in student.problems())))
        writer.writerow(row)
    return buf.getvalue()


def _adjustment_text(a: Adjustment) -> str:
    sign = "+" if a.points >= 0 else ""
    return f"{a.exercise or 'overall'} {sign}{fmt(a.points)}: {a.reason}"


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = plain(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\ufffd") else text


def _short(text: str, n: int = 160) -> str:
    line = first_line(text)
    return line if len(line) <= n else line[: n - 3] + "..."


# --- feedback ------------------------------------------------------------------------------


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"


def _md_text(text: str) -> str:
    """Plain text inside Markdown: special characters escaped."""
    return re.sub(r"([\\`*_\[\]|<>~])", r"\\\1", text)


def _mark(test: TestGrade) -> str:
    return "✓" if test.passed else "✗"


def _exercise_heading(e: ExerciseGrade) -> str:
    return f"{e.exercise} ({e.language}): {fmt(e.points)}/{fmt(e.max_points)}"


def _hidden_summary(e: ExerciseGrade) -> str:
    hidden = e.hidden()
    passed = sum(t.passed for t in hidden)
    return f"{passed} hidden test{'s' if passed != 1 else ''} passed, {len(hidden) - passed} failed"


def attempted(student: StudentGrade) -> list[ExerciseGrade]:
    """The exercises whose details the feedback shows: those the student started."""
    return [e for e in student.exercises if e.state not in ("not started", "not graded")]


def _who(student: StudentGrade) -> str:
    return f"{student.name} ({student.student})" if student.name else student.student


def _timing(student: StudentGrade, deadline: str) -> str:
    if not deadline:
        return ""
    if not student.submitted:
        return f"Submission time unknown (deadline {deadline})."
    late = "LATE" if student.late else "on time"
    return (
        f"Submitted {student.submitted} ({student.submitted_from}): {late} (deadline {deadline})."
    )


def feedback_markdown(student: StudentGrade, deadline: str = "") -> str:
    out = [f"# Feedback for {_md_text(_who(student))}", ""]
    out.append(
        f"**Total: {fmt(student.points)}/{fmt(student.max_points)} points** ({percent(student.points, student.max_points)})"
    )
    out.append("")
    if timing := _timing(student, deadline):
        out += [_md_text(timing), ""]
    if student.error:
        out += ["**Your submission could not be graded:**", "", _fence(clean(student.error)), ""]
    for note in student.notes:
        out += [f"Note: {_md_text(note)}", ""]
    out += [
        "| exercise | language | status | points | visible tests | hidden tests |",
        "|---|---|---|---:|---:|---:|",
    ]
    for e in student.exercises:
        vis, hid = e.visible(), e.hidden()
        out.append(
            f"| {e.exercise} | {e.language} | {e.summary()} | {fmt(e.points)}/{fmt(e.max_points)} | "
            f"{sum(t.passed for t in vis)}/{len(vis)} | {sum(t.passed for t in hid)}/{len(hid)} |"
        )
    out.append("")
    missing = [e for e in student.exercises if e.status == MISSING]
    if missing and len(missing) < len(student.exercises):
        out += ["Not found in your submission:", ""]
        out += [f"- {e.key}: `{first_line(e.problem).replace('`', '')}`" for e in missing]
        out.append("")
    if student.adjustments:
        out += ["Adjusted by your instructor:", ""]
        out += [f"- {_md_text(_adjustment_text(a))}" for a in student.adjustments]
        out.append("")
    for e in attempted(student):
        out += exercise_markdown(e)
    return "\n".join(out).rstrip("\n") + "\n"


def exercise_markdown(e: ExerciseGrade, level: int = 2) -> list[str]:
    """The details of one attempted exercise (also inserted into the returned notebook)."""
    out = [f"{'#' * level} {_exercise_heading(e)}", "", f"*{_md_text(e.title)}*: {e.summary()}"]
    if e.notebook:
        out += ["", f"Notebook: `{e.notebook.replace('`', '')}`"]
    out.append("")
    if e.problem and e.status != NOT_GRADED:
        out += [f"**{_problem_label(e)}:**", "", _fence(clean(e.problem)), ""]
    for note in e.notes:
        out += [f"Note: {_md_text(clean(note))}", ""]
    out += ["Visible tests:", ""]
    for t in e.visible():
        out.append(f"- {_mark(t)} `{t.name}` ({fmt(t.earned)}/{fmt(t.points)})")
        if not t.passed and _first_line_differs(t, e):
            out += ["", _indent(_fence(test_message(t))), ""]
    hidden = e.hidden()
    if hidden:
        out += ["", f"Hidden tests: {_hidden_summary(e)}.", ""]
        for t in hidden:
            out.append(f"- {_mark(t)} `{t.name}` ({fmt(t.earned)}/{fmt(t.points)})")
    out.append("")
    return out


def _problem_label(e: ExerciseGrade) -> str:
    if e.status == GRADED:
        return "Every test failed with the same error"
    return f"Not graded ({e.status}), every test scores zero"


def _first_line_differs(t: TestGrade, e: ExerciseGrade) -> bool:
    """Do not repeat, under every test, the one problem already shown above them."""
    return not (e.problem and first_line(t.message) == first_line(e.problem))


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}
.pass{color:#17702a}.fail{color:#b00020}.problem{border-left:4px solid #b00020;padding-left:.6rem}
""".strip()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def feedback_html(student: StudentGrade, deadline: str = "") -> str:
    sid = _e(_who(student))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>Feedback for {sid}</title><style>{_CSS}</style></head><body>",
        f"<h1>Feedback for {sid}</h1>",
        f"<p><strong>Total: {fmt(student.points)}/{fmt(student.max_points)} points</strong> "
        f"({percent(student.points, student.max_points)})</p>",
    ]
    if timing := _timing(student, deadline):
        out.append(f"<p>{_e(timing)}</p>")
    if student.error:
        out.append(
            f'<div class="problem"><p><strong>Your submission could not be graded:</strong></p><pre>{_e(clean(student.error))}</pre></div>'
        )
    for note in student.notes:
        out.append(f"<p>Note: {_e(note)}</p>")
    out.append(
        "<table><thead><tr><th>exercise</th><th>language</th><th>status</th><th>points</th><th>visible tests</th><th>hidden tests</th></tr></thead><tbody>"
    )
    for e in student.exercises:
        vis, hid = e.visible(), e.hidden()
        out.append(
            f"<tr><td>{_e(e.exercise)}</td><td>{_e(e.language)}</td><td>{_e(e.summary())}</td><td>{fmt(e.points)}/{fmt(e.max_points)}</td>"
            f"<td>{sum(t.passed for t in vis)}/{len(vis)}</td><td>{sum(t.passed for t in hid)}/{len(hid)}</td></tr>"
        )
    out.append("</tbody></table>")
    missing = [e for e in student.exercises if e.status == MISSING]
    if missing and len(missing) < len(student.exercises):
        out.append("<p>Not found in your submission:</p><ul>")
        out += [f"<li>{_e(e.key)}: {_e(first_line(e.problem))}</li>" for e in missing]
        out.append("</ul>")
    if student.adjustments:
        out.append("<p>Adjusted by your instructor:</p><ul>")
        out += [f"<li>{_e(_adjustment_text(a))}</li>" for a in student.adjustments]
        out.append("</ul>")
    for e in attempted(student):
        out += exercise_html(e)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def exercise_html(e: ExerciseGrade) -> list[str]:
    out = [f"<h2>{_e(_exercise_heading(e))}</h2><p><em>{_e(e.title)}</em>: {_e(e.summary())}</p>"]
    if e.notebook:
        out.append(f"<p>Notebook: <code>{_e(e.notebook)}</code></p>")
    if e.problem and e.status != NOT_GRADED:
        out.append(
            f'<div class="problem"><p><strong>{_e(_problem_label(e))}:</strong></p><pre>{_e(clean(e.problem))}</pre></div>'
        )
    for note in e.notes:
        out.append(f"<p>Note: {_e(clean(note))}</p>")
    out.append("<p>Visible tests:</p><ul>")
    for t in e.visible():
        cls = "pass" if t.passed else "fail"
        item = f'<li class="{cls}">{_mark(t)} <code>{_e(t.name)}</code> ({fmt(t.earned)}/{fmt(t.points)})'
        if not t.passed and _first_line_differs(t, e):
            item += f"<pre>{_e(test_message(t))}</pre>"
        out.append(item + "</li>")
    out.append("</ul>")
    hidden = e.hidden()
    if hidden:
        out.append(f"<p>Hidden tests: {_e(_hidden_summary(e))}.</p><ul>")
        for t in hidden:
            cls = "pass" if t.passed else "fail"
            out.append(
                f'<li class="{cls}">{_mark(t)} <code>{_e(t.name)}</code> ({fmt(t.earned)}/{fmt(t.points)})</li>'
            )
        out.append("</ul>")
    return out


# --- JUnit XML -----------------------------------------------------------------------------


def junit_xml(student: StudentGrade) -> str:
    def count(tests: list[TestGrade], outcome_set: set[str]) -> int:
        return sum(1 for t in tests if t.outcome in outcome_set)

    every = [t for e in student.exercises for t in e.tests]
    root = ET.Element(
        "testsuites",
        name=clean(f"twinbook grade: {student.student}"),
        tests=str(len(every)),
        failures=str(count(every, {"failed", "skipped"})),
        errors=str(count(every, {"error"})),
        skipped="0",
    )
    for e in student.exercises:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"{e.exercise} ({e.language})",
            tests=str(len(e.tests)),
            failures=str(count(e.tests, {"failed", "skipped"})),
            errors=str(count(e.tests, {"error"})),
            skipped="0",
        )
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("points", fmt(e.points)),
            ("max_points", fmt(e.max_points)),
            ("status", e.status),
        ):
            ET.SubElement(props, "property", name=name, value=value)
        classname = f"{e.exercise.replace('/', '.')}.{e.language}"
        for t in e.tests:
            case = ET.SubElement(suite, "testcase", name=t.name, classname=classname)
            if t.passed:
                continue
            tag = "error" if t.outcome == "error" else "failure"
            if t.hidden:
                ET.SubElement(case, tag, message=HIDDEN_MESSAGE, type="hidden")
            else:
                msg = test_message(t)
                node = ET.SubElement(case, tag, message=clean(first_line(msg)), type=t.outcome)
                node.text = msg
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- Exercism results.json (test-runner interface, version 3) ------------------------------

_EXERCISM_STATUS = {"passed": "pass", "failed": "fail", "skipped": "fail", "error": "error"}


def exercism_results(student: StudentGrade, grades: ClassGrade) -> dict[str, Any]:
    tests = []
    keys = grades.column_keys()
    for e in student.exercises:
        task_id = keys.index(e.key) + 1 if e.key in keys else None
        for t in e.tests:
            entry: dict[str, Any] = {
                "name": f"{e.exercise} ({e.language}): {t.name}",
                "status": _EXERCISM_STATUS.get(t.outcome, "fail"),
            }
            if not t.passed:
                entry["message"] = test_message(t)
            entry["output"] = None  # answers' own output is not captured
            if not t.hidden:
                entry["test_code"] = visible_test_code(grades, e.exercise, e.language, t.name)
            if task_id is not None:
                entry["task_id"] = task_id
            tests.append(entry)
    if student.error:
        return {"version": 3, "status": "error", "message": clean(student.error), "tests": tests}
    status = "pass" if tests and all(t["status"] == "pass" for t in tests) else "fail"
    return {"version": 3, "status": status, "tests": tests}


# --- GitHub Classroom (autograding-grading-reporter runner result) -------------------------


def classroom_result(student: StudentGrade) -> dict[str, Any]:
    """The JSON a runner step hands the reporter (base64 in its ``result`` output):
    ``{version, status, max_score, tests: [{name, status, message, score, ...}]}``."""
    tests = []
    for e in student.exercises:
        for t in e.tests:
            tests.append(
                {
                    "name": f"{e.exercise} ({e.language}): {t.name}",
                    "status": "pass" if t.passed else ("error" if t.outcome == "error" else "fail"),
                    "message": "" if t.passed or t.hidden else clean(first_line(t.message)),
                    "test_code": "",
                    "filename": "",
                    "line_no": 0,
                    "execution_time": "",
                    "score": _num(t.earned),
                }
            )
    if student.error:
        status = "error"
    else:
        status = "pass" if tests and all(t["status"] == "pass" for t in tests) else "fail"
    return {"version": 1, "status": status, "max_score": _num(student.max_points), "tests": tests}


def _num(value: float) -> int | float:
    value = round(float(value), 2)
    return int(value) if value == int(value) else value


# --- class summary -------------------------------------------------------------------------


def isolation_warning(isolation: str) -> str:
    """The report's warning for a grading without full isolation (see the threat model)."""
    if isolation == "userns":
        what = (
            "student code ran in a bubblewrap jail but as the grader's uid, and without a "
            "delegated cgroup its memory and process limits applied per process (rlimits), "
            "not to each submission's whole process tree"
        )
    else:
        what = (
            "student code ran as the grader's uid with per-process rlimits only, not in a "
            "jail: it could read what the grader can"
        )
    return f"the sandbox ran with isolation {isolation!r}, not 'root': {what} (grade as root for full isolation)"


def summary_markdown(grades: ClassGrade) -> str:
    students = sorted(grades.students, key=lambda s: s.student)
    n = len(students)
    title = (
        f"twinbook grade: {_md_text(grades.assignment)}" if grades.assignment else "twinbook grade"
    )
    out = [f"## {title}: {n} student{'s' if n != 1 else ''}", ""]
    if grades.deadline:
        late = sum(s.late for s in students)
        out += [f"Deadline {grades.deadline}: {late} late.", ""]
    if grades.isolation != "root":
        out += [f"> **Warning:** {isolation_warning(grades.isolation)}", ""]
    for w in grades.warnings:
        out += [f"- {_md_text(w)}"]
    if grades.warnings:
        out.append("")
    if n:
        totals = sorted(s.points for s in students)
        mid = n // 2
        median = totals[mid] if n % 2 else (totals[mid - 1] + totals[mid]) / 2
        out += [
            f"Mean {fmt(sum(totals) / n)}, median {fmt(median)}, out of {fmt(grades.max_points)} points.",
            "",
        ]
    out += ["| student | points | % | problems |", "|---|---:|---:|---|"]
    for s in students:
        problems = "; ".join(_short(p, 100) for p in s.problems()) or "-"
        out.append(
            f"| {_md_text(_who(s))} | {fmt(s.points)}/{fmt(s.max_points)} | {percent(s.points, s.max_points)} "
            f"| {_md_text(problems)} |"
        )
    out += ["", "| exercise | language | mean | max | full marks |", "|---|---|---:|---:|---:|"]
    for ex, lang in grades.columns:
        key = f"{ex.id}:{lang}"
        got = [e for s in students for e in s.exercises if e.key == key]
        max_points = sum(ex.lang(lang).points.values())
        mean = sum(e.points for e in got) / len(got) if got else 0
        full = sum(1 for e in got if e.points == max_points)
        out.append(f"| {ex.id} | {lang} | {fmt(mean)} | {fmt(max_points)} | {full}/{len(got)} |")
    return "\n".join(out) + "\n"


def summary_json(grades: ClassGrade) -> dict[str, Any]:
    return {
        "max_points": _num(grades.max_points),
        "columns": grades.column_keys(),
        "isolation": grades.isolation,
        "assignment": grades.assignment,
        "deadline": grades.deadline,
        "warnings": list(grades.warnings),
        "students": [
            {
                "student": s.student,
                "source": s.source,
                "points": _num(s.points),
                "max_points": _num(s.max_points),
                "name": s.name,
                "email": s.email,
                "submitted": s.submitted,
                "late": s.late,
                "adjustments": [
                    {"exercise": a.exercise, "points": _num(a.points), "reason": a.reason}
                    for a in s.adjustments
                ],
                "exercises": {
                    e.key: {"points": _num(e.points), "status": e.status, "summary": e.summary()}
                    for e in s.exercises
                },
                "problems": [_short(p) for p in s.problems()],
            }
            for s in sorted(grades.students, key=lambda s: s.student)
        ],
    }


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_reports(grades: ClassGrade, out: Path) -> None:
    """Write every report of ``grades`` into ``out`` (see the module's docstring); ids are
    safe file names already (:mod:`.ids`)."""
    from .shards import GRADES_FILE, to_json

    out.mkdir(parents=True, exist_ok=True)
    (out / "gradebook.csv").write_text(gradebook_csv(grades), encoding="utf-8")
    (out / "summary.md").write_text(summary_markdown(grades), encoding="utf-8")
    (out / "summary.json").write_text(_dump(summary_json(grades)), encoding="utf-8")
    (out / GRADES_FILE).write_text(_dump(to_json(grades)), encoding="utf-8")
    for sub in ("feedback", "junit", "classroom", "results"):
        (out / sub).mkdir(exist_ok=True)
    for s in grades.students:
        name = s.student
        (out / "feedback" / f"{name}.md").write_text(
            feedback_markdown(s, grades.deadline), encoding="utf-8"
        )
        (out / "feedback" / f"{name}.html").write_text(
            feedback_html(s, grades.deadline), encoding="utf-8"
        )
        (out / "junit" / f"{name}.xml").write_text(junit_xml(s), encoding="utf-8")
        (out / "classroom" / f"{name}.json").write_text(
            _dump(classroom_result(s)), encoding="utf-8"
        )
        (out / "results" / name).mkdir(exist_ok=True)
        (out / "results" / name / "results.json").write_text(
            _dump(exercism_results(s, grades)), encoding="utf-8"
        )
