"""Notebook helpers: cell roles, answer extraction, solution stripping, stable writing.

nbformat is imported only where a notebook is converted or written: importing it costs
about a second (jsonschema's format checkers), too much for a check that should answer in
one. :func:`read_answer_cells` reads a saved v4 notebook as plain JSON instead.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import nbformat

ROLES = ("task", "answer", "check", "demo")
NBFORMAT_VERSION = 4

#: The widest code line a notebook cell shows whole: JupyterLab does not wrap code cells, and
#: at 1280 px with the file browser open it cuts a line off after about 100 columns (a tab
#: counts 4). A test of the project holds every notebook to it.
MAX_CODE_COLUMNS = 100

_MARKERS = {
    "python": ("# BEGIN SOLUTION", "# END SOLUTION"),
    "go": ("// BEGIN SOLUTION", "// END SOLUTION"),
}


class StripError(ValueError):
    """Unbalanced or nested solution markers."""


def cell_role(cell: Any) -> str | None:
    """The cell's ``metadata.twinbook.role`` or None."""
    meta = cell.get("metadata", {}).get("twinbook", {})
    return meta.get("role") if isinstance(meta, dict) else None


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    import nbformat

    nb: nbformat.NotebookNode = nbformat.read(str(path), as_version=NBFORMAT_VERSION)
    return nb


def read_answer_cells(path: str | Path) -> list[str]:
    """The answer cells of a saved notebook, read as plain JSON (no nbformat import).

    Raises ValueError naming the file when it is not a readable notebook (a save in
    progress, a file broken by hand). Notebooks older than v4 go through nbformat.
    """
    return read_code_cells(path, "answer")


def _notebook_json(path: Path) -> dict[str, Any]:
    """A saved notebook's JSON, with a ``cells`` list; ValueError naming the file otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable notebook: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError(f"{path}: not a notebook (no cells)")
    return data


def read_code_cells(path: str | Path, role: str) -> list[str]:
    """The code cells of a saved notebook whose role is ``role`` (see :func:`read_answer_cells`)."""
    path = Path(path)
    data = _notebook_json(path)
    if data.get("nbformat") != NBFORMAT_VERSION:
        nb = read_notebook(path)
        return [c.source for c in nb.cells if c.cell_type == "code" and cell_role(c) == role]
    sources = []
    for cell in data["cells"]:
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and cell_role(cell) == role:
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    return sources


def dumps_notebook(nb: Any) -> str:
    """The one fixed serialisation used for every notebook twinbook writes."""
    import nbformat

    text: str = nbformat.writes(nb, version=NBFORMAT_VERSION)
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb: Any, path: str | Path) -> None:
    Path(path).write_text(dumps_notebook(nb), encoding="utf-8")


def answer_cells(nb: Any) -> list[str]:
    """Sources of the code cells whose role is ``answer``, in notebook order."""
    return [
        cell.source for cell in nb.cells if cell.cell_type == "code" and cell_role(cell) == "answer"
    ]


def notebook_language(nb: Any) -> str:
    name = (nb.metadata.get("kernelspec") or {}).get("name", "")
    lang = (nb.metadata.get("kernelspec") or {}).get("language", "")
    return "go" if "gonb" in name or lang == "go" else "python"


def stub_line(language: str, title: str, indent: str = "") -> str:
    """What stands for a solution region in the learner's copy, indented by ``indent``: one
    line, or the call broken over three (ruff's and gofmt's way) when the line would be wider
    than :data:`MAX_CODE_COLUMNS`, so that a long title is not cut off at the cell's edge."""
    if language == "python":
        call, literal, comma, step = "raise NotImplementedError", _quoted(title), "", "    "
    else:
        call, literal, comma, step = "panic", _quoted("TODO: " + title), ",", "\t"
    line = f"{indent}{call}({literal})"
    if len(line.expandtabs(4)) <= MAX_CODE_COLUMNS:
        return line
    return f"{indent}{call}(\n{indent}{step}{literal}{comma}\n{indent})"


def _quoted(text: str) -> str:
    """A double-quoted string literal valid in both Python and Go."""
    return json.dumps(text, ensure_ascii=False)


def strip_solution(source: str, language: str, title: str, where: str = "<cell>") -> str:
    """Replace every ``BEGIN/END SOLUTION`` region (marker lines included) by the stub line.

    The stub is indented like the BEGIN marker. Text outside the regions is unchanged.
    """
    begin, end = _MARKERS[language]
    out: list[str] = []
    inside_since: int | None = None
    lines = source.split("\n")
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped == begin:
            if inside_since is not None:
                raise StripError(
                    f"{where}: line {number}: {begin} inside the region opened on line {inside_since}"
                )
            inside_since = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(stub_line(language, title, indent))
        elif stripped == end:
            if inside_since is None:
                raise StripError(f"{where}: line {number}: {end} without {begin}")
            inside_since = None
        elif inside_since is None:
            out.append(line)
    if inside_since is not None:
        raise StripError(f"{where}: line {inside_since}: {begin} is never closed by {end}")
    return "\n".join(out)


def has_solution_markers(source: str, language: str) -> bool:
    begin, _ = _MARKERS[language]
    return any(line.strip() == begin for line in source.split("\n"))


