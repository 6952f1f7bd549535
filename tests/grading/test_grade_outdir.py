"""OUT is replaced only when the new reports are complete: a crash midway, Ctrl-C or a
full disk leaves the old OUT as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from twinbook.grading.outdir import replace_out


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "dir"
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def old_out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    (out / "gradebook.csv").write_text("student,total\nann,14\n")
    (out / "feedback" / "ann.md").write_text("# old\n")
    (out / "my-notes.txt").write_text("the instructor's own file\n")
    return out


@pytest.mark.parametrize(
    "error", [RuntimeError("disk full"), KeyboardInterrupt(), OSError(28, "No space left")]
)
def test_a_crash_while_writing_keeps_the_old_out(old_out, error):
    before = _snapshot(old_out)

    def fill(stage: Path) -> None:
        (stage / "gradebook.csv").write_text("student,total\nbob,0\n")
        (stage / "feedback").mkdir()
        raise error

    with pytest.raises(type(error)):
        replace_out(old_out, fill)
    assert _snapshot(old_out) == before
    assert [p.name for p in old_out.parent.iterdir()] == ["out"]  # no half-written folder left


def test_complete_reports_replace_the_old_and_keep_the_instructors_files(old_out):
    def fill(stage: Path) -> None:
        (stage / "gradebook.csv").write_text("student,total\nbob,0\n")

    replace_out(old_out, fill)
    assert (old_out / "gradebook.csv").read_text() == "student,total\nbob,0\n"
    assert not (old_out / "feedback").exists()  # stale reports are gone
    assert (old_out / "my-notes.txt").read_text() == "the instructor's own file\n"
    assert sorted(p.name for p in old_out.parent.iterdir()) == ["out"]


def test_a_new_out_is_created(tmp_path):
    replace_out(tmp_path / "a" / "out", lambda stage: (stage / "x").write_text("1"))
    assert (tmp_path / "a" / "out" / "x").read_text() == "1"
