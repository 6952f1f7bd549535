"""The static checkers that the lint plugin (tests/plugins/lint.py) turns into pytest items.

``checkers(root, config)`` builds them from the lint config file (tests/lint.toml): a
table per tool family, naming the areas each checks. One module per family:
``python`` (ruff check, ruff format, mypy), ``golang`` (gofmt, go vet, staticcheck) and
``actions`` (actionlint); ``base`` holds what they share.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.plugins.linters.actions import Actionlint
from tests.plugins.linters.base import Checker, Finding, Report, ToolRun
from tests.plugins.linters.golang import Gofmt, GoVet, Staticcheck
from tests.plugins.linters.python import LIBRARY, TOOLING, Mypy, RuffCheck, RuffFormat

__all__ = ["Checker", "Finding", "Report", "ToolRun", "checkers"]


def checkers(root: Path, config: dict[str, Any]) -> list[Checker]:
    """The checkers the config asks for, in a stable order (the items' order)."""
    bindir = str(config.get("bin", ".venv/bin"))
    found: list[Checker] = []
    if "ruff" in config:
        ruff = config["ruff"]
        areas = tuple(ruff["areas"])
        cfg = str(ruff.get("config", "pyproject.toml"))
        found += [
            RuffCheck(
                "ruff-check",
                root,
                areas,
                f"{bindir}/ruff check --config {cfg} --fix <area> fixes some",
                bindir=bindir,
                config=cfg,
            ),
            RuffFormat(
                "ruff-format",
                root,
                areas,
                f"{bindir}/ruff format --config {cfg} <area>",
                bindir=bindir,
                config=cfg,
            ),
        ]
    if "mypy" in config:
        mypy = config["mypy"]
        cwd = str(mypy.get("cwd", "."))
        targets = tuple(mypy.get("targets", ["."]))
        found.append(
            Mypy(
                "mypy",
                root,
                (LIBRARY, TOOLING),
                "",
                bindir=bindir,
                cwd=cwd,
                targets=targets,
            )
        )
    if "go" in config:
        module = str(config["go"]["module"])
        areas = (module,)
        found += [
            Gofmt("gofmt", root, areas, f"cd {module} && gofmt -w .", bindir=bindir),
            GoVet("go-vet", root, areas, "", bindir=bindir),
            Staticcheck("staticcheck", root, areas, "", bindir=bindir),
        ]
    if "actionlint" in config:
        areas = tuple(config["actionlint"]["workflows"])
        found.append(Actionlint("actionlint", root, areas, "", bindir=bindir))
    return found
