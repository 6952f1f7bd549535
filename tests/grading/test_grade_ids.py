"""Hostile student ids: safe for file names, Markdown, HTML, CSV and terminals."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_grade_scoring import POOL, Scripted, backend

from tests.repo import SOLUTIONS
from twinbook.grading import reports
from twinbook.grading.command import student_line
from twinbook.grading.grade import grade_class
from twinbook.grading.ids import MAX_LEN, is_safe, plain, safe_id

HOSTILE = [
    "ann\nbob",
    "ann\r\n| x | y |",
    "\x1b[2J\x1b[31mred",
    "\x1b]0;title\x07",
    "evil\u202etxt.exe",
    "zero\u200bwidth",
    "a|b|c",
    "<script>alert(1)</script>",
    "<script>alert(1)",
    '=HYPERLINK("http://x")',
    "+cmd",
    "-rf",
    "@SUM(A1)",
    ".hidden-but-not-dot",
    "tab\there",
    "x" * 252,
    "é" * 120,
    "back\\slash`tick*star_under[link](x)",
    "caf\udce9-\udcff",  # a name that is not UTF-8 (os.fsdecode(b"caf\xe9-\xff"))
]


@pytest.mark.parametrize("name", HOSTILE, ids=ascii)
def test_a_hostile_name_becomes_a_safe_distinct_id(name):
    sid = safe_id(name)
    assert sid != name
    assert is_safe(sid)
    assert len(sid) <= MAX_LEN
    assert len((sid + ".html").encode()) < 255
    assert all(c.isalnum() or c in "._-" for c in sid)
    assert sid[0].isalnum() or sid[0] == "_"
    assert not any(unicodedata.category(c).startswith("C") for c in sid)


def test_safe_names_are_kept_and_ids_never_collide():
    for name in ("alice", "bob.smith", "zoë-2", "Student_42"):
        assert safe_id(name) == name
    ids = {safe_id(n) for n in HOSTILE} | {safe_id("ann_bob"), safe_id("ann bob")}
    assert len(ids) == len(HOSTILE) + 2


@given(st.text(min_size=1, max_size=300))
def test_any_name_gives_a_safe_id(name):
    sid = safe_id(name)
    assert is_safe(sid) and sid
    assert all(c.isalnum() or c in "._-" for c in sid)
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in sid)


def test_plain_removes_control_and_bidi_characters():
    assert plain("a\nb\x1b[31m\u202ec") == "a\ufffdb\ufffd[31m\ufffdc"
    assert plain("caf\udce9") == "caf\ufffd"  # a byte that was not UTF-8 in a file name


def test_a_class_of_hostile_ids_writes_every_report_without_injection(tmp_path: Path):
    subs = tmp_path / "subs"
    subs.mkdir()
    # dot entries are skipped; "/" cannot be in a file name
    names = [n for n in HOSTILE if not n.startswith(".") and "/" not in n]
    for name in names:
        (subs / name).mkdir()
    grades = grade_class(subs, solutions=SOLUTIONS, exercises=[POOL], be=backend(Scripted()))
    assert len(grades.students) == len(names)
    out = tmp_path / "out"
    reports.write_reports(grades, out)  # a 252-byte id used to crash here
    assert len(list((out / "feedback").glob("*.html"))) == len(names)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    student_rows = [
        line for line in summary.splitlines() if line.startswith("| ") and "/28 |" in line
    ]
    assert len(student_rows) == len(names)  # no id added a line or a column
    assert all(line.count(" | ") == 3 for line in student_rows)
    assert "\x1b" not in summary and "\u202e" not in summary
    rows = list(csv.reader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(names) + 1 and all(len(r) == len(rows[0]) for r in rows)
    assert not any(r[0][:1] in "=+-@" for r in rows[1:])
    for path in (out / "feedback").glob("*.html"):
        assert "<script" not in path.read_text(encoding="utf-8")
    width = max(len(s.student) for s in grades.students)
    for s in grades.students:
        line = student_line(s, width)
        assert "\n" not in line and "\x1b" not in line and "\u202e" not in line
