"""The README's make table names every target that `make help` lists, and nothing else."""

from __future__ import annotations

import re

from tests.repo import ROOT


def test_every_make_target_is_in_the_readme() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):.*## ", makefile, re.M))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `make ")]
    named = {name for row in rows for name in re.findall(r"`make ([a-z][a-z0-9-]*)", row)}
    assert targets, "no documented targets found in the Makefile"
    assert targets - named == set(), f"make targets missing from the README: {targets - named}"
    assert named - targets == set(), f"the README names targets there are not: {named - targets}"


def test_readme_and_landing_page_say_where_the_book_lives_and_how_to_build_it() -> None:
    # Readers read the rendered book: both front doors name the workflow that publishes it
    # (and that workflow deploys to GitHub Pages) and the offline way, make book / make serve.
    workflow = ROOT / ".github" / "workflows" / "book.yml"
    text = workflow.read_text(encoding="utf-8")
    assert "actions/deploy-pages" in text and "make book" in text, workflow
    for doc in (ROOT / "README.md", ROOT / "book" / "index.md"):
        body = doc.read_text(encoding="utf-8")
        for needed in (
            ".github/workflows/book.yml",
            "GitHub Pages",
            "github.io",
            "make book",
            "make serve",
            "build/html",
            "file://",
        ):
            assert needed in body, f"{doc.relative_to(ROOT)} does not say {needed!r}"
