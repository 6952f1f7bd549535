"""The README's make table names every target that `make help` lists, and nothing else."""

from __future__ import annotations

import re

from tests.repo import ROOT


def test_every_make_target_is_in_the_readme() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):.*## ", makefile, re.M))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `make ")]
    named = {name for row in rows for name in re.findall(r"`make ([a-z][a-z-]*)", row)}
    assert targets, "no documented targets found in the Makefile"
    assert targets - named == set(), f"make targets missing from the README: {targets - named}"
    assert named - targets == set(), f"the README names targets there are not: {named - targets}"
