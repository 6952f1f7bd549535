"""Reading submissions: student ids, layouts, safe zips, symlinks (no test runs here)."""

from __future__ import annotations

import os
import stat
import zipfile

import pytest

from twinbook.grading import submissions as sub
from twinbook.grading.grade import NotebookError, notebook_answer

REL = "ch01-concurrency/01-worker-pool/python/worker_pool.ipynb"
NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def write_zip(path, members: dict[str, bytes], infos: list[tuple[zipfile.ZipInfo, bytes]] = ()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for info, data in infos:
            zf.writestr(info, data)
    return path


def test_entries_are_folders_and_zips_sorted_by_id(tmp_path):
    (tmp_path / "zoe").mkdir()
    (tmp_path / "adam").mkdir()
    write_zip(tmp_path / "bea.zip", {"x": b"1"})
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    entries, warnings = sub.find_entries(tmp_path)
    assert [(e.student, e.kind) for e in entries] == [
        ("adam", "folder"),
        ("bea", "zip"),
        ("zoe", "folder"),
    ]
    assert warnings == ["notes.txt: ignored (neither a folder nor a .zip file)"]


def test_a_folder_and_a_zip_with_one_id_grade_the_folder_and_say_so(tmp_path):
    (tmp_path / "ann").mkdir()
    write_zip(tmp_path / "ann.zip", {"x": b"1"})
    entries, _ = sub.find_entries(tmp_path)
    assert len(entries) == 1 and entries[0].kind == "folder"
    assert entries[0].notes == ["ann.zip ignored: ann was graded"]


@pytest.mark.parametrize(
    "prefix",
    ["", "exercises/", "twinbook-main/", "twinbook-main/exercises/"],
    ids=["flat", "repo", "wrapped", "wrapped-repo"],
)
def test_notebooks_are_found_in_every_layout(tmp_path, prefix):
    zip_path = write_zip(tmp_path / "s.zip", {prefix + REL: NB, "__MACOSX/._x": b""})
    with sub.ZipSubmission(zip_path) as s:
        where, data = s.read_notebook(REL)
    assert where == prefix + REL and data == NB
    folder = tmp_path / "folder"
    (folder / prefix / REL).parent.mkdir(parents=True)
    (folder / prefix / REL).write_bytes(NB)
    where, data = sub.FolderSubmission(folder).read_notebook(REL)
    assert where == prefix + REL and data == NB


def test_a_missing_notebook_names_the_expected_path(tmp_path):
    with pytest.raises(NotebookError, match=f"notebook not found: expected exercises/{REL}"):
        sub.FolderSubmission(tmp_path).read_notebook(REL)


@pytest.mark.parametrize(
    "name, reason",
    [
        ("../evil.ipynb", "leaves the archive"),
        ("exercises/../../evil.ipynb", "leaves the archive"),
        ("..\\..\\evil.ipynb", "leaves the archive"),
        ("/etc/evil.ipynb", "absolute path"),
        ("C:/evil.ipynb", "absolute path"),
    ],
)
def test_zip_members_that_escape_reject_the_whole_zip(tmp_path, name, reason):
    zip_path = write_zip(tmp_path / "s.zip", {REL: NB, name: b"{}"})
    with pytest.raises(sub.SubmissionError, match=reason):
        sub.ZipSubmission(zip_path)


def test_symlinks_and_devices_in_a_zip_are_rejected(tmp_path):
    link = zipfile.ZipInfo(REL)
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(sub.SubmissionError, match="is a symlink"):
        sub.ZipSubmission(write_zip(tmp_path / "a.zip", {}, [(link, b"/etc/passwd")]))
    fifo = zipfile.ZipInfo(REL)
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    with pytest.raises(sub.SubmissionError, match="not a regular file"):
        sub.ZipSubmission(write_zip(tmp_path / "b.zip", {}, [(fifo, b"")]))


def test_zip_bombs_are_rejected_by_total_size_and_member_count(tmp_path, monkeypatch):
    monkeypatch.setattr(sub, "MAX_ZIP_BYTES", 1 << 20)
    bomb = write_zip(tmp_path / "bomb.zip", {f"zeros{i}": b"\0" * (600 << 10) for i in range(2)})
    assert bomb.stat().st_size < 20_000  # tiny on disk, 1.2 MB unpacked
    with pytest.raises(sub.SubmissionError, match="uncompressed"):
        sub.ZipSubmission(bomb)
    monkeypatch.setattr(sub, "MAX_ZIP_FILES", 50)
    many = write_zip(tmp_path / "many.zip", {f"f{i}": b"" for i in range(51)})
    with pytest.raises(sub.SubmissionError, match="51 members"):
        sub.ZipSubmission(many)


def test_a_member_larger_than_the_cap_or_its_header_is_refused(tmp_path, monkeypatch):
    zip_path = write_zip(tmp_path / "s.zip", {REL: b"x" * 5000})
    monkeypatch.setattr(sub, "MAX_NOTEBOOK_BYTES", 1000)
    with sub.ZipSubmission(zip_path) as s:
        with pytest.raises(NotebookError, match="5000 bytes, more than 1000"):
            s.read(REL)
        s.members[REL].file_size = 10  # a lying header: never more than it says, nor the cap
        with pytest.raises(NotebookError, match="more than 1000 bytes|cannot be read from the zip"):
            s.read(REL)


def test_not_a_zip_is_an_error_not_a_crash(tmp_path):
    bad = tmp_path / "s.zip"
    bad.write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(sub.SubmissionError, match="not a valid zip file"):
        sub.open_submission(sub.Entry("s", bad, "zip"))


def test_folder_symlinks_are_never_followed(tmp_path):
    secret = tmp_path / "secret.ipynb"
    secret.write_bytes(NB)
    student = tmp_path / "student"
    (student / REL).parent.mkdir(parents=True)
    os.symlink(secret, student / REL)
    with pytest.raises(NotebookError, match="a symlink"):
        sub.FolderSubmission(student).read_notebook(REL)
    linked_dir = tmp_path / "linked"
    (linked_dir / "ch01-concurrency").mkdir(parents=True)
    os.symlink(
        student / "ch01-concurrency" / "01-worker-pool",
        linked_dir / "ch01-concurrency" / "01-worker-pool",
    )
    with pytest.raises(NotebookError, match="a symlink"):
        sub.FolderSubmission(linked_dir).read_notebook(REL)
    os.symlink(student, tmp_path / "alias")
    entries, _ = sub.find_entries(tmp_path)
    alias = next(e for e in entries if e.student == "alias")
    with pytest.raises(sub.SubmissionError, match="symlink"):
        sub.open_submission(alias)


def test_answer_cells_only(tmp_path):
    nb = (
        '{"cells": ['
        '{"cell_type": "code", "metadata": {"twinbook": {"role": "answer"}}, "source": "x = 1", "outputs": [], "execution_count": null},'
        '{"cell_type": "code", "metadata": {}, "source": "import os", "outputs": [], "execution_count": null},'
        '{"cell_type": "code", "metadata": {"twinbook": {"role": "demo"}}, "source": "y = 2", "outputs": [], "execution_count": null}'
        '], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    assert notebook_answer(nb.encode(), "python") == "x = 1\n"
    with pytest.raises(NotebookError, match="no answer cell"):
        notebook_answer(NB, "python")
    with pytest.raises(NotebookError, match="not a valid Jupyter notebook"):
        notebook_answer(b"{nope", "python")
    with pytest.raises(NotebookError, match="not UTF-8"):
        notebook_answer(b"\xff\xfe", "python")
