"""The built site, read as files: self-contained, complete, and free of answers.

- no page, stylesheet or diagram loads anything from outside the site (no CDN, no
  web fonts, no MathJax from the internet);
- every chapter page links its notebooks, exercises and source folders, and the
  downloads it links hold what they claim (the notebooks as executed, the exercises);
- nothing from solutions/ reaches the site: no answer code, no hidden test.
"""

from __future__ import annotations

import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from book_site import ROOT, chapter_ids, page_anchors, site_pages

#: (tag, attribute) pairs whose URL the browser fetches as part of the page.
_RESOURCE_ATTRS = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("frame", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("image", "href"),
    ("image", "xlink:href"),
    ("use", "href"),
    ("use", "xlink:href"),
    ("input", "src"),
}
#: <link rel=...> values that are navigation metadata, not fetched resources.
_NAV_RELS = {
    "canonical",
    "alternate",
    "index",
    "search",
    "next",
    "prev",
    "author",
    "license",
    "help",
}
_CSS_URL = re.compile(
    r"""url\(\s*(['"]?)(?P<url>[^'")]*)\1\s*\)|@import\s+(['"])(?P<imp>[^'"]+)\3"""
)


def _external(url: str) -> bool:
    url = url.strip()
    return bool(re.match(r"^(https?:)?//", url, re.I))


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        rels = set((attrs_d.get("rel") or "").lower().split())
        for key, value in attrs:
            if not value or (tag, key) not in _RESOURCE_ATTRS:
                continue
            if tag == "link" and rels and rels <= _NAV_RELS:
                continue
            urls = (
                [part.strip().split()[0] for part in value.split(",") if part.strip()]
                if key == "srcset"
                else [value]
            )
            self.found += [f"<{tag} {key}={u!r}>" for u in urls if _external(u)]
        if attrs_d.get("style"):
            self.found += [
                f"<{tag} style=...{u}>" for u in _css_urls(attrs_d["style"]) if _external(u)
            ]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found += [f"<style> {u}" for u in _css_urls(data) if _external(u)]


def _css_urls(css: str) -> list[str]:
    return [m["url"] or m["imp"] for m in _CSS_URL.finditer(css)]


def test_no_page_loads_anything_from_outside_the_site(site: Path) -> None:
    problems = []
    files = 0
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            parser = _Resources()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            problems += [f"{rel}: {item}" for item in parser.found]
        elif path.suffix == ".css":
            problems += [
                f"{rel}: {u}" for u in _css_urls(path.read_text(errors="replace")) if _external(u)
            ]
        elif path.suffix == ".svg":
            text = path.read_text(encoding="utf-8", errors="replace")
            parser = _Resources()
            parser.feed(text)
            problems += [f"{rel}: {item}" for item in parser.found]
        else:
            continue
        files += 1
    assert files > 20, f"only {files} HTML/CSS/SVG files checked: is the site built?"
    assert not problems, "external resources in the built site:\n" + "\n".join(problems)


# -- chapters --------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(path: Path) -> list[str]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.hrefs


