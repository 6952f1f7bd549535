"""Tests of tests/plugins/lint.py (static checks as pytest items), on throwaway trees.

Each test writes a small tree with its own lint.toml into pytester's dir and runs pytest
on it with only the lint plugin, using the real tools of this venv (ruff, mypy,
staticcheck, actionlint) and of PATH (go, gofmt, shellcheck): a finding must fail its
area's item naming file and line, a clean tree must pass, a missing tool must fail.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PLUGIN = ("-p", "tests.plugins.lint", "-p", "no:cacheprovider", "-p", "no:randomly", "-rf")

Write = Callable[[str, str], Path]

PYPROJECT = """
[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F", "I"]

[tool.mypy]
mypy_path = "src"
explicit_package_bases = true
check_untyped_defs = true

[[tool.mypy.overrides]]
module = ["lib.*"]
disallow_untyped_defs = true
"""


def lint_toml(bindir: Path | str = VENV_BIN, **tables: str) -> str:
    """A lint.toml with the tools in ``bindir`` and the given tables (name -> body)."""
    body = "".join(
        f"\n[{name}]\n{textwrap.dedent(text).strip()}\n" for name, text in tables.items()
    )
    return f'root = "."\nbin = "{bindir}"\n{body}'


RUFF = 'config = "pyproject.toml"\nareas = ["bad", "good"]'
MYPY = 'cwd = "."\ntargets = ["src"]'


@pytest.fixture
def tree(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Write:
    """A file writer into pytester's dir (dedented), with the shared pyproject.toml."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # for runpytest_subprocess

    def write(relpath: str, source: str) -> Path:
        path = pytester.path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
        return path

    write("pyproject.toml", PYPROJECT)
    return write


_VERBOSE_LINE = re.compile(r"^\S*lint\.toml::(\S+) (PASSED|FAILED|SKIPPED|ERROR)\b")


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """Item name -> PASSED/FAILED/..., from a -v run."""
    return {m.group(1): m.group(2) for line in result.outlines if (m := _VERBOSE_LINE.match(line))}


def test_ruff_findings_fail_their_area_with_file_and_line(
    pytester: pytest.Pytester, tree: Write
) -> None:
    tree("lint.toml", lint_toml(ruff=RUFF))
    tree("bad/unused.py", "import os\n")
    tree("bad/ugly.py", 'x = 1\n\ny = {  "a":1}\n')
    tree("good/fine.py", "def f(x: int) -> int:\n    return x\n")

    result = pytester.runpytest(*PLUGIN, "-v")
    assert outcomes(result) == {
        "ruff-check[bad]": "FAILED",
        "ruff-check[good]": "PASSED",
        "ruff-format[bad]": "FAILED",
        "ruff-format[good]": "PASSED",
    }
    result.stdout.fnmatch_lines_random(
        [
            "ruff-check: 1 finding in bad",
            "bad/unused.py:1:8: F401 *os* imported but unused",
            "ruff-format: 1 finding in bad",
            "bad/ugly.py:3:1: not formatted (ruff format fixes it)",
            "+y = {*a*: 1}",  # the diff is in the details
            "$ *ruff check --output-format json*bad good*(exit code 1)",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_mypy_splits_library_and_tooling(pytester: pytest.Pytester, tree: Write) -> None:
    tree("lint.toml", lint_toml(mypy=MYPY))
    tree("src/lib/__init__.py", "")
    tree("src/lib/core.py", "def double(x):\n    return 2 * x\n")  # untyped: strict only
    tree("src/tool/__init__.py", "")
    tree("src/tool/cli.py", "def main() -> None:\n    count: int = 'three'\n")

    result = pytester.runpytest(*PLUGIN, "-v")
    assert outcomes(result) == {"mypy[library]": "FAILED", "mypy[tooling]": "FAILED"}
    result.stdout.fnmatch_lines_random(
        [
            "mypy: 1 finding in library",
            "src/lib/core.py:1:1: Function is missing a type annotation  [[]no-untyped-def[]]",
            "mypy: 1 finding in tooling",
            "src/tool/cli.py:2:18: Incompatible types in assignment*  [[]assignment[]]",
        ]
    )


GO_BAD = {
    "go.mod": "module example.com/m\n\ngo 1.26\n",
    "fmtbad/fmtbad.go": "package fmtbad\n\n// F does nothing.\nfunc  F() {}\n",
    "vetbad/vetbad.go": """
        package vetbad

        import "fmt"

        // V prints.
        func V() {
        \tfmt.Printf("%d\\n", "not a number")
        }
    """,
    "scbad/scbad.go": """
        package scbad

        // S compares to a constant.
        func S(b bool) int {
        \tif b == true {
        \t\treturn 1
        \t}
        \treturn 0
        }
    """,
    # a nested module (like go/tools) is not part of the module: its mess is not reported
    "tools/go.mod": "module example.com/tools\n\ngo 1.26\n",
    "tools/t.go": "package  tools\n",
    # neither is testdata
    "fmtbad/testdata/x.go": "package  x\n",
}


def test_go_checkers_name_file_and_line(pytester: pytest.Pytester, tree: Write) -> None:
    tree("lint.toml", lint_toml(go='module = "m"'))
    for path, source in GO_BAD.items():
        tree(f"m/{path}", source)

    result = pytester.runpytest(*PLUGIN, "-v")
    assert outcomes(result) == {
        "gofmt[m]": "FAILED",
        "go-vet[m]": "FAILED",
        "staticcheck[m]": "FAILED",
    }
    result.stdout.fnmatch_lines_random(
        [
            "gofmt: 1 finding in m",
            "m/fmtbad/fmtbad.go:4:1: not gofmt-ed (gofmt -w fixes it)",
            "go-vet: 1 finding in m",
            'm/vetbad/vetbad.go:7:14: fmt.Printf format %d has arg "not a number" of wrong type string',
            "staticcheck: 2 findings in m",
            "m/scbad/scbad.go:5:5: should omit comparison to bool constant* (S1002)",
            "m/vetbad/vetbad.go:7:13: Printf format %d has arg #1 of wrong type string (SA5009)",
        ]
    )
    assert not any("tools/t.go" in line or "testdata" in line for line in result.outlines)


def test_actionlint_names_file_and_line(pytester: pytest.Pytester, tree: Write) -> None:
    tree("lint.toml", lint_toml(actionlint='workflows = [".github/workflows"]'))
    tree(
        ".github/workflows/ci.yml",
        """
        on: push
        jobs:
          test:
            runs-on: ubuntu-24.04
            needs: build
            steps:
              - run: echo $1
    """,
    )
    result = pytester.runpytest(*PLUGIN, "-v")
    assert outcomes(result) == {"actionlint[.github/workflows]": "FAILED"}
    result.stdout.fnmatch_lines_random(
        [
            "actionlint: 2 findings in .github/workflows",
            '.github/workflows/ci.yml:3:3: job "test" needs job "build" which does not exist* [[]job-needs[]]',
            ".github/workflows/ci.yml:7:9: shellcheck reported issue in this script: SC2086:* [[]shellcheck[]]",
        ]
    )


def test_a_clean_tree_passes_every_checker(pytester: pytest.Pytester, tree: Write) -> None:
    tree(
        "lint.toml",
        lint_toml(ruff=RUFF, mypy=MYPY, go='module = "m"', actionlint='workflows = ["wf"]'),
    )
    tree("bad/ok.py", "X = 1\n")  # the area's name is only a name
    tree("good/ok.py", "def f(x: int) -> int:\n    return x\n")
    tree("src/lib/__init__.py", "")
    tree("src/lib/core.py", "def double(x: int) -> int:\n    return 2 * x\n")
    tree("m/go.mod", "module example.com/m\n\ngo 1.26\n")
    tree("m/ok/ok.go", "package ok\n\n// F is one.\nfunc F() int { return 1 }\n")
    tree(
        "wf/ci.yml",
        """
        on: push
        jobs:
          test:
            runs-on: ubuntu-24.04
            steps:
              - run: echo "fine"
    """,
    )
    result = pytester.runpytest(*PLUGIN, "-v")
    result.assert_outcomes(passed=10)
    assert set(outcomes(result)) == {
        "ruff-check[bad]",
        "ruff-check[good]",
        "ruff-format[bad]",
        "ruff-format[good]",
        "mypy[library]",
        "mypy[tooling]",
        "gofmt[m]",
        "go-vet[m]",
        "staticcheck[m]",
        "actionlint[wf]",
    }
    assert result.ret == pytest.ExitCode.OK


def test_a_missing_tool_fails_and_says_how_to_install_it(
    pytester: pytest.Pytester, tree: Write
) -> None:
    tree("lint.toml", lint_toml(bindir="nobin", ruff=RUFF, mypy=MYPY))
    tree("good/ok.py", "X = 1\n")
    tree("bad/ok.py", "X = 1\n")
    result = pytester.runpytest(*PLUGIN, "-v")
    result.assert_outcomes(failed=6)  # never skipped
    result.stdout.fnmatch_lines_random(
        [
            "ruff is not installed: nobin/ruff does not exist (`make setup` installs it)",
            "mypy is not installed: nobin/mypy does not exist (`make setup` installs it)",
        ]
    )


def test_a_missing_area_fails(pytester: pytest.Pytester, tree: Write) -> None:
    tree("lint.toml", lint_toml(ruff=RUFF))
    tree("good/ok.py", "X = 1\n")
    result = pytester.runpytest(*PLUGIN, "-v")
    assert outcomes(result) == {
        "ruff-check[bad]": "FAILED",
        "ruff-check[good]": "PASSED",
        "ruff-format[bad]": "FAILED",
        "ruff-format[good]": "PASSED",
    }
    result.stdout.fnmatch_lines(["*ruff-check[[]bad[]]: bad/ does not exist (see lint.toml)*"])


def test_under_xdist_each_tool_runs_once(
    pytester: pytest.Pytester, tree: Write, tmp_path: Path
) -> None:
    """Four areas over two workers: ruff still runs once for check, once for format."""
    log = tmp_path / "ruff-calls.log"
    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = bindir / "ruff"
    wrapper.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{VENV_BIN / "ruff"}" "$@"\n')
    wrapper.chmod(0o755)
    areas = ["a", "b", "c", "d"]
    tree("lint.toml", lint_toml(bindir, ruff=f'config = "pyproject.toml"\nareas = {areas}'))
    for area in areas:
        tree(f"{area}/ok.py", "X = 1\n")
    tree("d/bad.py", "import os\n")
    # Python tests too, so that both workers have work
    for i in range(4):
        pytester.makepyfile(**{f"test_py{i}": "def test_it():\n    pass\n"})

    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", "--dist", "load", "-v")
    result.assert_outcomes(passed=11, failed=1)
    result.stdout.fnmatch_lines_random(["*gw0*", "*gw1*", "*FAILED*ruff-check[[]d[]]*"])
    assert sorted(log.read_text().split()) == ["check", "format"]


def test_repository_config_names_every_checker(pytester: pytest.Pytester) -> None:
    """The repository's own tests/lint.toml: its items, collected without running a tool."""
    result = pytester.runpytest(
        *PLUGIN, "--collect-only", "-q", "--rootdir", str(ROOT), "-c", os.devnull,
        str(ROOT / "tests" / "lint.toml"),
    )  # fmt: skip
    result.stdout.fnmatch_lines_random(
        [
            "tests/lint.toml::ruff-check[[]python[]]",
            "tests/lint.toml::ruff-format[[]solutions[]]",
            "tests/lint.toml::mypy[[]library[]]",
            "tests/lint.toml::mypy[[]tooling[]]",
            "tests/lint.toml::gofmt[[]go[]]",
            "tests/lint.toml::go-vet[[]go[]]",
            "tests/lint.toml::staticcheck[[]go[]]",
            "tests/lint.toml::actionlint[[].github/workflows[]]",
        ]
    )
