"""One submission never breaks the class: malformed notebooks, JSON, zips and folders each
get a row that says why, with a scripted backend (no student code runs here)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import classbuild as cb
import pytest
from test_grade_scoring import POOL, Scripted, backend, by_name

from tests.repo import SOLUTIONS
from twinbook.grading import grade as grade_mod
from twinbook.grading import reports
from twinbook.grading.grade import INVALID, NOT_GRADED, grade_class

NOTEBOOK = cb.notebook_rel(POOL, "python")


def _notebook_with(answer_source: object) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {"twinbook": {"role": "answer"}},
                    "source": answer_source,
                    "outputs": [],
                    "execution_count": None,
                }
            ],
        }
    )


# name -> the bytes of the python notebook of POOL (the go one stays the stub)
BAD_NOTEBOOKS: dict[str, bytes] = {
    "source-int": _notebook_with(42).encode(),
    "source-list-of-ints": _notebook_with([1, 2, 3]).encode(),
    "source-dict": _notebook_with({"a": "b"}).encode(),
    "source-null": _notebook_with(None).encode(),
    "cells-not-a-list": b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": "no"}',
    "top-level-array": b"[1, 2, 3]",
    "top-level-string": b'"a notebook"',
    "not-json": b'{"cells": [',
    "empty-file": b"",
    "binary": bytes(range(256)) * 4,
    "utf16": _notebook_with("def map_limited(fn, items, limit): ...").encode("utf-16"),
    "nbformat-3": b'{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": 7}]}',
    "role-not-a-dict": json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [{"cell_type": "code", "metadata": {"twinbook": "answer"}, "source": "x"}],
        }
    ).encode(),
    "deep-json": b"[" * 100_000 + b"]" * 100_000,
    "huge-number": b'{"nbformat": 1e999999, "cells": []}',
}


@pytest.fixture
def bad_class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    for name, data in BAD_NOTEBOOKS.items():
        folder = cb.make_student(subs / name, {(POOL, "go"): "stub"}, default="stub")
        (folder / NOTEBOOK).write_bytes(data)
    # a zip whose notebook member is corrupt (CRC), a truncated zip, an empty zip, a zip
    # that is a folder, a notebook that is a folder, a FIFO, a file named like a notebook
    good = cb.make_student(tmp_path / "good-src", default="stub")
    cb.zip_folder(good, subs / "crc.zip")
    data = bytearray((subs / "crc.zip").read_bytes())
    at = data.find(b'"cells"')
    data[at : at + 7] = b'"CELLS"'  # the CRC no longer matches
    (subs / "crc.zip").write_bytes(bytes(data))
    (subs / "truncated.zip").write_bytes((subs / "crc.zip").read_bytes()[:300])
    with zipfile.ZipFile(subs / "empty.zip", "w"):
        pass
    (subs / "dir.zip").mkdir()
    folder = cb.make_student(subs / "notebook-is-a-folder", default="stub")
    (folder / NOTEBOOK).unlink()
    (folder / NOTEBOOK).mkdir()
    folder = cb.make_student(subs / "fifo", default="stub")
    (folder / NOTEBOOK).unlink()
    os.mkfifo(folder / NOTEBOOK)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(NOTEBOOK, b"\x00" * 10)
        zf.writestr("exercises/" + NOTEBOOK, _notebook_with(["a", 3]))
    (subs / "mixed.zip").write_bytes(buf.getvalue())
    cb.make_student(subs / "zz-fine", default="stub")
    return subs


def _grade(subs: Path):
    return grade_class(subs, solutions=SOLUTIONS, exercises=[POOL], be=backend(Scripted()))


def test_every_malformed_submission_gets_a_row_that_says_why(bad_class, tmp_path):
    grades = _grade(bad_class)
    students = by_name(grades)
    expected = set(BAD_NOTEBOOKS) | {
        "crc",
        "truncated",
        "empty",
        "dir.zip",
        "notebook-is-a-folder",
        "fifo",
        "mixed",
        "zz-fine",
    }
    assert set(students) == expected
    for name in BAD_NOTEBOOKS:
        py = students[name].exercises[0]
        assert (py.status, py.points) == (INVALID, 0), name
        assert py.problem, name
        assert students[name].exercises[1].language == "go"  # the other notebook is graded
    assert "truncated" in students and students["truncated"].error
    assert students["fifo"].exercises[0].status == INVALID
    assert "not a regular file" in students["fifo"].exercises[0].problem
    # every report is written for everyone
    out = tmp_path / "out"
    reports.write_reports(grades, out)
    rows = reports.gradebook_csv(grades).splitlines()[1:]
    assert len(rows) == len(expected)
    assert sorted(p.stem for p in (out / "feedback").glob("*.md")) == sorted(expected)


def test_a_bug_while_reading_one_submission_gives_it_an_error_row(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    cb.make_student(subs / "ann", default="stub")
    cb.make_student(subs / "bob", default="stub")
    real = grade_mod.open_submission

    def explode(entry):
        if entry.student == "ann":
            raise RecursionError("a notebook nobody thought of")
        return real(entry)

    monkeypatch.setattr(grade_mod, "open_submission", explode)
    students = by_name(_grade(subs))
    assert students["ann"].error.startswith("the grader could not read this submission")
    assert all(e.status == NOT_GRADED for e in students["ann"].exercises)
    assert students["bob"].exercises[0].status != NOT_GRADED


def test_an_answer_cell_that_is_not_text_is_named_in_the_feedback(tmp_path):
    subs = tmp_path / "subs"
    folder = cb.make_student(subs / "ann", default="stub")
    (folder / NOTEBOOK).write_text(_notebook_with(42))
    ann = by_name(_grade(subs))["ann"]
    md = reports.feedback_markdown(ann)
    assert "source is not text" in ann.exercises[0].problem
    assert "unreadable notebook" in md