def _resolve(site: Path, page: str, href: str) -> tuple[Path, str] | None:
    """The file and fragment an internal href points to, None for an external one."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
        return None
    url = urlsplit(urljoin(f"http://site/{page}", href))
    path = url.path.lstrip("/") or "index.html"
    target = site / path
    if target.is_dir():
        target = target / "index.html"
    return target, url.fragment


CHAPTERS = chapter_ids()
#: Chapters with a page of their own in the book (book/chapters/CHAPTER.md).
WITH_PAGE = [c for c in CHAPTERS if (ROOT / "book" / "chapters" / f"{c}.md").is_file()]
WITH_NOTEBOOKS = [c for c in CHAPTERS if any((ROOT / "notebooks" / c).glob("*.ipynb"))]


def test_the_repository_has_chapters() -> None:
    assert "ch01-concurrency" in CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_links_its_notebooks_exercises_and_source(site: Path, chapter: str) -> None:
    page = f"chapters/{chapter}.html"
    path = site / page
    assert path.is_file(), (
        f"{chapter} has notebooks or exercises but no page in the book: add "
        f"book/chapters/{chapter}.md with a ```{{twinbook-chapter-links}} {chapter}``` block, "
        f"and {chapter}-exercises / {chapter}-code in its toctree (see chapters/ch01-concurrency.md)"
    )
    html = path.read_text(encoding="utf-8")
    assert "twinbook-chapter-links" in html, (
        f"{page}: the chapter page has no links card: add a ```{{twinbook-chapter-links}} "
        f"{chapter}``` block"
    )
    resolved_links = [r for href in _links(path) if (r := _resolve(site, page, href))]
    targets = {target.relative_to(site).as_posix() for target, _ in resolved_links}
    for nb in sorted((ROOT / "notebooks" / chapter).glob("*.ipynb")):
        assert f"notebooks/{chapter}/{nb.stem}.html" in targets, (
            f"{page} does not link notebook {nb.name}"
        )
    if any((ROOT / "notebooks" / chapter).glob("*.ipynb")):
        assert f"_downloads/{chapter}-notebooks.zip" in targets, (
            f"{page} does not link the notebooks zip"
        )
    if (ROOT / "exercises" / chapter).is_dir():
        assert f"chapters/{chapter}-exercises.html" in targets, (
            f"{page} does not link its exercises page"
        )
        assert f"_downloads/{chapter}-exercises.zip" in targets, (
            f"{page} does not link the exercises zip"
        )
    code = f"chapters/{chapter}-code.html"
    assert code in targets, f"{page} does not link its source folders ({code})"
    anchors = page_anchors(site / code)
    folders = [frag for target, frag in resolved_links if target == site / code and frag]
    assert folders, f"{page} links no source folder on {code}"
    for frag in folders:
        assert frag in anchors, f"{page} links {code}#{frag}, which does not exist"


@pytest.mark.parametrize("chapter", WITH_PAGE)
def test_chapter_page_has_previous_and_next_links(site: Path, chapter: str) -> None:
    html = (site / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
    footer = html[html.find('class="prev-next-area"') :]
    assert 'class="left-prev"' in footer and 'class="right-next"' in footer, (
        f"chapters/{chapter}.html has no previous/next links"
    )


@pytest.mark.parametrize("chapter", WITH_NOTEBOOKS)
def test_notebooks_zip_holds_the_notebooks_as_executed(site: Path, chapter: str) -> None:
    sources = sorted((ROOT / "notebooks" / chapter).glob("*.ipynb"))
    with zipfile.ZipFile(site / "_downloads" / f"{chapter}-notebooks.zip") as zf:
        names = sorted(zf.namelist())
        assert names == [f"notebooks/{chapter}/{nb.name}" for nb in sources]
        for nb in sources:
            executed = json.loads(zf.read(f"notebooks/{chapter}/{nb.name}"))
            original = json.loads(nb.read_text(encoding="utf-8"))
            code = [c for c in executed["cells"] if c["cell_type"] == "code"]
            orig_code = [c for c in original["cells"] if c["cell_type"] == "code"]
            assert ["".join(c["source"]) for c in code] == [
                "".join(c["source"]) for c in orig_code
            ], f"{nb.name}: the zipped notebook's code differs from notebooks/{chapter}/{nb.name}"
            assert any(c.get("outputs") for c in code), f"{nb.name}: zipped without outputs"
            assert all(c.get("execution_count") for c in code if c.get("outputs")), (
                f"{nb.name}: a cell with outputs has no execution count"
            )


@pytest.mark.parametrize("chapter", [c for c in CHAPTERS if (ROOT / "exercises" / c).is_dir()])
def test_exercises_downloads_are_the_exercises_folder(site: Path, chapter: str) -> None:
    source = ROOT / "exercises" / chapter
    expected = sorted(
        f"{chapter}/{p.relative_to(source).as_posix()}"
        for p in source.rglob("*")
        if p.is_file()
        and not {"__pycache__", ".ipynb_checkpoints"} & set(p.relative_to(source).parts)
    )
    with zipfile.ZipFile(site / "_downloads" / f"{chapter}-exercises.zip") as zf:
        names = sorted(n for n in zf.namelist() if n != "README.md")
        assert names == expected
        for name in names:
            assert zf.read(name) == (ROOT / "exercises" / name).read_bytes(), name
    for ex in sorted(p for p in source.iterdir() if (p / "exercise.toml").is_file()):
        assert (site / "_downloads" / "exercises" / chapter / f"{ex.name}.zip").is_file()


@pytest.mark.parametrize("chapter", [c for c in CHAPTERS if (ROOT / "exercises" / c).is_dir()])
def test_exercises_page_lists_each_task_with_folded_hints(site: Path, chapter: str) -> None:
    import tomllib

    page = site / "chapters" / f"{chapter}-exercises.html"
    assert page.is_file(), (
        f"no exercises page for {chapter}: add book/chapters/{chapter}-exercises.md"
    )
    html = page.read_text(encoding="utf-8")
    anchors = page_anchors(page)
    for toml in sorted((ROOT / "exercises" / chapter).glob("*/exercise.toml")):
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
        slug = toml.parent.name
        anchor = f"{chapter}-exercise-{slug}"
        assert anchor in anchors, f"{page.name}: no section #{anchor} for {data['id']}"
        section = html[html.index(f'id="{anchor}"') :]
        nxt = re.search(
            r'id="' + re.escape(chapter) + r"-exercise-(?!" + re.escape(slug) + ")", section
        )
        section = section[: nxt.start()] if nxt else section
        assert _text(data["title"]) in _text(section), f"{slug}: title missing"
        for lang, label in (("go", "Go"), ("python", "Python")):
            if lang in data:
                assert f'data-sync-id="{lang}"' in section, f"{slug}: no {label} tab"
        dropdowns = re.findall(r"<details[^>]*>", section)
        hints = [d for d in dropdowns if "twinbook-hint" in d]
        assert len(hints) == len(data["hints"]), (
            f"{slug}: {len(hints)} hint dropdowns for {len(data['hints'])} hints"
        )
        assert all(" open" not in d for d in hints), f"{slug}: a hint is unfolded"
        shown = _text(section).replace(" ", "")
        for hint in data["hints"]:
            start = "".join(_text(hint).split()[:8])
            assert start in shown, f"{slug}: hint not shown: {hint[:60]}"
        for lang in ("go", "python"):
            if lang not in data:
                continue
            task = _task_paragraph(toml.parent / data[lang]["notebook"])
            start = "".join(_text(re.sub(r"\*\*|`", "", task)).split()[:10])
            assert start in shown, f"{slug}: the {lang} task is not summarised: {task[:80]}"


def _task_paragraph(notebook: Path) -> str:
    """The task cell's '**What.**' / '**Your task.**' paragraph (or its first paragraph)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["metadata"].get("twinbook", {}).get("role") == "task")
    paragraphs = [p for p in "".join(cell["source"]).split("\n\n") if not p.startswith("#")]
    for p in paragraphs:
        if re.match(r"\*\*(What|Your task)\.?\*\*", p):
            return p
    return paragraphs[0]


