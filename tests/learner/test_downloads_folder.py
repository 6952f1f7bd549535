"""A folder unzipped from the book's downloads (chapter folders, no README, no
exercises/): the learner's commands work on that folder, wherever in it they run, and
never on the workbook that the installed package belongs to."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from learner_workbook import WORKER_POOL, fill_in
from typer.testing import CliRunner

from tests.repo import ROOT
from twinbook.cli import app, find_tree
from twinbook.exercises.model import CHAPTER_HELPERS


@pytest.fixture
def unzipped(tmp_path) -> Path:
    """What the exercise's zip on the book's page holds, unzipped into downloads/:
    ch01-concurrency/01-worker-pool/... and the chapter's helper files."""
    folder = tmp_path / "downloads"
    chapter = ROOT / "exercises" / "ch01-concurrency"
    shutil.copytree(
        chapter / "01-worker-pool",
        folder / "ch01-concurrency" / "01-worker-pool",
        ignore=shutil.ignore_patterns(".twinbook", ".ipynb_checkpoints", "__pycache__"),
    )
    for name in CHAPTER_HELPERS.values():
        shutil.copy(chapter / name, folder / "ch01-concurrency" / name)
    return folder


@pytest.mark.parametrize("where", [".", "ch01-concurrency/01-worker-pool/go"])
def test_the_tree_is_the_unzipped_folder(unzipped, where):
    root, tree = find_tree(start=unzipped / where)
    assert tree == unzipped and root == unzipped


def test_progress_and_check_use_the_folder_the_learner_is_in(unzipped, monkeypatch):
    monkeypatch.chdir(unzipped / "ch01-concurrency" / "01-worker-pool")
    runner = CliRunner()
    env = {"COLUMNS": "120"}
    fill_in(unzipped, WORKER_POOL, "python")
    checked = runner.invoke(app, ["check"], env=env, catch_exceptions=False)
    assert "│   5/5 │ ✓ done" in checked.output, checked.output
    assert "1/2 done (python 1/1 · go 0/1)" in checked.output
    state = json.loads((unzipped / ".twinbook" / "progress.json").read_text())
    assert set(state["checks"]) == {WORKER_POOL}
    progress = runner.invoke(app, ["progress"], env=env, catch_exceptions=False)
    assert progress.exit_code == 0, progress.output
    assert "1/2 done (python 1/1 · go 0/1)" in progress.output
    assert "ch02" not in progress.output  # the installed workbook's chapters are not shown
    assert not (ROOT / "exercises" / ".twinbook" / "progress.json").exists() or (
        WORKER_POOL
        not in json.loads((ROOT / "exercises" / ".twinbook" / "progress.json").read_text())[
            "checks"
        ]
    )
