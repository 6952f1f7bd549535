"""``twinbook dev release OUT``: the student edition, what learners receive.

OUT gets::

    README.md      for learners (written here): setup, Jupyter, check / watch / hint / progress
    Makefile       the project's Makefile cut to the learner's targets: setup and lab are the
                   project's own rules (their asides for maintainers reworded); check,
                   watch, progress and serve are added
    .gitignore     the edition's own
    book/          the rendered book (a static site: open book/index.html)
    notebooks/     the teaching notebooks, with their outputs
    exercises/     generated from solutions/ as `twinbook dev generate` makes it
                   (answers stripped, outputs cleared, no hidden test files, each
                   exercise.toml naming only the visible tests), the README's part for learners
    go/            the Go module (the libraries, the Go kernel's tool pins)
    python/        the Python package (the libraries and the learner's twinbook tools) and
                   the libraries' tests; not the authoring tools, the grader nor the
                   tooling's tests
                   (:data:`LEFT_OUT`), and its Makefile installs the `learn` extra only

and never solutions/, tests/, CI files or anything a hidden test could be read from. The
project files written for its maintainers (notebooks/README.md, python/pyproject.toml and
constraints.txt, go/tools/go.mod, the setup rule's asides) are worded for the learner
(:mod:`twinbook.authoring.student_texts`): the edition names no command or path it has not.

Files come from the working tree: git's list of files (tracked, plus new ones that are not
ignored) when the project is a git checkout, so build output and caches stay out.

The book is the student edition's build of it, ``build/html-student``: the project's book
built with ``-t student``, which leaves out the instructors' pages and the passages that
point to them or to the maintainers' repository (book/conf.py). It is copied when it is fresh
(built after the last change to the book, the notebooks, go/ and python/src/), else built
first (``sphinx-build -W --keep-going -t student -b html book build/html-student``). ``--book``
chooses: ``auto`` (that), ``build`` (always build), ``copy`` (copy, fail when missing),
``none`` (no book).

Before OUT appears the release is scanned (:func:`find_leaks`): no file may hold a
non-trivial line of any answer region of solutions/ (a line that the teaching material
outside the exercises does not already show), the name of a hidden test, a non-trivial line
of a hidden test file, or be a hidden test file. A leak fails the release and OUT is not
written.
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from twinbook.exercises.model import (
    CHAPTER_HELPERS,
    HIDDEN_TESTS,
    INSTRUCTOR_ONLY,
    find_exercises,
)

from .booklog import run_quietly
from .generate import generate_tree
from .student_texts import student_files, student_makefile_wording

#: What the release takes from the project, as is (minus junk and anything solution-like).
COPIED = ("go", "python", "notebooks")
#: Parts of the project the student edition leaves out: the authors' and the instructors'
#: tools (learners run neither, and the grader would show how it grades) and the tooling's
#: unit tests (they need the project's test setup); the libraries' tests ship.
LEFT_OUT = (
    "python/src/twinbook/authoring",
    "go/cmd/twinbook-mutate",  # the authors' mutation tester's Go half (`twinbook dev mutate`)
    "python/src/twinbook/grading",
    "python/tests/authoring",
    "python/tests/exercises",
    "python/tests/grading",
    "python/tests/runner",
    "python/tests/workbook",
    "python/tests/mini_exercise.py",
    *(
        # the libraries' tests that replay the project's conformance vectors (tests/vectors):
        # the vectors stay out, since chapter 2's hidden tests replay them, so these could
        # not run in the edition
        "go/breaker/vectors_test.go",
        "go/concurrency/limiter_vectors_test.go",
        "go/resilience/retry_budget_vectors_test.go",
        "go/internal/testutil/vectors_test.go",
        "go/supervisor/vectors_test.go",
        "go/supervisor/vectors_runtime_test.go",
        "python/tests/vectors_files.py",
        "python/tests/test_vectors_files.py",
        "python/tests/breaker/test_vectors.py",
        "python/tests/concurrency/limiter_vectors.py",
        "python/tests/concurrency/test_limiter_vectors.py",
        "python/tests/resilience/test_retry_budget_vectors.py",
        "python/tests/supervisor/test_vectors.py",
        "python/tests/supervisor/test_runtime_vectors.py",
        "python/tests/supervisor/test_vector_runner.py",
        # the benchmark against the peers writes its figures for the project's bench script
        "go/breaker/bench_test.go",
    ),
)
#: The Python extras the student edition's `make setup` installs (python/pyproject.toml).
STUDENT_EXTRAS = "learn"
#: Makefile rules the student edition keeps from the project's Makefile, unchanged.
KEPT_RULES = ("help", "setup", "lab", "clean", "distclean")
#: Debian packages of APT_NEEDS (by command) that only the project's own tests need.
DROPPED_APT = ("chromium", "shellcheck", "bwrap", "java", "mvn")
BOOK_MODES = ("auto", "build", "copy", "none")
#: Where the student edition's book is built (``-t student``), beside ``make book``'s build/html.
STUDENT_BOOK = "build/html-student"

_JUNK_PARTS = {
    "__pycache__",
    ".pytest_cache",
    ".ipynb_checkpoints",
    ".twinbook",
    ".hypothesis",
    "build",
    "dist",
}
_JUNK_SUFFIXES = (".pyc", ".pyo", ".test", ".egg-info")
_MARKERS = {"# BEGIN SOLUTION", "# END SOLUTION", "// BEGIN SOLUTION", "// END SOLUTION"}
#: Shorter lines (after whitespace is squeezed) are idioms (`}`, `return nil`), not answers.
MIN_LINE = 8


class ReleaseError(Exception):
    """The release could not be made (a missing book, a leak, an existing OUT)."""


@dataclass
class Release:
    out: Path
    book: str  # how the book got there: "copied build/html", "built and copied", "none"
    files: int = 0
    leaks: list[str] = field(default_factory=list)


# --- choosing the files -------------------------------------------------------------------------


def _is_junk(rel: Path) -> bool:
    parts = set(rel.parts)
    return (
        bool(parts & _JUNK_PARTS)
        or any(p.endswith(_JUNK_SUFFIXES) for p in rel.parts)
        or rel.name == ".DS_Store"
    )


def _solution_like(rel: Path) -> bool:
    """Paths that must never ship: hidden test files, anything named like a solution."""
    name = rel.name
    return name in HIDDEN_TESTS.values() or any("solution" in p.lower() for p in rel.parts)


def _left_out(rel: Path) -> bool:
    return any(rel == Path(part) or Path(part) in rel.parents for part in LEFT_OUT)


def project_files(root: Path, top: str, *, strict: bool = True) -> list[Path]:
    """Files under ``root/top`` (relative to root): git's tracked and not-ignored new files
    when root is a git checkout, else every file; junk left out. A solution-like path (a
    hidden test file, a name with "solution") is an error: dropping it quietly could
    break the package, shipping it could give answers away."""
    root = Path(root)
    rels: list[Path] | None = None
    if (root / ".git").exists() and shutil.which("git"):
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                top,
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode == 0:
            rels = [Path(p) for p in proc.stdout.split("\0") if p]
    if rels is None:
        rels = [p.relative_to(root) for p in (root / top).rglob("*") if p.is_file()]
    files = sorted(r for r in rels if (root / r).is_file() and not _is_junk(r))
    suspects = [str(r) for r in files if _solution_like(r)]
    if suspects and strict:
        raise ReleaseError(
            f"solution-like files in {top}/ (rename them or move them out): {', '.join(suspects)}"
        )
    return files


# --- exercises ----------------------------------------------------------------------------------


def learner_readme(readme: str) -> str:
    """The learners' part of exercises/README.md (the format for authors is left out)."""
    cut = readme.find("\n## The format")
    text = readme if cut < 0 else readme[:cut].rstrip() + "\n"
    return text.replace(
        "generated from `solutions/` (answers filled in, plus hidden tests) by\n`twinbook dev generate`, and a test (`tests/exercises`) proves the two agree. Only\nthis README is written by hand here: edit `solutions/`, then regenerate.",
        "generated from the instructors' solutions, with the answers taken out.",
    )