def _text(html: str) -> str:
    """Visible text, whitespace collapsed, for loose comparisons."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&#8217;", "'").replace("&quot;", '"').replace("&amp;", "&")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("`", "")
    # Sphinx's smartquotes turn ' and " into typographic quotes.
    text = text.translate(
        str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
    )
    return " ".join(text.split())


# -- nothing from solutions/ ------------------------------------------------------


def _published_texts(site: Path) -> dict[str, str]:
    texts = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    texts[f"{rel}!{name}"] = zf.read(name).decode("utf-8", errors="replace")
        elif path.suffix in {
            ".html",
            ".js",
            ".txt",
            ".ipynb",
            ".py",
            ".go",
            ".toml",
            ".md",
            ".json",
        }:
            texts[rel] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def _secret_lines() -> dict[str, str]:
    """Distinctive lines that only solutions/ has: answer code and hidden test bodies."""
    # What learners and readers get anyway (the hints nearly give answers away, on purpose).
    public = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for top in ("exercises", "go", "python", "notebooks", "book")
        for path in (ROOT / top).rglob("*")
        if path.is_file() and path.suffix in {".py", ".go", ".ipynb", ".md", ".toml"}
    )
    public += "\n" + public.replace("\\t", "\t").replace('\\"', '"')
    secrets = {}
    for path in sorted((ROOT / "solutions").rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(ROOT).as_posix()
        if path.name in {"test_hidden.py", "hidden_test.go"}:
            lines = _norm_lines(path.read_text(encoding="utf-8"))
        elif path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            lines = []
            for cell in nb["cells"]:
                src = "".join(cell["source"])
                for region in re.findall(
                    r"(?:#|//) BEGIN SOLUTION\n(.*?)(?:#|//) END SOLUTION", src, re.S
                ):
                    lines += _norm_lines(region)
        else:
            continue
        for line in lines:
            if line not in public:
                secrets.setdefault(line, rel)
    return secrets


def _norm_lines(text: str) -> list[str]:
    out = []
    for line in text.replace("\\n", "\n").splitlines():
        line = line.strip().strip('",').strip()
        if len(line) >= 30 and not line.startswith(("#", "//", '"""')):
            out.append(line)
    return out


