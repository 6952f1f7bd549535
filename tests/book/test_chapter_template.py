"""Every chapter of the book has every part the chapter template asks for, wired in.

The chapters and their listed parts come from ``book/chapters.toml`` (the one list, shown
on book/appendix/chapter-template.md); the other parts are found by convention from the
chapter's id. A chapter added to the book's table of contents, or a ``chNN-*`` folder added
to notebooks/, exercises/ or solutions/, without a row in the list fails here, and so does a
row whose parts are missing.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from book_site import BOOK, ROOT
from twinbook_chapters import Chapter, load_chapters
from twinbook_pages import Directive, parse_directives

from twinbook.exercises.model import CHAPTER_HELPERS

CHAPTERS = load_chapters()
MIN_EXERCISES = 4
#: The kernel each teaching notebook of a chapter runs on, by the file name's ending.
KERNELS = {"_go.ipynb": "gonb", "_python.ipynb": "python3"}


def _toctree(page: Path, caption: str | None = None) -> list[str]:
    """The entries of the page's toctree(s), optionally only the one with this caption."""
    trees: list[Directive] = [
        d
        for d in parse_directives(page)
        if d.name == "toctree" and (caption is None or d.options.get("caption") == caption)
    ]
    return [entry for tree in trees for entry in tree.content]


def chapter_param() -> list[Any]:
    return [pytest.param(ch, id=ch.id) for ch in CHAPTERS.values()]


def test_the_book_the_list_and_the_folders_name_the_same_chapters() -> None:
    in_toc = [
        entry.removeprefix("chapters/")
        for entry in _toctree(BOOK / "index.md", "Chapters")
        if entry.startswith("chapters/")
    ]
    assert in_toc == list(CHAPTERS), (
        "book/index.md's Chapters table of contents and book/chapters.toml must list the same "
        f"chapters in the same order: {in_toc} vs {list(CHAPTERS)}"
    )
    folders = {
        d.name
        for top in ("notebooks", "exercises", "solutions")
        for d in (ROOT / top).glob("ch[0-9][0-9]-*")
        if d.is_dir()
    }
    assert folders <= CHAPTERS.keys(), (
        f"chapter folders without a row in book/chapters.toml: {sorted(folders - CHAPTERS.keys())}"
    )
    numbers = [ch.number for ch in CHAPTERS.values()]
    assert numbers == list(range(1, len(numbers) + 1)), f"chapter numbers: {numbers}"


@pytest.mark.parametrize("ch", chapter_param())
def test_go_and_python_packages(ch: Chapter) -> None:
    assert ch.go and ch.python and ch.tests, f"{ch.id}: go, python and tests must be listed"
    for folder in ch.go:
        code = [f for f in (ROOT / folder).glob("*.go") if not f.name.endswith("_test.go")]
        assert code, f"{ch.id}: {folder} has no Go code"
    assert (ROOT / ch.go[0] / "doc.go").is_file(), f"{ch.id}: {ch.go[0]}/doc.go is missing"
    assert list((ROOT / ch.go[0]).glob("*_test.go")), f"{ch.id}: {ch.go[0]} has no Go tests"
    for folder in ch.python:
        assert (ROOT / folder / "__init__.py").is_file(), f"{ch.id}: {folder} is no package"
        assert len(list((ROOT / folder).glob("*.py"))) > 1, f"{ch.id}: {folder} has no code"
    for folder in ch.tests:
        assert list((ROOT / folder).glob("test_*.py")), f"{ch.id}: {folder} has no tests"


@pytest.mark.parametrize("ch", chapter_param())
def test_spec_page_and_vectors(ch: Chapter) -> None:
    """The chapter's contract: a spec page in the appendix and its vectors. A chapter whose
    contract is not written yet says so, with the reason, in its ``no_spec`` (shown on the
    chapter template's table); it may not claim a spec page or vectors at the same time."""
    if not ch.spec:
        assert ch.no_spec.strip(), (
            f"{ch.id}: no spec page: name it in `spec` (book/appendix/SPEC.md) with its "
            "`vectors`, or say in `no_spec` why the contract is not written yet"
        )
        assert not ch.vectors, f"{ch.id}: vectors without a spec page"
        return
    assert not ch.no_spec, f"{ch.id}: has a spec page; drop its no_spec"
    page = BOOK / "appendix" / f"{ch.spec}.md"
    assert page.is_file(), f"{ch.id}: spec page {page.relative_to(ROOT)} is missing"
    assert ch.spec in _toctree(BOOK / "appendix" / "index.md"), (
        f"{ch.id}: {ch.spec} is not in the appendix's table of contents"
    )
    vectors = ROOT / ch.vectors
    assert vectors.parent == ROOT / "tests" / "vectors", f"{ch.id}: vectors under tests/vectors/"
    files = sorted(vectors.glob("*.json"))
    assert files, f"{ch.id}: no vector files in {ch.vectors}"
    # A folder holds one concept named after it, or the concepts its spec page's vector
    # format shows (`{"concept": "..."`): chapter 4's avro/ holds avro_resolution and
    # registry_compatibility, the two halves of one contract.
    text = page.read_text(encoding="utf-8")
    concepts = {vectors.name, *re.findall(r'\{"concept": "([a-z_]+)"', text)}
    for f in files:
        data = json.loads(f.read_text(encoding="utf-8"))
        assert data.get("concept") in concepts and data.get("cases"), (
            f"{f}: concept {data.get('concept')!r} (one of {sorted(concepts)}) or cases"
        )
    assert ch.vectors in text, (
        f"{ch.id}: the spec page does not say where its vectors live ({ch.vectors})"
    )


