"""The design card's Python packages are direct, pinned and used dependencies.

The card names `jupyter` (the learner's install), `nbconvert`, `pytest`, `nbval`,
`grpcio-tools` and `sh`. A package that only arrives as some other package's dependency
can vanish with that package's next release, and one that is declared but used nowhere is
dead weight in every install, so each must be declared with an exact pin in the extra of
the people who use it (python/pyproject.toml), pinned alike in python/constraints.txt,
installed at that version, and used where this table says.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import tomllib
from dataclasses import dataclass

import pytest

from tests.repo import ROOT

PYPROJECT = ROOT / "python" / "pyproject.toml"
CONSTRAINTS = ROOT / "python" / "constraints.txt"


@dataclass(frozen=True)
class CardPackage:
    """One package of the design card: the extras that must declare it and its one real use."""

    name: str
    extras: tuple[str, ...]
    used_in: str  # a file of the repository, relative to its root
    use: str  # a regular expression that the file must match: how it uses the package
    module: str | None  # what it is imported as, if anything


CARD = (
    # The learner's install: `jupyter` brings the suite (JupyterLab, Notebook, nbconvert);
    # `make lab` starts it from the venv.
    CardPackage("jupyter", ("learn",), "Makefile", r'"\$\(BIN\)/jupyter" lab', None),
    # The grader returns each student's notebook with an HTML rendering beside it.
    CardPackage(
        "nbconvert",
        ("grade",),
        "python/src/twinbook/grading/returned.py",
        r"from nbconvert import HTMLExporter",
        "nbconvert",
    ),
    # The learner's `twinbook check` and the grader run the Python tests with pytest; the
    # project's own test command is pytest too.
    CardPackage(
        "pytest",
        ("dev", "learn", "grade"),
        "python/src/twinbook/runner/pyrunner.py",
        r"pytest\.main\(",
        "pytest",
    ),
    # Notebooks are tests: every run of the one test command checks them with nbval.
    CardPackage("nbval", ("dev",), "pytest.ini", r"(?m)^\s+--nbval\b", "nbval"),
    # One protoc call writes the gRPC stubs of both languages (`make proto`).
    CardPackage(
        "grpcio-tools", ("dev",), "Makefile", r"-m grpc_tools\.protoc\b", "grpc_tools.protoc"
    ),
    # The Go test plugin drives `go test` from Python with sh.
    CardPackage(
        "sh",
        ("dev",),
        "tests/plugins/gotest.py",
        r'(?m)^import sh$[\s\S]*sh\.Command\("go"\)',
        "sh",
    ),
)


def _name(requirement: str) -> str:
    return re.split(r"[=<>!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


@pytest.fixture(scope="module")
def extras() -> dict[str, dict[str, str]]:
    """extra -> {package: its requirement as written} from python/pyproject.toml."""
    declared = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return {
        extra: {_name(r): r for r in requirements}
        for extra, requirements in declared["optional-dependencies"].items()
    }


@pytest.fixture(scope="module")
def constraints() -> dict[str, str]:
    """package -> pinned version, from python/constraints.txt."""
    pins = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_name(name)] = version.strip()
    return pins


@pytest.mark.parametrize("package", CARD, ids=[p.name for p in CARD])
def test_declared_with_a_pin_in_its_extras(package, extras, constraints):
    pins = set()
    for extra in package.extras:
        requirement = extras[extra].get(package.name)
        assert requirement is not None, f"{package.name} is not declared in the {extra} extra"
        match = re.fullmatch(rf"{re.escape(package.name)}==([\w.]+)", requirement)
        assert match, f"{extra}: {requirement!r} is not pinned with =="
        pins.add(match.group(1))
    assert len(pins) == 1, f"{package.name} is pinned differently across extras: {pins}"
    (pin,) = pins
    assert constraints.get(package.name) == pin, (
        f"python/constraints.txt pins {package.name} at {constraints.get(package.name)}, "
        f"pyproject.toml at {pin}"
    )
    assert importlib.metadata.version(package.name) == pin, "run make setup"


@pytest.mark.parametrize("package", CARD, ids=[p.name for p in CARD])
def test_used_where_the_project_says(package):
    text = (ROOT / package.used_in).read_text(encoding="utf-8")
    assert re.search(package.use, text), f"{package.used_in} does not use {package.name}"
    if package.module is not None:
        importlib.import_module(package.module)


def _notebook_imports(path) -> set[str]:
    """The top-level modules a Python notebook's code cells import (magics and shell lines
    left out)."""
    import ast
    import json

    found: set[str] = set()
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


PYTHON_NOTEBOOKS = sorted(
    p
    for p in [*ROOT.glob("notebooks/*/*.ipynb"), *ROOT.glob("exercises/*/*/python/*.ipynb")]
    if '"name": "python3"' in p.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("notebook", PYTHON_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_learner_notebook_imports_only_what_the_learner_installs(notebook, extras):
    # The student edition installs the package with its `learn` extra only: a module that
    # the dev extra happens to bring passes every test here and fails in the learner's lab.
    import sys

    declared = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    installed = {_name(r) for r in declared["dependencies"]} | set(extras["learn"])
    providers = importlib.metadata.packages_distributions()
    missing = []
    for module in sorted(_notebook_imports(notebook)):
        if module in sys.stdlib_module_names or module == "twinbook":
            continue
        names = {_name(d) for d in providers.get(module, [])}
        if not names & installed:
            missing.append(f"{module} (from {sorted(names) or 'no installed package'})")
    assert not missing, (
        f"{notebook.relative_to(ROOT)} imports what neither the base dependencies nor the "
        f"`learn` extra declare: {', '.join(missing)}"
    )


def test_the_notebook_check_sees_the_notebooks():
    assert len(PYTHON_NOTEBOOKS) >= 20, [str(p) for p in PYTHON_NOTEBOOKS]