def write_exercises(root: Path, out: Path) -> None:
    """exercises/ as the generator makes it from solutions/ (the generator alone leaves the
    hidden tests out, their names included: see :func:`twinbook.authoring.generate.learner_toml`)."""
    for rel, data in generate_tree(root / "solutions").items():
        target = out / "exercises" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    readme = root / "exercises" / "README.md"
    if readme.is_file():
        (out / "exercises" / "README.md").write_text(
            learner_readme(readme.read_text(encoding="utf-8")), encoding="utf-8"
        )


# --- the book ---------------------------------------------------------------------------------


def _newest(paths: Iterable[Path]) -> float:
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def book_is_fresh(root: Path) -> bool:
    """The student book (STUDENT_BOOK) was built after the last change to what it is made of."""
    html_dir = root / STUDENT_BOOK
    if not (html_dir / "index.html").is_file():
        return False
    built = _newest(html_dir.rglob("*"))
    sources = [p for p in (root / "book").rglob("*") if "_build" not in p.parts]
    sources += list((root / "notebooks").rglob("*.ipynb")) + list((root / "go").rglob("*.go"))
    sources += list((root / "python" / "src").rglob("*.py"))
    return built >= _newest(sources)


def build_book(root: Path) -> None:
    """The student edition's book build: ``make book``'s command with ``-t student``."""
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-t", "student"]
    cmd += ["-b", "html", "book", STUDENT_BOOK]
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    proc = run_quietly(cmd, cwd=root, env=env)
    if proc.returncode != 0:
        raise ReleaseError(
            f"the book build failed ({' '.join(cmd[2:])} exited with {proc.returncode})"
        )