@pytest.mark.parametrize("ch", chapter_param())
def test_teaching_notebooks_on_both_kernels(ch: Chapter) -> None:
    folder = ROOT / "notebooks" / ch.id
    for ending, kernel in KERNELS.items():
        notebooks = sorted(folder.glob(f"*{ending}"))
        assert notebooks, f"{ch.id}: no notebooks/{ch.id}/*{ending}"
        for nb in notebooks:
            spec = json.loads(nb.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
            assert spec["name"] == kernel, f"{nb}: kernel {spec['name']!r}, want {kernel!r}"


@pytest.mark.parametrize("ch", chapter_param())
def test_at_least_four_exercises_in_both_languages(ch: Chapter) -> None:
    solutions = sorted(
        d
        for d in (ROOT / "solutions" / ch.id).glob("*")
        if d.is_dir() and re.fullmatch(r"[0-9]{2}-[a-z0-9-]+", d.name)
    )
    assert len(solutions) >= MIN_EXERCISES, (
        f"{ch.id}: {len(solutions)} exercises in solutions/{ch.id}, want >= {MIN_EXERCISES}"
    )
    for d in solutions:
        assert (d / "exercise.toml").is_file(), f"{d}: no exercise.toml"
        for language in ("go", "python"):
            assert list((d / language).glob("*.ipynb")), f"{d}/{language}: no notebook"
        learner = ROOT / "exercises" / ch.id / d.name
        assert (learner / "exercise.toml").is_file(), (
            f"{ch.id}: exercises/{ch.id}/{d.name} is missing (run `make exercises`)"
        )


@pytest.mark.parametrize("ch", chapter_param())
def test_chapter_exercises_and_code_pages(ch: Chapter) -> None:
    pages = BOOK / "chapters"
    page = pages / f"{ch.id}.md"
    assert page.is_file(), f"{ch.id}: book/chapters/{ch.id}.md is missing"
    blocks = {
        f"{ch.id}-exercises": f"{{twinbook-exercises}} {ch.id}",
        f"{ch.id}-code": f"{{twinbook-source}} {ch.id}",
    }
    for name, block in blocks.items():
        sub = pages / f"{name}.md"
        assert sub.is_file(), f"{ch.id}: book/chapters/{name}.md is missing"
        assert block in sub.read_text(encoding="utf-8"), f"{sub}: no ```{block} block"
    entries = _toctree(page)
    notebooks = {
        f"../notebooks/{ch.id}/{nb.stem}"
        for ending in KERNELS
        for nb in (ROOT / "notebooks" / ch.id).glob(f"*{ending}")
    }
    wanted = notebooks | set(blocks)
    assert wanted <= set(entries), (
        f"{page.relative_to(ROOT)}: its table of contents lacks {sorted(wanted - set(entries))}"
    )
    assert f"{{twinbook-chapter-links}} {ch.id}" in page.read_text(encoding="utf-8"), (
        f"{page.relative_to(ROOT)}: no twinbook-chapter-links block (notebooks, exercises, "
        "downloads)"
    )


@pytest.mark.parametrize("ch", chapter_param())
def test_a_benchmark(ch: Chapter) -> None:
    assert ch.benchmarks, f"{ch.id}: no benchmark listed"
    for name in ch.benchmarks:
        path = ROOT / name
        assert path.is_file(), f"{ch.id}: benchmark {name} is missing"
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".go":
            assert re.search(r"^func Benchmark\w*\(b \*testing\.B\)", text, re.M), (
                f"{name}: no func BenchmarkX(b *testing.B)"
            )
        else:
            assert re.search(r"^def test_\w+\(benchmark\b", text, re.M), (
                f"{name}: no pytest-benchmark test (def test_x(benchmark, ...))"
            )


@pytest.mark.parametrize("ch", chapter_param())
def test_the_build_produces_the_chapter_downloads(ch: Chapter, site: Path) -> None:
    downloads = site / "_downloads"
    with zipfile.ZipFile(downloads / f"{ch.id}-notebooks.zip") as zf:
        names = zf.namelist()
    for ending in KERNELS:
        assert any(n.startswith(f"notebooks/{ch.id}/") and n.endswith(ending) for n in names), (
            f"{ch.id}-notebooks.zip: no *{ending} ({names})"
        )
    with zipfile.ZipFile(downloads / f"{ch.id}-exercises.zip") as zf:
        names = zf.namelist()
    # ID/NN-slug/... are the exercises; ID/<file> the chapter's helper files, in every zip
    slugs = {n.split("/")[1] for n in names if n.startswith(f"{ch.id}/") and n.count("/") >= 2}
    assert len(slugs) >= MIN_EXERCISES, f"{ch.id}-exercises.zip: exercises {sorted(slugs)}"
    helpers = [
        f"{ch.id}/{name}"
        for name in CHAPTER_HELPERS.values()
        if (ROOT / "exercises" / ch.id / name).is_file()
    ]
    assert set(helpers) <= set(names), f"{ch.id}-exercises.zip: no {helpers}"
    for slug in slugs:
        ex_zip = downloads / "exercises" / ch.id / f"{slug}.zip"
        assert ex_zip.is_file(), slug
        with zipfile.ZipFile(ex_zip) as zf:
            assert set(helpers) <= set(zf.namelist()), f"{ex_zip.name}: no {helpers}"
