"""The names table (book/appendix/names.md) lists every exported Go name and every public Python one.

Go's names come from ``go run ./internal/exportednames`` (go/doc over the
package sources), Python's from importing the packages (``names.public``).
A name missing from the table, or a table entry that names nothing, fails
here, so the table cannot drift from the code in either direction.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from names.public import public_names

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "book" / "appendix" / "names.md"
MIDDLEWARE = (".httpx_transport", ".grpc_interceptor")


def _everything(module: str) -> bool:
    return True


def _not_middleware(module: str) -> bool:
    return not module.endswith(MIDDLEWARE)


def _ending(suffix: str) -> Callable[[str], bool]:
    return lambda module: module.endswith(suffix)


# Each Go package and the Python package (and which of its modules) its table pairs it with.
SECTIONS: dict[str, tuple[str, Callable[[str], bool]]] = {
    "twinbook/clock": ("twinbook.clock", _everything),
    "twinbook/concurrency": ("twinbook.concurrency", _everything),
    "twinbook/breaker": ("twinbook.breaker", _not_middleware),
    "twinbook/breaker/breakerhttp": ("twinbook.breaker", _ending(".httpx_transport")),
    "twinbook/breaker/breakergrpc": ("twinbook.breaker", _ending(".grpc_interceptor")),
    "twinbook/resilience": ("twinbook.resilience", _everything),
    "twinbook/actor": ("twinbook.actor", _everything),
    "twinbook/supervisor": ("twinbook.supervisor", _everything),
    "twinbook/swarm": ("twinbook.swarm", _everything),
    "twinbook/schema": ("twinbook.schema", _everything),
    "twinbook/registry": ("twinbook.registry", _everything),
    "twinbook/events": ("twinbook.events", _everything),
    "twinbook/idempotency": ("twinbook.idempotency", _everything),
}

HEADING = re.compile(r"^## `(twinbook/[\w/]+)` and `(twinbook(?:\.\w+)*)`$")
NAME = re.compile(r"`([A-Za-z_][\w.]*)`")


def parse_cell(cell: str, where: str) -> list[str]:
    """The names in one cell: backticked names separated by commas, or a dash for none."""
    cell = cell.strip()
    if cell == "—":
        return []
    names = NAME.findall(cell)
    if not names or ", ".join(f"`{n}`" for n in names) != cell:
        raise ValueError(f"{where}: cannot read {cell!r} as `name`, `name`, ... or —")
    return names


def parse_table(text: str) -> dict[str, tuple[str, list[tuple[list[str], list[str]]]]]:
    """Section -> (Python package, rows of (Go names, Python names)), from the page's markdown."""
    sections: dict[str, tuple[str, list[tuple[list[str], list[str]]]]] = {}
    current: list[tuple[list[str], list[str]]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            match = HEADING.match(line)
            if match is None:
                raise ValueError(
                    f"line {number}: a section heading names a Go and a Python package"
                )
            current = []
            sections[match[1]] = (match[2], current)
        elif line.startswith("|") and current is not None:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[:2] == ["Go", "Python"] or set(cells[0]) <= {"-"}:
                continue  # the header row and its rule
            where = f"line {number}"
            go, python = parse_cell(cells[0], where), parse_cell(cells[1], where)
            if not go and not python:
                raise ValueError(f"{where}: a row with no name on either side")
            current.append((go, python))
    return sections


@pytest.fixture(scope="module")
def table() -> dict[str, tuple[str, list[tuple[list[str], list[str]]]]]:
    return parse_table(TABLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def go_names() -> dict[str, list[str]]:
    go = shutil.which("go")
    assert go is not None, "the Go toolchain is needed to list Go's exported names"
    dirs = ["./" + pkg.removeprefix("twinbook/") for pkg in SECTIONS]
    out = subprocess.run(
        [go, "run", "./internal/exportednames", *dirs],
        cwd=ROOT / "go",
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    names: dict[str, list[str]] = json.loads(out.stdout)
    return names


def test_the_table_has_a_section_per_go_package(
    table: dict[str, tuple[str, list[tuple[list[str], list[str]]]]],
) -> None:
    assert {pkg: python for pkg, (python, _) in table.items()} == {
        pkg: python for pkg, (python, _) in SECTIONS.items()
    }


@pytest.mark.parametrize("package", sorted(SECTIONS))
def test_every_exported_go_name_is_in_the_table_and_no_other(
    package: str,
    table: dict[str, tuple[str, list[tuple[list[str], list[str]]]]],
    go_names: dict[str, list[str]],
) -> None:
    listed = {name for go, _ in table[package][1] for name in go}
    actual = set(go_names[package])
    assert not actual - listed, (
        f"{package}: exported but not in names.md: {sorted(actual - listed)}"
    )
    assert not listed - actual, (
        f"{package}: in names.md but not exported: {sorted(listed - actual)}"
    )


@pytest.mark.parametrize("package", sorted(SECTIONS))
def test_every_public_python_name_is_in_the_table_and_no_other(
    package: str, table: dict[str, tuple[str, list[tuple[list[str], list[str]]]]]
) -> None:
    python_package, include = SECTIONS[package]
    listed = {name for _, python in table[package][1] for name in python}
    actual = public_names(python_package, include)
    assert not actual - listed, f"{package}: public but not in names.md: {sorted(actual - listed)}"
    assert not listed - actual, f"{package}: in names.md but not public: {sorted(listed - actual)}"


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("`Clock`", ["Clock"]),
        ("`pool.ordered`, `aio.pool.ordered`", ["pool.ordered", "aio.pool.ordered"]),
        ("—", []),
    ],
)
def test_a_cell_holds_names_or_a_dash(cell: str, names: list[str]) -> None:
    assert parse_cell(cell, "here") == names


@pytest.mark.parametrize("cell", ["Clock", "`Clock` and more", "`a`; `b`", ""])
def test_a_cell_with_anything_else_is_refused(cell: str) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        parse_cell(cell, "here")


def test_a_table_without_its_heading_or_a_row_with_no_name_is_refused() -> None:
    with pytest.raises(ValueError, match="section heading"):
        parse_table("## clock\n")
    with pytest.raises(ValueError, match="no name"):
        parse_table(
            "## `twinbook/clock` and `twinbook.clock`\n| Go | Python | Notes |\n| — | — | x |\n"
        )