def add_book(root: Path, out: Path, mode: str, book_from: Path | None = None) -> str:
    if mode not in BOOK_MODES:
        raise ReleaseError(f"--book must be one of {', '.join(BOOK_MODES)}, not {mode!r}")
    if mode == "none":
        return "none"
    how = f"copied {STUDENT_BOOK}"
    source = Path(book_from) if book_from else root / STUDENT_BOOK
    if book_from is None and (mode == "build" or (mode == "auto" and not book_is_fresh(root))):
        build_book(root)
        how = f"built (sphinx-build -t student book {STUDENT_BOOK}) and copied"
    if not (source / "index.html").is_file():
        raise ReleaseError(
            f"{source}/index.html not found: use --book build (or --book-from a built site)"
        )
    shutil.copytree(source, out / "book", ignore=shutil.ignore_patterns(".doctrees", "__pycache__"))
    return how if book_from is None else f"copied {book_from}"


# --- Makefile and README ----------------------------------------------------------------------

STUDENT_HEADER = """\
# twinbook, student edition: make setup | lab | check | watch | progress | serve   (make help)
#
# `make setup` installs everything into this folder: .venv/ (Python, the libraries, the
# learner's twinbook tools, JupyterLab, the Go kernel GoNB), Go's module and build caches.
"""

STUDENT_RULES = """\
check: setup ## check your saved exercise notebooks: make check [EX=ch01-concurrency/01-worker-pool]
	@cd "$(ROOT)"
	"$(BIN)/twinbook" check $(EX)

watch: setup ## check an exercise each time you save it: make watch [EX=...]
	@cd "$(ROOT)"
	"$(BIN)/twinbook" watch $(EX)

progress: setup ## your progress, per chapter, and the next exercise to do
	@cd "$(ROOT)"
	"$(BIN)/twinbook" progress

serve: ## serve the book on http://127.0.0.1:8000/ (or open book/index.html)
	@cd "$(ROOT)"
	echo "serve: http://$(HTTP_HOST):$(HTTP_PORT)/  (Ctrl-C stops)"
	$(PYTHON) -m http.server -d book -b $(HTTP_HOST) $(HTTP_PORT)
"""


