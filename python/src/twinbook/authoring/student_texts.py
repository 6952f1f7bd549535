"""The student edition's own wording of the project files it ships.

The project's files speak to its maintainers: ``make test`` and ``make book``, nbval and
the browser tests, "commit the outputs", the conformance vectors under ``tests/``. A
student edition has none of those, so the files that say them are rewritten here for the
learner (:func:`student_files`). Each rewrite checks that the text it replaces is still
there: a project file that changes its wording fails the release instead of shipping the
maintainers' text unnoticed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path


class WordingError(Exception):
    """A project file no longer holds the text the edition rewrites."""


STUDENT_NOTEBOOKS_README = """\
# Notebooks

Each chapter has a folder here with two runnable teaching notebooks that walk through the
same ideas step by step: `<chapter>_python.ipynb` on the `python3` kernel and
`<chapter>_go.ipynb` on the `gonb` kernel (GoNB). Open them in JupyterLab (`make lab`) and
run them cell by cell; change the code and run it again. The Python notebook imports the
`twinbook` package of `python/`; the Go notebook's first cell points GoNB at the module in
`go/`.

They come with their outputs, as the book shows them. To start one over, download it again
from its chapter in the book (`book/`).
"""

STUDENT_GITIGNORE = """\
# what `make setup` installs here
.venv/
# Python and Jupyter
__pycache__/
.ipynb_checkpoints/
.pytest_cache/
# your progress, hints and reset backups (twinbook check / hint / reset)
.twinbook/
# editors and OS
.idea/
.vscode/
*.swp
.DS_Store
"""

#: The asides of the Makefile's rules that the edition keeps (setup): (project's, edition's).
MAKEFILE_WORDING = (
    (
        "# plugins, and the Go linters of GO_LINTERS (make lint)",
        "# plugins, and the Go linters of GO_LINTERS (none here)",
    ),
    (
        "# a package that does not build is reported by `make test`, not here.",
        "# a package that does not build is reported by `go build ./...` in go/, not here.",
    ),
    (
        "(make test will say why)",
        "(cd go && go build ./... says why)",
    ),
    (  # real Apache Kafka is for the project's tests: the edition has neither
        "\t# Apache Kafka's jars (tests/services/kafka/pom.xml) into the user's cache, once per pom:\n"
        "\t# checked before the stamp, so a cleared cache is filled again (the standard library only;\n"
        "\t# the student edition has no tests/ and no real Kafka)\n"
        "\tif [ -f tests/services/kafka/jars.py ]; then $(PYTHON) -m tests.services.kafka.jars; fi\n",
        "",
    ),
)


def _replace(text: str, pairs: tuple[tuple[str, str], ...], name: str) -> str:
    for old, new in pairs:
        if old not in text:
            raise WordingError(f"{name}: the text the student edition rewrites is gone: {old!r}")
        text = text.replace(old, new)
    return text


def student_makefile_wording(makefile: str) -> str:
    """The kept rules' asides, said for the learner (:data:`MAKEFILE_WORDING`)."""
    return _replace(makefile, MAKEFILE_WORDING, "Makefile")


PYPROJECT_COMMENT = """\
# The base dependencies are the teaching library's (what `import twinbook.breaker`
# needs). The `learn` extra adds the learner's `twinbook` commands and JupyterLab with
# both kernels; `make setup` installs it, with python/constraints.txt pinning the rest.
"""


def student_pyproject(text: str) -> str:
    """python/pyproject.toml with the learner's extra only: the other extras (the
    maintainers' tests, the book's build, the grader) and the static checks' settings go,
    with the comments about them."""
    lines = text.splitlines()
    out: list[str] = []
    section = ""
    i = 0
    comment: list[str] = []
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            comment.append(line)
            i += 1
            continue
        header = re.match(r"^\[\[?([^\]]+)\]\]?\s*$", line)
        if header:
            section = header.group(1)
        if section.startswith("tool.") and not section.startswith("tool.setuptools"):
            comment = []  # the maintainers' linters: ruff, mypy
            i += 1
            continue
        if section == "project.optional-dependencies":
            extra = re.match(r"^([a-z-]+)\s*=\s*\[", line)
            if extra:
                end = i
                while not lines[end].startswith("]"):
                    end += 1
                if extra.group(1) == "learn":
                    out += [ln for ln in lines[i : end + 1] if not ln.lstrip().startswith("#")]
                comment = []
                i = end + 1
                continue
        if section == "project" and line.startswith("dependencies") and comment:
            out += PYPROJECT_COMMENT.rstrip("\n").split("\n")
        elif comment and not section.startswith("project"):
            out += comment
        comment = []
        out.append(line)
        i += 1
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).rstrip("\n") + "\n"
    extras = tomllib.loads(result)["project"].get("optional-dependencies", {})
    if list(extras) != ["learn"]:
        raise WordingError(f"python/pyproject.toml: the edition's extras are {list(extras)}")
    return result


def student_constraints(text: str) -> str:
    """python/constraints.txt: the pins as they are, under a header for the learner."""
    pins = [line for line in text.splitlines() if line and not line.startswith("#")]
    return (
        "# The versions `make setup` installs (pip install -c python/constraints.txt).\n"
        + "\n".join(pins)
        + "\n"
    )


def student_go_tools_mod(text: str) -> str:
    """go/tools/go.mod: the module as it is, under a header for the learner."""
    body = text.split("\nmodule ", 1)
    if len(body) != 2:
        raise WordingError("go/tools/go.mod: no module line")
    return (
        "// Module tools pins the Go tools that `make setup` installs into .venv/bin: the\n"
        "// GoNB Jupyter kernel and goimports, which GoNB calls on every cell.\n"
        "module " + body[1]
    )


#: Files of the edition (relative to it) and how the edition words them: a function of the
#: project's text, or the text itself (written anew).
REWRITTEN: dict[str, Callable[[str], str] | str] = {
    "notebooks/README.md": STUDENT_NOTEBOOKS_README,
    "python/pyproject.toml": student_pyproject,
    "python/constraints.txt": student_constraints,
    "go/tools/go.mod": student_go_tools_mod,
    ".gitignore": STUDENT_GITIGNORE,
}


def student_files(staging: Path) -> list[str]:
    """Rewrite the files of :data:`REWRITTEN` in the edition at ``staging`` (each from its
    project copy there); returns the ones rewritten."""
    done = []
    for rel, how in REWRITTEN.items():
        path = staging / rel
        if isinstance(how, str):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(how, encoding="utf-8")
        elif path.is_file():
            path.write_text(how(path.read_text(encoding="utf-8")), encoding="utf-8")
        else:
            continue
        done.append(rel)
    return done
