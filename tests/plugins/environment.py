"""pytest plugin: the tools the tests call are on PATH, however pytest was started.

``make test`` already puts .venv/bin first on PATH; this makes ``.venv/bin/pytest`` called
by its path (or from an IDE) behave the same: the venv's ``twinbook``, ``gonb`` and
``goimports`` and Go itself are found by subprocesses, notebook kernels and the Go plugin.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

GO_FALLBACK_DIRS = ("/usr/local/go/bin",)


def pytest_configure(config) -> None:
    path = os.environ.get("PATH", "").split(os.pathsep)
    wanted = [str(Path(sys.executable).parent)]
    if shutil.which("go") is None:
        wanted += [d for d in GO_FALLBACK_DIRS if (Path(d) / "go").exists()]
    missing = [d for d in wanted if d not in path]
    if missing:
        os.environ["PATH"] = os.pathsep.join(missing + path)
