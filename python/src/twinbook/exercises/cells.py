"""Where a line of an answer file came from: the learner's answer cell and its line.

The checks and the grader work on one answer file built from the answer cells
(:func:`~twinbook.exercises.notebook.python_answer_file`, or for Go
:func:`~twinbook.exercises.notebook.go_answer_file` completed by goimports, or GoNB's own
``main.go``). A learner never sees that file: a message that says ``line 4`` or
``./answer.go:4:35`` must name the cell and the line they wrote instead.

* Python answer files are the cells joined, so the map is exact (:func:`python_lines`).
* Go files are rewritten (imports hoisted and completed, gofmt's spacing): a line is found
  in the cells by its text (:func:`go_lines`). An import the learner never wrote (goimports
  or GoNB added it for ``time.Now()``) is cited at the learner's first use of the package.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .notebook import python_answer_file


@dataclass(frozen=True)
class Origin:
    """A line of an answer cell: the cell's index among the answer cells, its line (1-based)."""

    cell: int
    line: int
    note: str = ""  # why this line stands for the reported one (an import goimports added)


#: what a located message says instead of ``line N`` (``cells`` is the number of answer cells)
def cell_place(origin: Origin, cells: int) -> str:
    """``answer cell, line 4`` (or ``answer cell 2, line 4`` when there are several)."""
    cell = "answer cell" if cells <= 1 else f"answer cell {origin.cell + 1}"
    return f"{cell}, line {origin.line}{origin.note}"


#: the place in the learner's cells that a line of the answer file stands for, as text
#: (``answer cell, line 4``), or None when the line is nobody's (a line GoNB generated)
Locate = Callable[[int], "str | None"]


# --- Python ---------------------------------------------------------------------------------


def _is_magic(line: str) -> bool:
    return line.lstrip().startswith(("%", "!"))


def python_lines(cells: list[str]) -> list[Origin | None]:
    """The origin of every line of ``python_answer_file(cells)`` (None: a separator line).

    Mirrors :func:`~twinbook.exercises.notebook.python_answer_file` step by step (magic
    lines dropped, blank lines at a cell's ends stripped, cells joined by two blank lines);
    a test holds the two together."""
    out: list[Origin | None] = []
    first = True
    for index, cell in enumerate(cells):
        kept = [(n, ln) for n, ln in enumerate(cell.split("\n"), 1) if not _is_magic(ln)]
        while kept and kept[0][1] == "":
            kept.pop(0)
        while kept and kept[-1][1] == "":
            kept.pop()
        if not any(ln.strip() for _, ln in kept):
            continue
        if not first:
            out += [None, None]
        first = False
        out += [Origin(index, n) for n, _ in kept]
    return out


def python_locator(cells: list[str]) -> Locate:
    lines = python_lines(cells)
    assert len(lines) == python_answer_file(cells).count("\n"), "python_lines drifted"

    def locate(number: int) -> str | None:
        origin = lines[number - 1] if 0 < number <= len(lines) else None
        return cell_place(origin, len(cells)) if origin is not None else None

    return locate


# --- Go -------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_IMPORT_SPEC = re.compile(r'^(?:import\s+)?(?:([A-Za-z_][A-Za-z0-9_]*|\.)\s+)?"([^"]+)"$')


def _key(line: str) -> str:
    """A line without its spacing (gofmt re-spaces ``x:=1`` as ``x := 1``)."""
    return _SPACE.sub("", line)


def go_locator(source: str, cells: list[str]) -> Locate:
    """Find the lines of the Go file ``source`` in the learner's ``cells`` by their text.

    The k-th line of ``source`` with a given text is the k-th such line of the cells (a
    ``}`` or ``return nil`` occurs many times); an import spec that no cell holds is cited
    where the cells first use the package."""
    cell_lines = [
        (Origin(index, n), _key(text))
        for index, cell in enumerate(cells)
        for n, text in enumerate(cell.split("\n"), 1)
    ]
    source_lines = source.split("\n")

    def locate(number: int) -> str | None:
        if not 0 < number <= len(source_lines):
            return None
        key = _key(source_lines[number - 1])
        if not key:
            return _in_declaration(number)
        ordinal = sum(_key(ln) == key for ln in source_lines[: number - 1])
        found = [origin for origin, text in cell_lines if text == key]
        if found:
            return cell_place(found[min(ordinal, len(found) - 1)], len(cells))
        spec = _IMPORT_SPEC.match(source_lines[number - 1].strip())
        if spec:
            return _first_use(spec.group(1) or spec.group(2).rsplit("/", 1)[-1], spec.group(2))
        return _in_declaration(number)

    def _first_use(name: str, path: str) -> str | None:
        use = re.compile(rf"(?<![\w.]){re.escape(name)}\.")
        for index, cell in enumerate(cells):
            for n, text in enumerate(cell.split("\n"), 1):
                if use.search(text.split("//", 1)[0]):
                    return cell_place(Origin(index, n, f' (uses the package "{path}")'), len(cells))
        for number, text in enumerate(source_lines, 1):  # a cell run but not saved (GoNB)
            if not _IMPORT_SPEC.match(text.strip()) and use.search(text.split("//", 1)[0]):
                return _in_declaration(number, f' (uses the package "{path}")')
        return None

    def _in_declaration(number: int, note: str = "") -> str | None:
        """A line no saved cell holds (GoNB runs cells that are not saved yet): the
        declaration it belongs to and its text."""
        text = source_lines[number - 1].strip()
        for line in reversed(source_lines[:number]):
            m = _GO_DECL.match(line)
            if m:
                kind = line.split()[0]
                name = m.group("func") or m.group("type") or m.group("value")
                shown = f", `{text}`" if text else ""
                return f"in {kind} {name}{shown}{note}"
        if number >= len(source_lines) - 1 and not text:
            return "at the end of the answer"
        return None

    return locate


