"""Shared helpers of the book's tests: where the site is built, how, and what is in it."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
# The book's Sphinx-free helpers (twinbook_pages, twinbook_markers, twinbook_chapters): the
# tests read the pages, the markers and the chapter list with the build's own parsers.
if str(BOOK / "_ext") not in sys.path:
    sys.path.insert(0, str(BOOK / "_ext"))
BUILD = ROOT / "build" / "book-test"
HTML = BUILD / "html"
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: GoNB's log lines (glog format) drown Sphinx's own messages; keep them out of reports.
_GONB_LOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ .*$|^\[IPKernelApp\].*$", re.M)


#: The student edition's book: built with ``-t student`` (book/conf.py says what it leaves out).
STUDENT_HTML = BUILD / "html-student"


def build_site(outdir: Path = HTML, tags: tuple[str, ...] = ()) -> Path:
    """Build the book into ``outdir`` (incrementally) with Sphinx ``tags`` (``-t``), failing
    the test on any warning."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = outdir.parent / ".build.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            start = time.monotonic()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "sphinx",
                    "-W",
                    "--keep-going",
                    "-q",
                    *(arg for tag in tags for arg in ("-t", tag)),
                    "-b",
                    "html",
                    str(BOOK),
                    str(outdir),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            if proc.returncode != 0:
                log = _GONB_LOG.sub("", proc.stdout + proc.stderr)
                log = re.sub(r"\n{2,}", "\n", log).strip()
                pytest.fail(
                    f"the book does not build (sphinx-build -W, exit {proc.returncode}, "
                    f"{time.monotonic() - start:.0f}s):\n{log[-6000:]}",
                    pytrace=False,
                )
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return outdir


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as paths relative to its root (no theme internals)."""
    skip = {"_static", "_sources", "_downloads", "_images"}
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not skip.intersection(p.relative_to(site).parts)
    )


def chapter_ids() -> list[str]:
    """Chapters that exist in the repository: a ``chNN-*`` folder in notebooks/ or exercises/."""
    found = set()
    for top in ("notebooks", "exercises"):
        for d in (ROOT / top).glob("ch[0-9][0-9]-*"):
            if d.is_dir():
                found.add(d.name)
    return sorted(found)


class Anchors(HTMLParser):
    """The ids (and <a name>s) of an HTML page: the targets of its #fragments."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if value and (key == "id" or (key == "name" and tag == "a")):
                self.ids.add(value)


def page_anchors(path: Path) -> set[str]:
    parser = Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.ids
