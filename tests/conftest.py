"""Shared fixtures for the tests under tests/ (Go plugin, exercises, grading, vectors).

The layout of the one test command (what is collected, how Go and notebooks become
items) lives in pytest.ini and tests/plugins/; fixtures only for tests/ live here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.repo import ROOT


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (where pytest.ini and the Makefile are)."""
    return ROOT


@pytest.fixture(scope="session")
def go_bin() -> str:
    """The `go` executable; tests that need Go skip when it is missing."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not on PATH")
    return go
