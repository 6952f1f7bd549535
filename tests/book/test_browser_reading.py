"""The book read in order, in Chromium: where "next" leads, and the book opened from disk.

- a reader who follows "next" from the landing page goes through *How to use this workbook*
  to chapter 1, then every chapter; the instructors' pages come after the chapters;
- the student edition's book (``-t student``) has no instructors' page and no link to one,
  and its "next" chain goes from the introduction through the chapters just the same;
- a copy opened from disk (``file://``) searches without a console error (browsers refuse
  the fetches Sphinx's search makes for its snippets from a ``file://`` page).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from book_site import site_pages
from test_browser import TIMEOUT_MS, _open, _watch

_CHAPTER = re.compile(r"chapters/ch\d\d-[a-z0-9-]+\.html")
_CHAPTER_MAIN = re.compile(r"chapters/ch\d\d-[a-z0-9-]+(?<!-code)(?<!-exercises)\.html")


def _next_chain(browser, base: str) -> list[str]:
    """The pages a reader sees by clicking "next" from the landing page, in order."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    chain: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        problems: list[str] = []
        _watch(page, base, problems)
        _open(page, base + "index.html")
        chain.append("index.html")
        while page.locator("a.right-next").count():
            # Opened as a click would, then left to settle (a click followed at once by the
            # next one cuts off the page's own loads).
            _open(page, page.locator("a.right-next").first.evaluate("a => a.href"))
            rel = urlsplit(page.url).path.lstrip("/")
            assert rel not in chain, f"'next' goes round in a circle: {chain + [rel]}"
            chain.append(rel)
        assert not problems, problems
    finally:
        context.close()
    return chain


def _sidebar_captions(browser, base: str) -> list[str]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        _open(page, base + "index.html")
        return [
            t.strip()
            for t in page.eval_on_selector_all(
                ".bd-sidebar-primary p.caption", "els => els.map(e => e.textContent)"
            )
        ]
    finally:
        context.close()


def test_next_leads_from_the_introduction_through_the_chapters(
    browser, served_site: str, site: Path
) -> None:
    chain = _next_chain(browser, served_site)
    assert chain[:3] == ["index.html", "how-to-use.html", "chapters/ch01-concurrency.html"], (
        f"'next' from the introduction should lead to chapter 1: {chain[:4]}"
    )
    chapters = [i for i, rel in enumerate(chain) if _CHAPTER.fullmatch(rel)]
    instructors = [i for i, rel in enumerate(chain) if rel.startswith("instructors/")]
    expected = {rel for rel in site_pages(site) if _CHAPTER_MAIN.fullmatch(rel)}
    assert expected <= set(chain), f"chapters 'next' never reaches: {expected - set(chain)}"
    assert instructors, f"the instructors' pages are not in the reading order: {chain}"
    assert max(chapters) < min(instructors), f"an instructors' page comes before a chapter: {chain}"
    captions = _sidebar_captions(browser, served_site)
    assert captions.index("Chapters") < captions.index("For instructors"), captions
    assert captions[-1] == "For instructors", captions


def test_student_book_has_only_what_students_need(
    browser, served_student_site: str, student_site: Path
) -> None:
    pages = site_pages(student_site)
    assert not [p for p in pages if p.startswith("instructors/")], pages
    linking = [
        rel for rel in pages if "instructors/" in (student_site / rel).read_text(encoding="utf-8")
    ]
    assert not linking, f"pages of the student book that link the instructors' pages: {linking}"
    assert "For instructors" not in _sidebar_captions(browser, served_student_site)
    chain = _next_chain(browser, served_student_site)
    assert chain[:3] == ["index.html", "how-to-use.html", "chapters/ch01-concurrency.html"], chain
    for rel in ("index.html", "how-to-use.html"):
        text = re.sub(r"<[^>]+>", "", (student_site / rel).read_text(encoding="utf-8"))
        text = " ".join(text.split())
        assert "github.io" not in text and "make book" not in text, (
            f"the student book's {rel} speaks of the maintainers' repository"
        )


def test_search_from_a_file_copy_works_without_errors(browser, site: Path) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "search.html").as_uri() + "?q=backpressure", wait_until="load")
        page.wait_for_function(
            "() => /Search finished/.test("
            "document.querySelector('#search-results .search-summary')?.textContent || '')",
            timeout=TIMEOUT_MS,
        )
        page.wait_for_timeout(500)  # the snippet fetches, when made, fail right after
        found = page.eval_on_selector_all(
            "#search-results ul.search li a", "e => e.map(a => a.getAttribute('href'))"
        )
        assert any("ch01-concurrency.html" in h for h in found), found
        assert not errors, "search from file:// logs errors:\n" + "\n".join(errors[:4])
    finally:
        context.close()
