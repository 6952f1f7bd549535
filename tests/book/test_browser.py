"""The book in a real browser: Debian's Chromium, driven by Playwright, on loopback.

- every page opens with no console error, no failed request and no request that
  leaves the site, and every internal link it shows (after its scripts ran) leads
  to an existing page and anchor;
- the language tabs: Python picked on one chapter is selected on the next page with
  tabs, and still after a reload (sphinx-design keeps it in localStorage);
- the search page finds chapter 1 by a word of chapter 1;
- copy buttons copy code without prompts, and notebook outputs have none;
- screenshots of the landing page, every chapter page and every appendix page, light
  and dark, land in build/screenshots/ (the test artifacts);
- at 1280 px, no code block of a chapter or appendix page scrolls sideways (in either
  language's tab), and every diagram's text (graphviz diagrams and benchmark plots alike)
  is drawn at 11 px or more, every diagram has alt text and opens full size on a click.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from book_site import SCREENSHOTS, page_anchors, site_pages

TIMEOUT_MS = 30_000  # generous: the machine is shared, nothing here is timed


def _watch(page, base: str, problems: list[str]) -> None:
    """Record console errors, page errors, failed requests and requests leaving the site."""
    origin = base.rstrip("/")

    def on_route(route):
        url = route.request.url
        if url.startswith(origin + "/") or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            problems.append(f"request outside the site: {route.request.method} {url}")
            route.abort()

    page.route("**/*", on_route)
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # net::ERR_ABORTED is the browser cancelling a request (the favicon of the page it is
    # leaving, when the next page opens): not a broken resource, which answers 4xx below
    page.on(
        "requestfailed",
        lambda r: (
            problems.append(f"request failed: {r.url} ({r.failure})")
            if "ERR_ABORTED" not in str(r.failure)
            else None
        ),
    )
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )


def _open(page, url: str) -> None:
    page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)


def test_every_page_opens_cleanly_and_its_links_resolve(
    browser, served_site: str, site: Path
) -> None:
    pages = site_pages(site)
    assert len(pages) >= 8, pages
    context = browser.new_context()
    problems: dict[str, list[str]] = {}
    links: dict[str, set[str]] = {}  # internal target URL (with fragment) -> pages showing it
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        current: list[str] = []
        _watch(page, served_site, current)
        for rel in pages:
            current.clear()
            _open(page, served_site + rel)
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            for href in hrefs:
                if href.startswith(served_site):
                    links.setdefault(href, set()).add(rel)
            if current:
                problems[rel] = list(current)
    finally:
        context.close()
    assert not problems, "pages with errors:\n" + "\n".join(
        f"{rel}:\n  " + "\n  ".join(items) for rel, items in problems.items()
    )

    broken = []
    anchors: dict[str, set[str]] = {}
    for href in sorted(links):
        url = urlsplit(href)
        path = unquote(url.path)
        target = site / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        try:
            with urllib.request.urlopen(f"{served_site.rstrip('/')}{url.path}", timeout=30) as resp:
                ok = resp.status == 200
        except urllib.error.HTTPError as exc:
            ok = False
            status = exc.code
        else:
            status = 200
        shown_on = ", ".join(sorted(links[href])[:3])
        if not ok:
            broken.append(f"{href} (HTTP {status}), linked from {shown_on}")
            continue
        if url.fragment and target.suffix == ".html":
            key = target.as_posix()
            if key not in anchors:
                anchors[key] = page_anchors(target)
            if unquote(url.fragment) not in anchors[key]:
                broken.append(
                    f"{href} (no element with id {url.fragment!r}), linked from {shown_on}"
                )
    assert len(links) > 20, f"only {len(links)} internal links found"
    assert not broken, "broken internal links or anchors:\n" + "\n".join(broken)


# -- language tabs ------------------------------------------------------------------

_SELECTED_LANGS = """() => Array.from(document.querySelectorAll('.sd-tab-set')).map(set => {
  const input = Array.from(set.querySelectorAll(':scope > input')).find(i => i.checked);
  const label = input && input.nextElementSibling;
  return label && label.getAttribute('data-sync-group') === 'lang' ? label.getAttribute('data-sync-id') : null;
}).filter(x => x !== null)"""


def _pages_with_lang_tabs(site: Path) -> list[str]:
    return [
        rel
        for rel in site_pages(site)
        if 'data-sync-group="lang"' in (site / rel).read_text(encoding="utf-8")
    ]


def test_language_choice_is_shared_across_pages_and_remembered(
    browser, served_site: str, site: Path
) -> None:
    with_tabs = _pages_with_lang_tabs(site)
    first = "chapters/ch01-concurrency.html"
    assert first in with_tabs, "chapter 1 has no Go/Python tabs"
    # Prefer another chapter; until there is one, another page with language tabs.
    others = [p for p in with_tabs if p != first]
    chapters = [
        p
        for p in others
        if re.fullmatch(r"chapters/ch\d\d-[a-z0-9-]+\.html", p)
        and not p.endswith(("-exercises.html", "-code.html"))
    ]
    assert others, "no second page with Go/Python tabs"
    second = (chapters or others)[0]

    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        problems: list[str] = []
        _watch(page, served_site, problems)
        _open(page, served_site + first)
        before = page.evaluate(_SELECTED_LANGS)
        assert before and set(before) == {"go"}, f"Go is not the default on a first visit: {before}"

        page.locator('label.sd-tab-label[data-sync-id="python"]').first.click()
        here = page.evaluate(_SELECTED_LANGS)
        assert set(here) == {"python"}, f"one click did not switch every listing of {first}: {here}"
        python_panel = page.locator(
            'label.sd-tab-label[data-sync-id="python"] + .sd-tab-content'
        ).first
        assert python_panel.is_visible()

        _open(page, served_site + second)
        there = page.evaluate(_SELECTED_LANGS)
        assert there and set(there) == {"python"}, f"{second} did not open on Python: {there}"

        page.reload(wait_until="load")
        again = page.evaluate(_SELECTED_LANGS)
        assert set(again) == {"python"}, f"{second} forgot Python after a reload: {again}"
        assert not problems, problems
    finally:
        context.close()

    fresh = browser.new_context()  # a new visitor: nothing remembered
    try:
        page = fresh.new_page()
        _open(page, served_site + second)
        assert set(page.evaluate(_SELECTED_LANGS)) == {"go"}
    finally:
        fresh.close()


# -- search ---------------------------------------------------------------------------


def test_search_finds_chapter_1(browser, served_site: str, site: Path) -> None:
    chapter = (site / "chapters" / "ch01-concurrency.html").read_text(encoding="utf-8")
    assert "backpressure" in chapter.lower()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        problems: list[str] = []
        _watch(page, served_site, problems)
        _open(page, served_site + "search.html?q=backpressure")
        # Sphinx's search shows its results one by one, then says it is done.
        page.wait_for_function(
            "() => /Search finished/.test("
            "document.querySelector('#search-results .search-summary')?.textContent || '')",
            timeout=TIMEOUT_MS,
        )
        hrefs = page.eval_on_selector_all(
            "#search-results ul.search li a", "e => e.map(a => a.href)"
        )
        found = [urlsplit(h).path for h in hrefs]
        assert "/chapters/ch01-concurrency.html" in found, (
            f"chapter 1 not among the results: {found}"
        )
        assert not problems, problems
    finally:
        context.close()


# -- copy buttons ----------------------------------------------------------------------


def test_copy_buttons_skip_prompts_and_outputs(browser, served_site: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        _open(page, served_site + "how-to-use.html")
        block = page.locator("div.highlight-console pre", has_text="$ make setup").first
        block.hover()
        page.wait_for_function("() => document.querySelectorAll('button.copybtn').length > 0")
        block.locator("xpath=following-sibling::button[contains(@class,'copybtn')]").click()
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied.strip() == "make setup", repr(copied)

        _open(page, served_site + "notebooks/ch01-concurrency/concurrency_python.html")
        page.wait_for_function("() => document.querySelectorAll('button.copybtn').length > 0")
        inputs = page.locator(".cell_input button.copybtn").count()
        outputs = page.locator(".cell_output button.copybtn").count()
        assert inputs > 0 and outputs == 0, (inputs, outputs)
    finally:
        context.close()


# -- screenshots ----------------------------------------------------------------------


def _chapter_pages(site: Path) -> list[str]:
    return [
        rel
        for rel in site_pages(site)
        if rel.startswith("chapters/")
        and "twinbook-chapter-links" in (site / rel).read_text(encoding="utf-8")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(browser, served_site: str, site: Path, scheme: str) -> None:
    chapters = _chapter_pages(site)
    assert "chapters/ch01-concurrency.html" in chapters
    appendix = [rel for rel in site_pages(site) if rel.startswith("appendix/")]
    assert appendix, "no appendix pages"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        problems: list[str] = []
        _watch(page, served_site, problems)
        shots = []
        for rel in ["index.html", *chapters, *appendix]:
            _open(page, served_site + rel)
            theme = page.evaluate("() => document.documentElement.dataset.theme")
            assert theme == scheme, (
                f"{rel}: the page is in {theme} mode, the browser asked for {scheme}"
            )
            name = "landing" if rel == "index.html" else Path(rel).stem
            if rel in appendix:
                name = f"appendix-{name}"
            out = SCREENSHOTS / f"{name}-{scheme}.png"
            page.screenshot(path=str(out))
            shots.append(out)
            if rel in chapters:
                # The first Go/Python listing, the heart of every chapter.
                tabs = page.locator(".sd-tab-set").filter(has=page.locator("div.highlight")).first
                tabs.scroll_into_view_if_needed()
                out = SCREENSHOTS / f"{name}-listing-{scheme}.png"
                tabs.screenshot(path=str(out))
                shots.append(out)
        for out in shots:
            assert out.stat().st_size > 10_000, f"{out} looks empty"
        assert not problems, problems
    finally:
        context.close()


# -- fit at 1280 px --------------------------------------------------------------------

#: The width the book is checked at: a common laptop window.
WIDTH = 1280
#: The smallest diagram text a reader can be asked to read, in CSS pixels as drawn.
MIN_DIAGRAM_TEXT_PX = 11

#: Every visible code block: a ``pre`` whose content is wider than its box scrolls sideways,
#: and a ``pre`` whose box reaches past the window or past an ancestor that clips (a column
#: grown wider than the window) is cut off. A captioned listing must keep ``white-space:
#: pre`` (it fits; it never wraps), so the check cannot be passed by wrapping the listings.
_WIDE_PRE = """() => Array.from(document.querySelectorAll('article pre'))
  .filter(pre => pre.clientWidth > 0)
  .map(pre => {
    let visible = document.documentElement.clientWidth;
    for (let el = pre.parentElement; el && el !== document.body; el = el.parentElement) {
      if (getComputedStyle(el).overflowX !== 'visible') {
        visible = Math.min(visible, el.getBoundingClientRect().right);
      }
    }
    return {pre, cut: Math.round(pre.getBoundingClientRect().right - visible)};
  })
  .map(({pre, cut}) => ({
    wide: pre.scrollWidth > pre.clientWidth || cut > 1,
    cut,
    listing: pre.closest('.sd-tab-content .literal-block-wrapper') !== null,
    wrap: getComputedStyle(pre).whiteSpace,
    by: pre.scrollWidth - pre.clientWidth,
    caption: pre.closest('.literal-block-wrapper')
      ?.querySelector('.caption-text')?.textContent || '',
    line: pre.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), ''),
  }))"""

#: Every diagram (graphviz's, and the plots of ``twinbook-bench-plot``): how it is shown
#: (an ``img`` with its alt text, inside a link to the SVG file, opens full size on a click)
#: and its texts, each with the size it is drawn at: its font size in the SVG's units times
#: how much the image is scaled to fit its box.
#: An ``<object>`` (Sphinx's default) or an inline SVG fails: no alt text, no link.
_DIAGRAMS = """async () => Promise.all(Array.from(document.querySelectorAll('article .twinbook-diagram'))
  .map(async (box, index) => {
    const img = box.querySelector('img');
    const link = img ? img.closest('a') : null;
    const found = {
      index,
      shown_as: img ? 'img' : (box.querySelector('object, svg')?.tagName.toLowerCase() || 'none'),
      alt: img ? (img.getAttribute('alt') || '') : '',
      link: link ? link.href : null,
      target: link ? link.target : null,
      src: img ? img.src : null,
      texts: null,
    };
    if (!img) return found;
    const source = await (await fetch(img.src)).text();
    const svg = new DOMParser().parseFromString(source, 'image/svg+xml').documentElement;
    const box_ = (svg.getAttribute('viewBox') || '').split(/[\\s,]+/).map(Number);
    const units = box_.length === 4 ? box_[2] : parseFloat(svg.getAttribute('width'));
    const scale = img.getBoundingClientRect().width / units;
    found.natural = units;
    found.texts = Array.from(svg.querySelectorAll('text')).map(t => {
      const sized = t.closest('[font-size]');
      const size = sized ? parseFloat(sized.getAttribute('font-size')) : 14;  // dot's default
      return {text: t.textContent.trim(), px: size * scale};
    });
    return found;
  }))"""


def _fit_pages(site: Path) -> list[str]:
    """The pages checked at 1280 px: every page with content (chapters, their code and
    exercises pages, the notebooks, the appendix, the instructors' pages, the landing page)."""
    return [rel for rel in site_pages(site) if rel not in ("search.html", "genindex.html")]


def _opened_at_width(browser, served_site: str, pages: list[str]):
    """Open each page of ``pages`` in turn in one window WIDTH x 900 px; yield (page path,
    the playwright page showing it). The window closes when the loop ends or fails."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        for rel in pages:
            _open(page, served_site + rel)
            yield rel, page
    finally:
        context.close()


def test_no_code_block_scrolls_sideways_at_1280px(browser, served_site: str, site: Path) -> None:
    pages = _fit_pages(site)
    assert any(p.startswith("appendix/") for p in pages), pages
    wide: list[str] = []
    listings = 0
    for rel, page in _opened_at_width(browser, served_site, pages):
        for language in ("go", "python"):
            label = page.locator(f'label.sd-tab-label[data-sync-id="{language}"]')
            if label.count():
                label.first.click()
                shown = f"{language} tab"
            elif language == "go":
                shown = "no language tabs"
            else:
                continue  # no tabs: the page was measured once, as it opened
            for pre in page.evaluate(_WIDE_PRE):
                where = f"{rel} ({shown}) {pre['caption'] or 'code block'}"
                if pre["listing"]:
                    listings += 1
                    if pre["wrap"] != "pre":
                        wide.append(f"{where}: a listing wraps ({pre['wrap']})")
                if pre["cut"] > 1:
                    wide.append(f"{where}: cut off by {pre['cut']}px: {pre['line'][:120]!r}")
                elif pre["wide"]:
                    wide.append(f"{where}: {pre['by']}px too wide: {pre['line'][:120]!r}")
    assert listings > 40, f"only {listings} listings measured: are the tabs still there?"
    assert not wide, f"code wider than the column at {WIDTH}px:\n" + "\n".join(wide)


def test_diagrams_are_readable_described_and_open_full_size_at_1280px(
    browser, served_site: str, site: Path
) -> None:
    pages = [
        rel for rel in _fit_pages(site) if "twinbook-diagram" in (site / rel).read_text("utf-8")
    ]
    assert pages, "no page with a diagram"
    small: list[str] = []
    diagrams = 0
    for rel, page in _opened_at_width(browser, served_site, pages):
        for diagram in page.evaluate(_DIAGRAMS):
            where = f"{rel}, diagram {diagram['index'] + 1}"
            if diagram["shown_as"] != "img":
                small.append(
                    f"{where}: shown as <{diagram['shown_as']}>, not an image with alt text"
                )
                continue
            diagrams += 1
            alt = diagram["alt"].strip()
            if len(alt.split()) < 5 or alt.startswith(("digraph", "graph")):
                small.append(f"{where}: no alt text that says what it shows ({alt[:40]!r})")
            if diagram["link"] != diagram["src"] or diagram["target"] != "_blank":
                small.append(f"{where}: a click does not open the SVG full size in a new tab")
            if not diagram["texts"]:
                small.append(f"{where}: no text found")
                continue
            tiny = [t for t in diagram["texts"] if t["px"] < MIN_DIAGRAM_TEXT_PX]
            if tiny:
                worst = min(tiny, key=lambda t: t["px"])
                small.append(
                    f"{where}: {len(tiny)} labels under {MIN_DIAGRAM_TEXT_PX}px, "
                    f"smallest {worst['px']:.1f}px ({worst['text']!r}); make the graph "
                    "narrower (rankdir, shorter labels, ranksep) or its fonts larger"
                )
    assert diagrams >= 5, f"only {diagrams} diagrams measured"
    assert not small, f"diagrams at {WIDTH}px:\n" + "\n".join(small)


def test_a_click_on_a_diagram_opens_it_full_size(browser, served_site: str) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        _open(page, served_site + "chapters/ch02-circuit-breaker.html")
        image = page.locator("article div.graphviz img").nth(1)  # the state machine
        image.scroll_into_view_if_needed()
        shown = image.bounding_box()["width"]
        with context.expect_page() as opened:
            image.click()
        full = opened.value
        full.wait_for_load_state("load")
        assert full.url.endswith(".svg"), full.url
        drawn = full.evaluate("() => document.documentElement.getBoundingClientRect().width")
        assert drawn > shown, f"full size ({drawn}px) is no bigger than the page's ({shown}px)"
    finally:
        context.close()


#: Every place where a table cell's text or an "On this page" entry goes on to a new line in
#: the middle of a word (a letter or digit on both sides of the break). Each character's
#: line is read from its box; a break after ". _ / ( ," or at a space is where it belongs.
_MID_WORD_BREAKS = """() => {
  const word = /[A-Za-z0-9]/;
  const found = [];
  const boxes = document.querySelectorAll(
    'article table td, article table th, .bd-sidebar-secondary .toc-entry a');
  for (const box of boxes) {
    if (box.getClientRects().length === 0) continue;  // hidden (another tab, collapsed)
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let previous = null;  // {ch, top, bottom} of the last character laid out
    let block = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const here = node.parentElement.closest('p, li, td, th, a, div');
      if (here !== block) previous = null;  // a new paragraph starts a new line anyway
      block = here;
      for (let i = 0; i < node.data.length; i++) {
        if (/\\s/.test(node.data[i])) {  // a space at a line's end has no box of its own
          if (previous) previous = {...previous, ch: ' '};
          continue;
        }
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect || rect.width === 0) continue;
        const ch = node.data[i];
        if (previous && rect.top >= previous.bottom - 1
            && word.test(previous.ch) && word.test(ch)) {
          const text = box.textContent.replace(/\\s+/g, ' ').trim();
          found.push(`${text.slice(0, 80)} (between ${previous.ch} and ${ch})`);
        }
        previous = {ch, top: rect.top, bottom: rect.bottom};
      }
    }
  }
  return found;
}"""


#: Tables wider than the column (their wrapper scrolls sideways), with the first words.
_WIDE_TABLES = """() => Array.from(document.querySelectorAll('article table'))
  .filter(t => t.clientWidth > 0 && t.parentElement.scrollWidth > t.parentElement.clientWidth)
  .map(t => [t.parentElement.scrollWidth - t.parentElement.clientWidth,
             t.textContent.replace(/\\s+/g, ' ').trim().slice(0, 60)])"""


def test_tables_fit_and_names_break_whole_at_1280px(browser, served_site: str, site: Path) -> None:
    # Tables and "On this page" hold identifiers (Permission.Complete, max_wait.json,
    # fallback(retry(...))): they may wrap after a dot or an underscore, never inside a word,
    # and no table is wider than the column.
    pages = _fit_pages(site)
    broken: list[str] = []
    tables = 0
    for rel, page in _opened_at_width(browser, served_site, pages):
        tables += page.locator("article table").count()
        broken += [f"{rel}: {where}" for where in page.evaluate(_MID_WORD_BREAKS)]
        broken += [
            f"{rel}: a table {by}px wider than the column: {head!r}"
            for by, head in page.evaluate(_WIDE_TABLES)
        ]
    assert tables >= 10, f"only {tables} tables measured"
    assert not broken, f"words broken across lines at {WIDTH}px:\n" + "\n".join(broken)
