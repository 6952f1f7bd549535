"""The student edition, as `make release` writes it, read and used as a learner would:
its text names only commands and paths the edition has, `twinbook check --hidden` is not
offered there, `twinbook reset` works there (no git), and `make release` is quiet.

The edition is made once per module by the Makefile with a small site standing in for the
book (the real book's pages are checked by the book's own tests)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from learner_workbook import edition_twinbook
from learner_workbook import make_release as release_into

from tests.edition_text import findings, maintainers_rules


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text("<html><body><h1>twinbook</h1></body></html>\n")
    out = tmp_path_factory.mktemp("release") / "student"
    release_into(site, out)
    return out


#: Not scanned: the book (a stand-in here), the libraries' code (its comments document the
#: code for whoever reads it, the project's included), and the lists of pinned packages.
NOT_READ = re.compile(r"^(book/|(go|python)/.*\.(go|py)$|go/(tools/)?go\.sum$)")


def _texts(release: Path):
    """(file, text) of every text file of the edition a learner reads as what to do (not
    :data:`NOT_READ`): notebooks by their cells' sources and outputs."""
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        rel = path.relative_to(release)
        if NOT_READ.match(rel.as_posix()) and not rel.match("exercises/**"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix == ".ipynb":
            cells = json.loads(text)["cells"]
            text = "\n".join(
                "".join(c["source"]) + "\n" + json.dumps(c.get("outputs", [])) for c in cells
            )
        yield rel, text


def test_its_text_names_only_commands_and_paths_it_has(release):
    assert {"test", "book", "bench", "lint", "release"} <= maintainers_rules()
    found = []
    for rel, text in _texts(release):
        lines = text.splitlines()
        if rel.name in ("go.mod", "constraints.txt"):  # a pin names a package, not a task
            lines = [line if line.startswith(("#", "//")) else "" for line in lines]
        found += findings(str(rel), lines, lambda path: (release / path).exists())
    assert found == [], "\n".join(found)


def _twinbook(workbook: Path, *args: str) -> subprocess.CompletedProcess:
    return edition_twinbook(workbook, *args, columns=80)


WORKER_POOL = "ch01-concurrency/01-worker-pool"


def test_check_hidden_is_not_offered(release):
    helped = _twinbook(release, "check", "--help")
    assert helped.returncode == 0 and "--lang" in helped.stdout
    assert "--hidden" not in helped.stdout and "--solutions" not in helped.stdout
    used = _twinbook(release, "check", WORKER_POOL, "--hidden")
    assert used.returncode == 2, used.stdout + used.stderr
    assert used.stdout == ""
    assert len(used.stderr.strip().splitlines()) == 1, used.stderr
    assert "solutions/" in used.stderr and "hidden tests not found" not in used.stderr


def test_reset_restores_the_stub_and_keeps_a_backup_without_git(release, tmp_path):
    import shutil

    workbook = tmp_path / "student"
    shutil.copytree(release, workbook, ignore=shutil.ignore_patterns("book"))
    assert not (workbook / ".git").exists()
    notebook = next((workbook / "exercises" / WORKER_POOL / "python").glob("*.ipynb"))
    original = json.loads(notebook.read_text())
    edited = json.loads(notebook.read_text())
    answer = next(c for c in edited["cells"] if c["metadata"]["twinbook"]["role"] == "answer")
    answer["source"] = "def map_limited(fn, items, limit):\n    return 'mine'\n"
    notebook.write_text(json.dumps(edited, indent=1))
    assert "✗ failing" in _twinbook(workbook, "check", WORKER_POOL, "--lang", "python").stdout
    out = _twinbook(workbook, "reset", WORKER_POOL, "--lang", "python")
    assert out.returncode == 0, out.stdout + out.stderr
    restored = json.loads(notebook.read_text())
    assert [c["source"] for c in restored["cells"]] == [c["source"] for c in original["cells"]]
    (backup,) = (workbook / "exercises" / ".twinbook" / "backups").rglob("*.ipynb")
    assert "return 'mine'" in backup.read_text()
    again = _twinbook(workbook, "check", WORKER_POOL, "--lang", "python")
    assert "· not started" in again.stdout, again.stdout
