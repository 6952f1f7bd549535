"""Fixtures for the learner tools' tests: a learner's copy of the workbook in a temporary
folder (the repo's exercises/, copied) and the CLI run in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from learner_workbook import CHAPTER
from typer.testing import CliRunner

from tests.repo import ROOT
from twinbook.cli import app


@pytest.fixture
def workbook(tmp_path) -> Path:
    """A learner's project: tmp/exercises, a copy of the repo's exercises/ README and
    chapter 1 (later chapters would only make the tests slower), no progress file."""
    (tmp_path / "exercises").mkdir()
    shutil.copy(ROOT / "exercises" / "README.md", tmp_path / "exercises" / "README.md")
    shutil.copytree(
        ROOT / "exercises" / CHAPTER,
        tmp_path / "exercises" / CHAPTER,
        ignore=shutil.ignore_patterns(".twinbook", ".ipynb_checkpoints", "__pycache__"),
    )
    return tmp_path


@pytest.fixture
def exercises(workbook) -> Path:
    return workbook / "exercises"


@pytest.fixture
def cli(workbook, monkeypatch):
    """cli("check", ...) -> click Result, run in-process from the learner's project."""
    monkeypatch.chdir(workbook)
    monkeypatch.setenv("COLUMNS", "120")
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [*args, "--root", str(workbook)], catch_exceptions=False)

    return invoke
