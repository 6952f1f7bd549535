"""The release's book build is as quiet as ``make book``: the kernels' chatter (GoNB's
glog lines, ipykernel's TCP warning) stays out of both, through the one filter, while the
build's own warnings stay in. Built for real: a two-page book whose notebooks run on both
kernels (python3 and gonb)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from twinbook.authoring.booklog import copy_quietly, is_noise
from twinbook.authoring.release import build_book

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent

NOISE = [
    "I1207 13:20:46.058018   11464 main.go:226] \x1b[7;39;32m[e675f225]\x1b[0m kernel created\n",
    "W1207 13:20:46.057292   11464 kernel.go:339] Could not parse Jupyter KernelId\n",
    "I1207 13:20:46.818016   11464 jpyexec.go:182] Executing: /tmp/gonb_e675f225/gonb []\n",
    "[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication\n",
]
KEPT = [
    "WARNING: document isn't included in any toctree\n",
    "/book/index.md:3: ERROR: Unknown directive type.\n",
    "E: a line that only looks like a log\n",
]


def test_the_filter_drops_the_kernels_chatter_and_keeps_the_builds_own_lines():
    assert [line for line in NOISE if not is_noise(line)] == []
    out = io.StringIO()
    copy_quietly(io.StringIO("".join(NOISE[:2] + KEPT[:1] + NOISE[2:] + KEPT[1:])), out)
    assert out.getvalue() == "".join(KEPT)


@pytest.fixture
def tiny_book(tmp_path) -> Path:
    """A project whose book/ has one notebook per kernel, executed at every build."""
    book = tmp_path / "book"
    book.mkdir()
    (book / "conf.py").write_text(
        'project = "tiny"\nextensions = ["myst_nb"]\nnb_execution_mode = "force"\n'
        'exclude_patterns = ["_build"]\n'
    )
    (book / "index.md").write_text("# Tiny\n\n```{toctree}\ngo\npython\n```\n")
    go = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Go"),
            nbformat.v4.new_code_cell('%%\nfmt.Println("hi")'),
        ]
    )
    go.metadata.kernelspec = {"name": "gonb", "display_name": "Go (gonb)", "language": "go"}
    py = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Python"), nbformat.v4.new_code_cell('print("hi")')]
    )
    py.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(go, book / "go.ipynb")
    nbformat.write(py, book / "python.ipynb")
    return tmp_path


def _chatter(text: str) -> list[str]:
    return [line for line in text.splitlines(keepends=True) if is_noise(line)]


def test_the_release_builds_the_book_as_quietly_as_make_book(tiny_book, capfd):
    # unfiltered, the kernels do talk on the build's stderr (what the filter is for)
    raw = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "book", "build/raw"],
        cwd=tiny_book,
        capture_output=True,
        text=True,
        env={"PATH": f"{BIN}:/usr/local/go/bin:/usr/bin:/bin", "HOME": str(tiny_book)},
    )
    assert raw.returncode == 0, raw.stderr
    assert _chatter(raw.stderr), raw.stderr
    # the release's build
    build_book(tiny_book)
    release_err = capfd.readouterr().err
    assert list((tiny_book / "build").rglob("go.html"))  # wherever the release builds it
    assert _chatter(release_err) == [], release_err
    # make book's line: the same filter (the recipe's command, run on this book)
    recipe = subprocess.run(
        ["make", "-n", "-o", "setup", "book"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    lines = recipe.splitlines()
    at = next(i for i, ln in enumerate(lines) if "sphinx-build" in ln)
    assert "-m twinbook.authoring.booklog" in lines[at + 1], recipe
    shutil.rmtree(tiny_book / "build")
    made = subprocess.run(
        ["bash", "-c", "\n".join(lines[at : at + 2]) + "\nwait"],
        cwd=tiny_book,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    assert (tiny_book / "build" / "html" / "go.html").is_file()
    assert _chatter(made.stderr) == [], made.stderr
