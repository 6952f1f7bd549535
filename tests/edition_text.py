"""What a student edition may say, for the tests that read it (its files and its book).

A student edition says only what a student can do with it: no maintainers' make rule
(``make test``, ``make bench``...), no maintainers' tool or workflow (nbval, Chromium,
"commit the outputs", git), and no path of the project that the edition does not ship
(``tests/``, ``solutions/``...). One vocabulary for both scans, so that a word added here is
looked for everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from tests.repo import ROOT
from twinbook.authoring.release import student_makefile

#: Text a student edition must not hold: the maintainers' tools and workflow.
MAINTAINERS = re.compile(
    r"\bnbval\b|[Cc]hromium|PYTEST_ARGS|commit the outputs|commit both|git checkout"
    r"|git repository|git init|actionlint|staticcheck|tests/lint\.toml"
)
#: Paths relative to the project's root: they must exist in the edition to be named.
ROOTED_PATH = re.compile(r"(?<![\w/.~-])((?:tests|solutions|build|proto)/[\w./-]*\w)")


def _rules(makefile: str) -> set[str]:
    return set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, re.M))


def maintainers_rules() -> set[str]:
    """The project's make rules that the student edition's Makefile does not have."""
    project = (ROOT / "Makefile").read_text(encoding="utf-8")
    return _rules(project) - _rules(student_makefile(project))


def make_command(rules: Iterable[str]) -> re.Pattern[str]:
    """``make RULE`` for any of ``rules`` (the longest first: ``bench-go`` before ``bench``)."""
    return re.compile(r"\bmake (" + "|".join(sorted(rules, key=len, reverse=True)) + r")\b")


def findings(where: str, lines: Iterable[str], has_path: Callable[[str], bool]) -> list[str]:
    """What in ``lines`` (of the file or page ``where``) a student edition must not say:
    one entry per line that names a maintainers' rule or tool or a path the edition lacks
    (``has_path`` says which it has), and per phrase of :data:`MAINTAINERS` that runs over
    a line break."""
    make = make_command(maintainers_rules())
    found: list[str] = []
    said: list[str] = []
    for n, line in enumerate(lines, 1):
        said.append(line)
        here = f"{where}:{n}: {line.strip()[:100]}"
        if make.search(line) or MAINTAINERS.search(line):
            found.append(here)
        for path in ROOTED_PATH.findall(line):
            if not has_path(path.rstrip(".")):
                found.append(f"{here}  [{path} is not there]")
    single = " ".join(" ".join(said).split())
    found += [f"{where}: {phrase}" for phrase in MAINTAINERS.findall(single)]
    return sorted(set(found), key=found.index)
