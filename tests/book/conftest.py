"""Fixtures for the book's tests: the built site, served on loopback, and a browser.

The site is built once per test session with the same command as ``make book``
(``sphinx-build -W --keep-going``) into ``build/book-test/html``. Building is the
default, not an option: Sphinx rebuilds only what changed since the last build
(sources, included code, exercise files, config, this project's extension), and
the notebooks come from the shared jupyter cache in ``build/.jupyter_cache``, so
a build with nothing to do takes a few seconds. Under pytest-xdist every worker
that needs the site asks for it; a file lock makes them build one at a time, and
all but the first find nothing left to do.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from book_site import CHROMIUM, CHROMIUM_ARGS, build_site


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site's folder (``build/book-test/html``), up to date."""
    return build_site()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        pass


@pytest.fixture(scope="session")
def served_site(site: Path) -> Iterator[str]:
    """The site served by http.server on a free loopback port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="book-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, headless, with a fresh temporary profile."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed ({CHROMIUM} is missing): run `make setup`, which "
            "installs Debian's chromium package (Playwright's own browser download is not used)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # launch() gives every run a new temporary user-data-dir, removed on close.
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
