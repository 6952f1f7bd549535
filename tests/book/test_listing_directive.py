"""The ``listing`` directive on a tiny book of its own: what it expands to, and how it fails.

Each test writes a repository with a one-page book, a Go file and a Python file into a
temporary folder and runs sphinx-build on it (``-W``, as ``make book`` does), with only
the extensions a listing needs.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from book_site import BOOK

GO = """package x

// docs:start add
// Add adds.
func Add(a, b int) int {
	sum := a + b
	return sum
}
// docs:end add
"""

PY = """class X:
    # docs:start add
    def add(self, a: int, b: int) -> int:
        \"\"\"Add.\"\"\"
        total = a + b
        return total
    # docs:end add

    # docs:start add-async
    async def add_async(self, a: int, b: int) -> int:
        \"\"\"Add, on the event loop.\"\"\"
        total = a + b
        return total
    # docs:end add-async
"""

CONF = f"""
import sys
sys.path.insert(0, {str(BOOK / "_ext")!r})
extensions = ["myst_parser", "sphinx_design", "twinbook_listing"]
"""


@dataclass
class Built:
    returncode: int
    log: str
    html: str


def build(tmp_path: Path, page: str) -> Built:
    (tmp_path / "go").mkdir()
    (tmp_path / "go" / "x.go").write_text(GO)
    (tmp_path / "python").mkdir()
    (tmp_path / "python" / "x.py").write_text(PY)
    book = tmp_path / "book"
    book.mkdir()
    (book / "conf.py").write_text(CONF)
    (book / "index.md").write_text("# Listings\n\nSome text.\n\n" + page)
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(book), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    index = out / "index.html"
    return Built(
        proc.returncode,
        proc.stdout + proc.stderr,
        index.read_text(encoding="utf-8") if index.is_file() else "",
    )


def test_a_pair_becomes_a_synced_go_and_python_tab_set(tmp_path: Path) -> None:
    built = build(
        tmp_path,
        "```{listing} go/x.go python/x.py add\n"
        ":python-note: inside `X`\n"
        "python/x.py add-async (asyncio)\n"
        "```\n",
    )
    assert built.returncode == 0, built.log
    html = built.html
    # one tab set, two synced tabs, Go first
    assert html.count('class="sd-tab-set') == 1
    go_at, py_at = html.index('data-sync-id="go"'), html.index('data-sync-id="python"')
    assert go_at < py_at
    assert 'data-sync-group="lang"' in html
    # the Go region in the Go tab, both Python regions (dedented) in the Python tab
    assert html.index("Add adds.") < py_at < html.index("Add, on the event loop.")
    assert "go/x.go" in html
    assert "python/x.py (inside <code" in html
    assert "python/x.py (asyncio)" in html
    assert "docs:start" not in html and "docs:end" not in html
    # dedented: the method's region starts at column 0
    assert '<pre><span></span><span class="k">def</span>' in html


def test_a_missing_marker_stops_the_build_naming_page_file_and_marker(tmp_path: Path) -> None:
    built = build(tmp_path, "```{listing} go/x.go python/x.py sub\n```\n")
    assert built.returncode != 0
    assert "index.md" in built.log
    assert "go/x.go" in built.log and "'sub'" in built.log


def test_a_marker_missing_in_one_language_names_that_file(tmp_path: Path) -> None:
    built = build(tmp_path, "```{listing} go/x.go python/x.py add-async\n```\n")
    assert built.returncode != 0
    assert "index.md" in built.log and "go/x.go" in built.log and "'add-async'" in built.log


def test_an_unknown_file_stops_the_build_naming_page_file_and_marker(tmp_path: Path) -> None:
    built = build(tmp_path, "```{listing} go/nope.go python/x.py add\n```\n")
    assert built.returncode != 0
    assert "index.md" in built.log and "go/nope.go" in built.log and "'add'" in built.log


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("```{listing} python/x.py go/x.go add\n```\n", "Go file comes first"),
        ("```{listing} go/x.go python/x.py\n```\n", "no marker for go/x.go"),
        ("```{listing} go/x.go python/x.py add\n:rust-note: no\n```\n", "rust-note"),
        ("```{listing} go/x.go python/x.py add\nnot-a-listing-line\n```\n", "content line"),
    ],
    ids=["order", "no-marker", "unknown-option", "bad-content"],
)
def test_a_malformed_listing_stops_the_build(tmp_path: Path, page: str, message: str) -> None:
    built = build(tmp_path, page)
    assert built.returncode != 0
    assert "index.md" in built.log and message in built.log, built.log
