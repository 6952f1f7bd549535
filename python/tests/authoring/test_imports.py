"""The package import graph (twinbook.authoring.imports): the real package keeps its rules,
and each kind of broken rule is caught in a small made-up package."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinbook.authoring import imports

SRC = Path(imports.__file__).resolve().parents[2]  # python/src


def test_the_package_keeps_its_rules():
    graph = imports.read_graph(SRC)
    assert imports.violations(graph) == []
    packages = graph.packages()
    for library in ("concurrency", "breaker", "resilience", "kafka", "registry", "events"):
        assert packages[library] <= imports.LIBRARY | {imports.ROOT}, (
            f"twinbook.{library} imports the tooling"
        )
    tooling = {p for p in packages if p not in imports.LIBRARY}
    assert packages["exercises"] & tooling <= {imports.ROOT}
    assert packages["runner"] & tooling <= {"exercises", imports.ROOT}
    for sibling in ("workbook", "authoring", "grading"):
        assert packages[sibling] & tooling <= {"exercises", "runner", imports.ROOT}


def test_main_prints_the_graph_and_exits_0(capsys):
    assert imports.main([str(SRC)]) == 0
    out = capsys.readouterr().out
    assert "tooling  workbook     -> exercises, runner" in out
    assert out.rstrip().endswith("0 problem(s)")


def write(src: Path, files: dict[str, str]) -> Path:
    for rel, text in {"twinbook/__init__.py": "", **files}.items():
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return src


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "twinbook/breaker/__init__.py": "from twinbook.runner import channel\n",
                "twinbook/runner/__init__.py": "",
                "twinbook/runner/channel.py": "",
            },
            "twinbook.breaker imports twinbook.runner.channel: the library imports the tooling",
        ),
        (
            {
                "twinbook/runner/__init__.py": "",
                "twinbook/runner/pyrunner.py": "def f():\n    from twinbook.grading import guard\n",
                "twinbook/grading/__init__.py": "",
                "twinbook/grading/guard.py": "",
            },
            "twinbook.runner.pyrunner imports twinbook.grading.guard: an upward import between tooling layers",
        ),
        (
            {
                "twinbook/workbook/__init__.py": "from twinbook.grading import grade\n",
                "twinbook/grading/__init__.py": "",
                "twinbook/grading/grade.py": "",
            },
            "twinbook.workbook imports twinbook.grading.grade: a sideways import between tooling layers",
        ),
        (
            {
                "twinbook/grading/__init__.py": "",
                "twinbook/grading/grade.py": "def out():\n    from .reports import MANAGED\n",
                "twinbook/grading/reports.py": "from .grade import out\n",
            },
            "import cycle among twinbook.grading.grade, twinbook.grading.reports",
        ),
        (
            {"twinbook/checks.py": ""},
            "twinbook.checks: neither a library package nor a tooling layer",
        ),
    ],
    ids=["library-into-tooling", "upward-hidden-in-a-function", "sideways", "cycle", "unknown"],
)
def test_a_broken_rule_is_named(tmp_path, files, expected):
    graph = imports.read_graph(write(tmp_path, files))
    assert expected in imports.violations(graph)
    assert imports.main([str(tmp_path)]) == 1


def test_an_import_only_the_type_checker_reads_makes_no_cycle(tmp_path):
    """``if TYPE_CHECKING:`` imports never run (schema/canonical.py annotates with the model
    that imports it when asked); the same import at run time is a cycle."""
    model = "def f():\n    from .canonical import g\n"
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .model import M\n"
    src = write(
        tmp_path / "guarded",
        {
            "twinbook/schema/__init__.py": "",
            "twinbook/schema/model.py": model,
            "twinbook/schema/canonical.py": guarded,
        },
    )
    assert imports.cycles(imports.read_graph(src)) == []
    src = write(
        tmp_path / "plain",
        {
            "twinbook/schema/__init__.py": "",
            "twinbook/schema/model.py": model,
            "twinbook/schema/canonical.py": "from .model import M\n",
        },
    )
    assert imports.cycles(imports.read_graph(src)) == [
        ["twinbook.schema.canonical", "twinbook.schema.model"]
    ]


def test_a_cycle_through_three_modules_is_one_group(tmp_path):
    src = write(
        tmp_path,
        {
            "twinbook/runner/__init__.py": "",
            "twinbook/runner/a.py": "from . import b\n",
            "twinbook/runner/b.py": "import twinbook.runner.c\n",
            "twinbook/runner/c.py": "from twinbook.runner.a import x\n",
        },
    )
    assert imports.cycles(imports.read_graph(src)) == [
        ["twinbook.runner.a", "twinbook.runner.b", "twinbook.runner.c"]
    ]