def _rule_name(line: str) -> str | None:
    m = re.match(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:(?!=)", line)
    return m.group(1) if m else None


def student_makefile(makefile: str) -> str:
    """The project's Makefile cut to the learner's rules: the header comment is replaced,
    the rules in :data:`KEPT_RULES` are kept as they are, every other rule is dropped with
    the paragraph right above it (its comment and variables), the student rules are added
    and ``.PHONY`` lists the rules there are. APT_NEEDS loses :data:`DROPPED_APT`."""
    lines = makefile.splitlines()
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        i += 1
    body: list[str] = []
    kept: list[str] = []
    while i < len(lines):
        line = lines[i]
        name = None if line.startswith(("\t", "#", ".")) else _rule_name(line)
        if name is None:
            if line.startswith("PY_EXTRAS"):  # the learner's tools only
                line = f"PY_EXTRAS := {STUDENT_EXTRAS}"
            if line.startswith("GO_LINTERS"):  # the project's static checks are not for learners
                line = "GO_LINTERS :="
            if line.startswith("APT_NEEDS"):  # the browser for the book's tests is not for learners
                head, _, needs = line.partition(":=")
                line = (
                    head
                    + ":= "
                    + " ".join(n for n in needs.split() if n.split(":")[0] not in DROPPED_APT)
                )
            if not line.startswith(".PHONY"):
                body.append(line)
            i += 1
            continue
        block = [line]
        i += 1
        while i < len(lines) and lines[i].startswith("\t"):
            block.append(lines[i])
            i += 1
        if name in KEPT_RULES:
            kept.append(name)
            body += block
        else:
            while body and body[-1].strip():
                body.pop()  # the dropped rule's paragraph: its comment, its variables
    if "setup" not in kept:
        raise ReleaseError("the project's Makefile has no setup rule")
    phony = " ".join(sorted(set(kept) | {"check", "watch", "progress", "serve"}))
    text = "\n".join(body).strip("\n") + "\n\n" + STUDENT_RULES + f"\n.PHONY: {phony}\n"
    text = _student_variables(re.sub(r"\n{3,}", "\n\n", text))
    return STUDENT_HEADER + "\n" + student_makefile_wording(text)


#: What the student edition's Makefile says above the variables it sets differently.
STUDENT_COMMENTS = {
    "PY_EXTRAS": "# The Python package's extras `make setup` installs: the learner's tools.",
    "APT_NEEDS": (
        "# Debian packages, as command:package[,package...]; apt-get runs only when a command\n"
        "# is missing."
    ),
    "GO_LINTERS": "# No Go linters: the project's static checks are its authors'.",
}

_ASSIGN = re.compile(r"^([A-Z][A-Z0-9_]*)\s*[:?+]?=")
#: Variables that make itself reads: used although no rule names them.
_MAKE_READS = {"SHELL", "MAKEFLAGS"}


def _student_variables(text: str) -> str:
    """Drop each variable (with the comment right above it) that nothing left in the student
    Makefile uses (``make test``'s PYTEST_ARGS, ``make proto``'s PROTO_*), and give the
    variables the edition sets differently a comment of their own (:data:`STUDENT_COMMENTS`)."""
    lines = text.split("\n")
    groups: list[tuple[int, int, str]] = []  # (first line, line after, variable)
    comment_start: int | None = None
    for i, line in enumerate(lines):
        if line.startswith("#"):
            comment_start = i if comment_start is None else comment_start
            continue
        m = _ASSIGN.match(line)
        if m:
            end = i + 1
            while end < len(lines) and lines[end - 1].endswith("\\"):
                end += 1  # a value continued on the next line
            groups.append((i if comment_start is None else comment_start, end, m.group(1)))
        comment_start = None
    for start, end, name in reversed(groups):
        rest = "\n".join(lines[:start] + lines[end:])
        if name not in _MAKE_READS and not re.search(rf"\$[({{]{name}[)}}]", rest):
            del lines[start:end]
        elif name in STUDENT_COMMENTS:
            assignment = [ln for ln in lines[start:end] if not ln.startswith("#")]
            lines[start:end] = STUDENT_COMMENTS[name].split("\n") + assignment
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


STUDENT_README = """\
# twinbook, student edition

A Go/Python workbook about resilient, concurrent, event-driven systems: every chapter
teaches one family of concepts twice, in Go and in Python side by side, and you practise
each one in graded exercises, in both languages.

Needs Go 1.26 and Python 3.11 on PATH, and network to PyPI, the Go module proxy and Debian
(once, for `make setup`). The Go exercises are checked under the race detector
(`go test -race`), which needs a C compiler: `make setup` installs Debian's gcc and
libc6-dev when they are missing (elsewhere: a C compiler of your system's, such as
`xcode-select --install` on macOS).

```sh
make setup     # once: .venv/ with the twinbook tools, JupyterLab and the Go kernel (GoNB)
make lab       # JupyterLab on http://127.0.0.1:8888/ with both kernels (python3, gonb)
```

| path | what |
|---|---|
| `book/` | the book, a static site: open `book/index.html` (or `make serve`) |
| `notebooks/` | the chapters' teaching notebooks, one on each kernel: run them, change them |
| `exercises/` | your exercises, one folder each, a notebook per language: see `exercises/README.md` |
| `go/`, `python/` | the libraries the book explains, and the `twinbook` tools |

## Exercises

Open an exercise notebook, replace the stub in its answer cell, run the check cell (the
last one). From a terminal (after `make setup`, with `.venv/bin` on your PATH, or through
`make check` / `make watch` / `make progress`):

```sh
twinbook check                                   # every exercise: a table, then your progress
twinbook check ch01-concurrency/01-worker-pool   # one exercise (--lang python|go for one language)
twinbook watch                                   # check again at every save; says what is next
twinbook hint ch01-concurrency/01-worker-pool    # the next hint (--reset hides them again)
twinbook progress                                # per chapter: done / total, and what is next
twinbook reset ch01-concurrency/01-worker-pool   # start an exercise again (see below)
```

The terminal checks your notebooks **as saved**. Your progress and the hints you have seen
are kept in `exercises/.twinbook/progress.json`. `twinbook reset` puts an exercise's answer
cells back as they were given to you and forgets its progress and hints; your own cells are
kept first, in a copy of the notebook under `exercises/.twinbook/backups/`.

Your grade also counts hidden tests: they check the rules each task states, so make the
whole task work, not only the visible tests.
"""


def student_readme(commit: str) -> str:
    date = _dt.date.today().isoformat()
    return (
        STUDENT_README
        + f"\n---\nStudent edition made by `twinbook dev release` on {date} from {commit}.\n"
    )


def is_release(folder: Path) -> bool:
    """``folder`` holds a student edition (its README's first line says so)."""
    readme = Path(folder) / "README.md"
    return readme.is_file() and readme.read_text(encoding="utf-8").startswith(
        STUDENT_README.splitlines()[0]
    )


def _commit(root: Path) -> str:
    if shutil.which("git") and (root / ".git").exists():
        proc = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        if proc.returncode == 0:
            dirty = subprocess.run(
                ["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True
            ).stdout
            return f"commit {proc.stdout.strip()}" + (
                " (with uncommitted changes)" if dirty.strip() else ""
            )
    return "a copy of the project outside git"


# --- the leak scan ----------------------------------------------------------------------------


def _squeeze(line: str) -> str:
    return " ".join(line.split())


def _meaningful(line: str) -> bool:
    return len(line) >= MIN_LINE and bool(re.search(r"[A-Za-z0-9]", line))


def _notebook_text(text: str) -> str:
    """Every string of a notebook's JSON (cell sources, outputs), one after the other."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    strings: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, list):
            if node and all(isinstance(x, str) for x in node):
                strings.append("".join(node))  # a multi-line source or output
            else:
                for x in node:
                    walk(x)
        elif isinstance(node, dict):
            for x in node.values():
                walk(x)

    walk(data)
    return "\n".join(strings)


def file_lines(path: Path, data: bytes | None = None) -> set[str]:
    """A file's lines, whitespace squeezed; notebooks by their strings, HTML without tags."""
    name = PurePosixPath(str(path))
    text = (path.read_bytes() if data is None else data).decode("utf-8", errors="ignore")
    if name.suffix == ".ipynb":
        text = _notebook_text(text)
    elif name.suffix in (".html", ".htm", ".xml", ".svg"):
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return {_squeeze(line) for line in text.splitlines()}


def _members(path: Path, data: bytes | None = None, depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of a file, or of every file inside it when it is a zip or tar archive
    (archives inside archives too, a few levels deep): the book's downloads are zips."""
    data = path.read_bytes() if data is None else data
    name = str(path)
    if depth < 3 and name.endswith(".zip") and zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    yield from _members(Path(f"{name}!{info.filename}"), zf.read(info), depth + 1)
        return
    if depth < 3 and name.endswith((".tar", ".tar.gz", ".tgz")):
        try:
            with tarfile.open(fileobj=io.BytesIO(data)) as tf:
                for member in tf.getmembers():
                    extracted = tf.extractfile(member) if member.isfile() else None
                    if extracted is not None:
                        yield from _members(
                            Path(f"{name}!{member.name}"), extracted.read(), depth + 1
                        )
            return
        except tarfile.TarError:
            pass
    yield name, data


def _regions(solutions: Path) -> Iterator[tuple[Path, str, bool]]:
    """(notebook, squeezed line, inside an answer region?) for every line of every cell
    source of the solution notebooks (outputs are not shipped: the generator clears them)."""
    for nb in sorted(Path(solutions).rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb.parts:
            continue
        for cell in json.loads(nb.read_text(encoding="utf-8")).get("cells", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            inside = False
            for line in source.split("\n"):
                stripped = line.strip()
                if stripped in _MARKERS:
                    inside = stripped.endswith("BEGIN SOLUTION")
                    continue
                yield nb, _squeeze(line), inside and cell.get("cell_type") == "code"


def answer_lines(solutions: Path) -> dict[str, str]:
    """Squeezed lines inside the BEGIN/END SOLUTION regions of solutions/ -> where from."""
    found: dict[str, str] = {}
    for nb, line, inside in _regions(solutions):
        if inside and _meaningful(line):
            found.setdefault(line, str(nb.relative_to(solutions)))
    return found


def hidden_tests(solutions: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(hidden test names -> exercise, squeezed lines of the hidden test files -> file)."""
    names: dict[str, str] = {}
    lines: dict[str, str] = {}
    for ex in find_exercises(solutions):
        for spec in ex.languages.values():
            names.update({t: ex.id for t in spec.points if spec.is_hidden(t)})
            if spec.hidden_tests_path.is_file():
                for line in spec.hidden_tests_path.read_text(encoding="utf-8").splitlines():
                    if _meaningful(_squeeze(line)):
                        lines.setdefault(
                            _squeeze(line), str(spec.hidden_tests_path.relative_to(solutions))
                        )
    return names, lines


def teaching_lines(root: Path) -> set[str]:
    """Lines the workbook shows anyway: the libraries, the teaching notebooks, the book's
    pages, the visible tests, the chapters' helper files and the exercise notebooks outside
    their answer regions. An
    answer line found here is an idiom or the library itself, not a leak (:class:`Secrets`
    counts these apart)."""
    root = Path(root)
    lines: set[str] = set()
    files = [
        root / r
        for top in ("go", "python/src", "python/tests", "notebooks", "book")
        for r in project_files(root, top, strict=False)
    ]
    files += list((root / "solutions").glob("*/*/*/test_visible.py")) + list(
        (root / "solutions").glob("*/*/*/visible_test.go")
    )
    # the chapters' helper files ship with the exercises: visible code, like the visible tests
    files += [
        p for name in CHAPTER_HELPERS.values() for p in (root / "solutions").glob(f"*/{name}")
    ]
    for path in files:
        if path.suffix in (".go", ".py", ".md", ".ipynb", ".txt", ".toml"):
            lines |= file_lines(path)
    # the exercise notebooks' own cells outside the answers: tasks, demos, checks
    lines |= {line for _, line, inside in _regions(root / "solutions") if not inside}
    return lines


@dataclass
class Secrets:
    """What must not be in a student edition, from solutions/."""

    answers: dict[str, str]  # answer lines not shown by the teaching material
    shared: dict[str, str]  # answer lines the teaching material shows too (not leaks)
    hidden_names: dict[str, str]
    hidden_lines: dict[str, str]

    @classmethod
    def of(cls, root: Path) -> Secrets:
        root = Path(root)
        teaching = teaching_lines(root)
        answers = answer_lines(root / "solutions")
        names, hidden = hidden_tests(root / "solutions")
        return cls(
            answers={line: w for line, w in answers.items() if line not in teaching},
            shared={line: w for line, w in answers.items() if line in teaching},
            hidden_names=names,
            hidden_lines={line: w for line, w in hidden.items() if line not in teaching},
        )


def find_leaks(out: Path, secrets: Secrets) -> list[str]:
    """Every leak in the tree ``out``, one line each: the file (``archive.zip!member`` for
    a file inside an archive) and what it gives away."""
    out = Path(out)
    leaks: list[str] = []
    name_re = (
        re.compile(
            r"\b("
            + "|".join(map(re.escape, sorted(secrets.hidden_names, key=len, reverse=True)))
            + r")\b"
        )
        if secrets.hidden_names
        else None
    )
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        for name, data in _members(path):
            rel = name[len(str(out)) + 1 :]  # below out; "a.zip!member" inside an archive
            leaks += _leaks_of(rel, data, secrets, name_re)
    return leaks


def _leaks_of(
    rel: str, data: bytes, secrets: Secrets, name_re: re.Pattern[str] | None
) -> list[str]:
    leaks = []
    parts = PurePosixPath(rel.replace("!", "/")).parts
    if parts[-1] in HIDDEN_TESTS.values():
        return [f"{rel}: a hidden test file"]
    if "solutions" in parts:
        leaks.append(f"{rel}: inside a solutions folder")
    if INSTRUCTOR_ONLY.intersection(parts):
        leaks.append(f"{rel}: instructors only (kept wrong answers, equivalent mutants)")
    lines = file_lines(Path(rel), data)
    for line in sorted(lines & secrets.answers.keys()):
        leaks.append(f"{rel}: answer line from {secrets.answers[line]}: {line}")
    for line in sorted(lines & secrets.hidden_lines.keys()):
        leaks.append(f"{rel}: hidden test line from {secrets.hidden_lines[line]}: {line}")
    if name_re is not None:
        for name in sorted(set(name_re.findall(data.decode("utf-8", errors="ignore")))):
            leaks.append(f"{rel}: hidden test name {name} ({secrets.hidden_names[name]})")
    return leaks


# --- the release ------------------------------------------------------------------------------


def make_release(
    root: Path, out: Path, *, book: str = "auto", book_from: Path | None = None, force: bool = False
) -> Release:
    """Write the student edition of the project at ``root`` to ``out`` (see the module doc).

    The tree is assembled in a temporary folder beside ``out`` and scanned; it becomes
    ``out`` only when the scan finds no leak (else :class:`ReleaseError` lists them)."""
    root, out = Path(root).resolve(), Path(out).resolve()
    if (
        out == root
        or root in out.parents
        and out.parts[len(root.parts)] in ("solutions", "exercises", *COPIED)
    ):
        raise ReleaseError(f"{out}: choose a folder outside the project's sources")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ReleaseError(
                f"{out} exists and is not empty (--force replaces an earlier student edition)"
            )
        if not is_release(out):
            raise ReleaseError(f"{out} is not an earlier student edition: not replacing it")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for top in COPIED:
            for rel in project_files(root, top):
                if _left_out(rel):
                    continue
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / rel, target)
        write_exercises(root, staging)
        how = add_book(root, staging, book, book_from)  # its downloads are exercises/'s files
        (staging / "Makefile").write_text(
            student_makefile((root / "Makefile").read_text(encoding="utf-8"))
        )
        (staging / "README.md").write_text(student_readme(_commit(root)), encoding="utf-8")
        student_files(staging)  # the maintainers' files, worded for the learner
        leaks = find_leaks(staging, Secrets.of(root))
        if leaks:
            shown = "\n  ".join(leaks[:40]) + (
                f"\n  ... and {len(leaks) - 40} more" if len(leaks) > 40 else ""
            )
            raise ReleaseError(
                f"the student edition would leak {len(leaks)} thing(s); nothing written:\n  {shown}"
            )
        files = sum(1 for p in staging.rglob("*") if p.is_file())
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
        return Release(out, how, files)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
