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
import inspect
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from book_site import CHROMIUM, CHROMIUM_ARGS, STUDENT_HTML, build_site

# The first test of a worker to ask for a site pays for its build (on a fresh clone Sphinx
# executes every notebook: about two minutes on an idle 2-core machine, over five on a busy
# one) or waits on the build lock while another worker builds; the 300 s that bound one
# test would then fail every book test of the run at once. Those tests get this instead.
BUILD_BUDGET = 1200


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        wants = set(getattr(item, "fixturenames", ()))
        if wants & {"site", "student_site"} and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(BUILD_BUDGET))


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site's folder (``build/book-test/html``), up to date."""
    return build_site()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A browser drops connections at will (a navigation cancels a load): not an error.

        socketserver would print the traceback to the worker's stderr from a request
        thread, outside any test's capture, into the middle of pytest's progress line.
        A request the page needed and did not get fails the test (``requestfailed``).
        """
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def student_site() -> Path:
    """The student edition's book (``-t student``, ``build/book-test/html-student``), up to
    date."""
    return build_site(STUDENT_HTML, tags=("student",))


@pytest.fixture(scope="session")
def served_site(site: Path) -> Iterator[str]:
    """The site served by http.server on a free loopback port; yields its base URL."""
    yield from _serve(site)


@pytest.fixture(scope="session")
def served_student_site(student_site: Path) -> Iterator[str]:
    """The student edition's book, served like ``served_site``; yields its base URL."""
    yield from _serve(student_site)


def _serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on a free loopback port until the generator is closed."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def playwright_thread() -> Iterator[ThreadPoolExecutor]:
    """The one thread on which Playwright runs, and with it the bodies of the browser tests.

    Playwright's sync API drives an asyncio loop from a greenlet and, between calls, marks
    that loop as running on the thread that uses it (the dispatcher resumes the loop on
    every call). On the worker's main thread, every later ``asyncio.run()`` in the same
    worker would fail with "cannot be called from a running event loop" for as long as
    Playwright is open. On a thread of its own, the loop lives and dies with that thread.
    Playwright's objects belong to the thread that made them, so the tests that use
    ``browser`` run there too (``pytest_pyfunc_call`` below); fixtures and the reporting
    stay on the main thread.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright") as pool:
        yield pool


@pytest.fixture(scope="module")
def browser(playwright_thread: ThreadPoolExecutor):
    """Debian's Chromium driven by Playwright, headless, with a fresh temporary profile."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed ({CHROMIUM} is missing): run `make setup`, which "
            "installs Debian's chromium package (Playwright's own browser download is not used)",
            pytrace=False,
        )

    def start():
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        try:
            # launch() gives every run a new temporary user-data-dir, removed on close.
            return pw, pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except BaseException:
            pw.stop()
            raise

    def stop(pw, browser) -> None:
        try:
            browser.close()
        finally:
            pw.stop()

    pw, browser = playwright_thread.submit(start).result()
    try:
        yield browser
    finally:
        playwright_thread.submit(stop, pw, browser).result()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """A test using ``browser`` runs on the Playwright thread (see ``playwright_thread``)."""
    if "browser" not in pyfuncitem.fixturenames:
        return None
    test = pyfuncitem.obj
    args = {name: pyfuncitem.funcargs[name] for name in inspect.signature(test).parameters}
    pyfuncitem.funcargs["playwright_thread"].submit(test, **args).result()
    return True