# --- messages -------------------------------------------------------------------------------

#: ``line 4:`` (vetting, the restricted subset) and ``./answer.go:4:35:`` / ``main.go:4:`` /
#: ``answer.py:4:`` (compilers), wherever they start a line or follow a space
_PLACE = re.compile(
    r"(?m)(?:^|(?<=[\s(]))"
    r"(?:line (?P<line>\d+)|(?:\./)?(?:answer|main)\.(?:go|py):(?P<fline>\d+)(?::\d+)?)"
    r"(?=:)"
)


def relocate(message: str, locate: Locate) -> str:
    """``message`` with every answer-file line replaced by the cell and line it came from;
    a line no cell holds (code GoNB or goimports wrote) is left as it was."""

    def place(match: re.Match[str]) -> str:
        found = locate(int(match.group("line") or match.group("fline")))
        return found if found is not None else match.group(0)

    return _PLACE.sub(place, message)


# --- GoNB's program ---------------------------------------------------------------------------

_GO_DECL = re.compile(
    r"^(?:func\s+(?:\(\s*\w*\s*\*?\s*(?P<recv>\w+)[^)]*\)\s*)?(?P<func>\w+)"
    r"|type\s+(?P<type>\w+)|(?:var|const)\s+(?P<value>\w+))",
    re.M,
)
_GO_TOP = re.compile(r"^(?:func|type|var|const|import|package)\b")


def go_declared(text: str) -> set[str]:
    """Names declared at the top level of Go ``text`` (funcs, methods, types, single vars
    and consts)."""
    names: set[str] = set()
    for m in _GO_DECL.finditer(text):
        names.update(n for n in (m.group("func"), m.group("type"), m.group("value")) if n)
    return names


_GO_TOKEN = re.compile(
    r'//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'|[{}()]', re.S
)


def _depths(lines: list[str]) -> list[int]:
    """The bracket depth (``{`` and ``(``) at the start of each line, strings and comments
    skipped."""
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    depth = 0
    tokens = iter(_GO_TOKEN.finditer("\n".join(lines)))
    token = next(tokens, None)
    out = []
    for start in starts:
        while token is not None and token.start() < start:
            text = token.group(0)
            depth += {"{": 1, "(": 1, "}": -1, ")": -1}.get(text, 0)
            token = next(tokens, None)
        out.append(depth)
    return out


def gonb_answer(program: str, demo_cells: list[str]) -> str:
    """The part of GoNB's ``main.go`` that is the learner's answer: everything but GoNB's
    ``func main`` (which holds the ``%%`` demo cells) and the declarations of the demo
    cells (``demo_cells``, from the saved notebook). What the learner added to the answer
    cell and has not saved yet stays in: the grader will see it once it is saved."""
    demo = go_declared("\n".join(demo_cells)) | {"main"}
    chunks: list[list[str]] = [[]]
    lines = program.split("\n")
    for line, depth in zip(lines, _depths(lines), strict=True):
        # GoNB writes the demo cells into func main without indenting them: a declaration
        # starts at column 0 outside every block
        if depth == 0 and _GO_TOP.match(line):
            # a declaration's doc comment belongs to it
            comments: list[str] = []
            while chunks[-1] and chunks[-1][-1].startswith("//"):
                comments.insert(0, chunks[-1].pop())
            chunks.append(comments)
        chunks[-1].append(line)
    kept = []
    for chunk in chunks:
        head = next((ln for ln in chunk if _GO_TOP.match(ln)), "")
        m = _GO_DECL.match(head)
        names = (
            {m.group("func"), m.group("type"), m.group("value"), m.group("recv")} if m else set()
        )
        if not (names - {None}) or not (names & demo):
            kept.append(chunk)
    return "\n".join(line for chunk in kept for line in chunk) + "\n"