def test_nothing_from_solutions_is_published(site: Path) -> None:
    secrets = _secret_lines()
    assert len(secrets) > 50, f"only {len(secrets)} solution lines found: is solutions/ there?"
    texts = _published_texts(site)
    leaks = []
    for name, text in texts.items():
        for line, origin in secrets.items():
            if line in text:
                leaks.append(f"{name} contains a line of {origin}: {line}")
    assert not leaks, "solution content in the built site:\n" + "\n".join(leaks[:20])


def _hidden_test_names() -> set[str]:
    """Every test function of solutions/' hidden test files, read from the files."""
    names = set()
    for path in (ROOT / "solutions").rglob("test_hidden.py"):
        names |= set(re.findall(r"^(?:async )?def (test_hidden_\w+)\(", path.read_text(), re.M))
    for path in (ROOT / "solutions").rglob("hidden_test.go"):
        names |= set(re.findall(r"^func (TestHidden\w*)\(", path.read_text(), re.M))
    return names


def test_no_hidden_test_name_is_published(site: Path) -> None:
    """Pages, downloads and the zips' exercise.toml files: not one hidden test's name."""
    names = _hidden_test_names()
    assert len(names) >= 16, f"only {len(names)} hidden tests found: is solutions/ there?"
    texts = _published_texts(site)
    assert any(name.endswith("exercise.toml") and "!" in name for name in texts), (
        "the zips were read"
    )
    pattern = re.compile(r"\b(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b")
    found = sorted(
        {f"{name}: {hit}" for name, text in texts.items() for hit in pattern.findall(text)}
    )
    assert not found, "hidden test names in the built site:\n" + "\n".join(found[:20])


def test_internal_links_and_anchors_resolve(site: Path) -> None:
    """Every internal <a href> of every page names an existing file (and #id)."""
    broken = []
    anchors: dict[Path, set[str]] = {}
    pages = site_pages(site)
    assert "index.html" in pages and "search.html" in pages
    for page in pages:
        for href in _links(site / page):
            resolved = _resolve(site, page, href)
            if resolved is None:
                continue
            target, fragment = resolved
            if not target.is_file():
                broken.append(f"{page}: {href} (no such file)")
                continue
            if fragment and target.suffix == ".html":
                if target not in anchors:
                    anchors[target] = page_anchors(target)
                if fragment not in anchors[target]:
                    broken.append(f"{page}: {href} (no id {fragment!r})")
    assert not broken, "broken internal links:\n" + "\n".join(broken)