def clear_outputs(nb: Any) -> None:
    """Clear outputs, execution counts and execution timing metadata of every cell."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)


#: Key of an answer cell's ``metadata.twinbook`` holding the cell as generated (the stub):
#: the learner's copy carries its own original, so ``twinbook reset`` can put it back and
#: ``twinbook check`` can tell an untouched answer from a wrong one, with no other file.
STUB_KEY = "stub"


def make_stub_notebook(nb: Any, language: str, title: str, where: str = "<notebook>") -> Any:
    """A copy of a solution notebook with answers stripped and outputs cleared; each answer
    cell remembers its stub in its metadata (:data:`STUB_KEY`)."""
    import nbformat

    nb = nbformat.from_dict(nb)  # a deep copy
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.source = strip_solution(cell.source, language, title, f"{where}: cell {index}")
            if cell_role(cell) == "answer":
                cell.metadata["twinbook"][STUB_KEY] = cell.source
    clear_outputs(nb)
    return nb


def read_answer_stubs(path: str | Path) -> list[tuple[str, str | None]]:
    """(source, stub or None) of each answer cell of a saved notebook, in notebook order:
    the stub is what the generator wrote (:data:`STUB_KEY`), None in a notebook made before
    answer cells carried it. Raises ValueError like :func:`read_answer_cells`."""
    path = Path(path)
    data = _notebook_json(path)
    pairs: list[tuple[str, str | None]] = []
    for cell in data["cells"]:
        if (
            isinstance(cell, dict)
            and cell.get("cell_type") == "code"
            and cell_role(cell) == "answer"
        ):
            source = cell.get("source", "")
            stub = cell["metadata"]["twinbook"].get(STUB_KEY)
            pairs.append(
                (
                    "".join(source) if isinstance(source, list) else str(source),
                    stub if isinstance(stub, str) else None,
                )
            )
    return pairs


# --- Go answers ------------------------------------------------------------------------

_GO_IMPORT_BLOCK = re.compile(r"^import\s*\((.*?)^\)[ \t]*$", re.S | re.M)
_GO_IMPORT_LINE = re.compile(r"^import\s+((?:[A-Za-z_.][A-Za-z0-9_]*\s+)?\"[^\"]+\")[ \t]*$", re.M)
_GO_MAIN = re.compile(r"^func\s+main\s*\(\s*\)", re.M)
_GO_IMPORT_SPEC = re.compile(r"^\s*(?:[A-Za-z_.][A-Za-z0-9_]*\s+)?\"([^\"]+)\"", re.M)


def go_answer_file(cells: list[str]) -> str:
    """Turn Go answer cells (declarations only) into a ``package main`` file.

    Import declarations are hoisted to the top, GoNB magic lines (``%`` / ``!``) are dropped,
    ``func main() {}`` is added when no cell declares main. goimports completes imports later.
    """
    imports: list[str] = []
    bodies: list[str] = []
    for cell in cells:
        lines = [ln for ln in cell.split("\n") if not ln.startswith(("%", "!"))]
        text = "\n".join(lines)
        for block in _GO_IMPORT_BLOCK.findall(text):
            imports.extend(ln.strip() for ln in block.split("\n") if ln.strip())
        text = _GO_IMPORT_BLOCK.sub("", text)
        imports.extend(m.strip() for m in _GO_IMPORT_LINE.findall(text))
        text = _GO_IMPORT_LINE.sub("", text)
        bodies.append(text.strip("\n"))
    parts = ["package main", ""]
    unique = list(dict.fromkeys(imports))
    if unique:
        parts += ["import (", *("\t" + spec for spec in unique), ")", ""]
    parts += [b + "\n" for b in bodies if b.strip()]
    source = "\n".join(parts)
    if not _GO_MAIN.search(source):
        source += "\nfunc main() {}\n"
    return source


def go_imports(source: str) -> list[str]:
    """Import paths of a Go file (after goimports)."""
    paths = []
    for block in _GO_IMPORT_BLOCK.findall(source):
        paths += _GO_IMPORT_SPEC.findall(block)
    for spec in _GO_IMPORT_LINE.findall(source):
        paths += _GO_IMPORT_SPEC.findall(spec)
    return paths


# --- Python answers --------------------------------------------------------------------


def python_answer_file(cells: list[str]) -> str:
    """Python answer cells joined into one module (IPython magics dropped)."""
    bodies = []
    for cell in cells:
        lines = [ln for ln in cell.split("\n") if not ln.lstrip().startswith(("%", "!"))]
        bodies.append("\n".join(lines).strip("\n"))
    return "\n\n\n".join(b for b in bodies if b.strip()) + "\n"


def python_imports(source: str) -> list[str]:
    """Modules imported anywhere in Python source (absolute imports only)."""
    modules = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
    return modules


def disallowed_imports(
    language: str, source: str, allowed: tuple[str, ...] | list[str]
) -> list[str]:
    """Imports of ``source`` (an answer file) that ``allowed`` does not permit.

    Python: a module is allowed when it or one of its parent packages is listed, and
    ``__future__`` always is. Go: the exact import path must be listed.
    """
    if language == "python":
        bad = []
        for module in python_imports(source):
            parts = module.split(".")
            prefixes = {".".join(parts[: i + 1]) for i in range(len(parts))}
            if module != "__future__" and not prefixes & set(allowed):
                bad.append(module)
        return list(dict.fromkeys(bad))
    return list(dict.fromkeys(p for p in go_imports(source) if p not in allowed))
