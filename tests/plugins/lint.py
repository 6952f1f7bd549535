"""pytest plugin: static checks as pytest items, one per checker and area.

When collection reaches a lint config file (``lint.toml``; the repository's is
tests/lint.toml) the plugin yields one item per checker and area it names::

    tests/lint.toml::ruff-check[python]     ruff check over python/
    tests/lint.toml::ruff-format[tests]     ruff format --check over tests/
    tests/lint.toml::mypy[library]          mypy, the strict library packages
    tests/lint.toml::gofmt[go]              gofmt, go vet, staticcheck over the Go module
    tests/lint.toml::actionlint[.github/workflows]

An item fails with its area's findings, one ``path:line:col: message`` line each (paths
relative to the repository root), then the command that found them. A tool that is not
installed is a failing item that says how to install it, never a skip: a machine without
the tools must not pass what a machine with them fails.

Each tool runs once per session however many areas it has and however many xdist
workers there are: the first item of a checker to run starts every checker the session
selected (in threads, so that mypy and staticcheck overlap), and the result is shared
through ``build/lint/<testrunuid>/`` (tests/plugins/runshare.py). Collection runs no
tool, so ``pytest -k 'not lint'`` costs nothing.

Enable with ``-p tests.plugins.lint`` (pytest.ini does); ``make lint`` runs these items
alone.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from _pytest._code.code import TerminalRepr, TracebackStyle

from tests.plugins.linters import Checker, Report, ToolRun, checkers
from tests.plugins.runshare import shared_result

CONFIG_NAME = "lint.toml"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name == CONFIG_NAME:
        return LintConfig.from_parent(parent, path=file_path)
    return None


class LintFailure(Exception):
    """A checker found something in an area (or could not run); the message says what."""


class LintConfig(pytest.File):
    """A lint config file: its checkers, and their runs shared by the items."""

    def collect(self) -> Iterator[pytest.Item]:
        config = tomllib.loads(self.path.read_text())
        self.root = (self.path.parent / str(config.get("root", "."))).resolve()
        self.checkers = checkers(self.root, config)
        self._pool: ThreadPoolExecutor | None = None
        self._reports: dict[str, Future[Report]] = {}
        for checker in self.checkers:
            for area in checker.areas:
                yield LintItem.from_parent(
                    self, name=f"{checker.name}[{area}]", checker=checker, area=area
                )

    def report(self, checker: Checker) -> Report:
        """The checker's report, running it (and every other selected checker) if needed."""
        if self._pool is None:
            selected = {
                item.checker.name: item.checker
                for item in self.session.items
                if isinstance(item, LintItem) and item.parent is self
            }
            self._pool = ThreadPoolExecutor(
                max_workers=max(len(selected), 1), thread_name_prefix="lint"
            )
            self.config.add_cleanup(self._shutdown)
            for chosen in selected.values():
                self._submit(chosen)
        return self._submit(checker).result()

    def _shutdown(self) -> None:
        """Wait for the tools still running (a session stopped early: -x, Ctrl-C)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def _submit(self, checker: Checker) -> Future[Report]:
        if checker.name not in self._reports:
            assert self._pool is not None
            self._reports[checker.name] = self._pool.submit(self._run, checker)
        return self._reports[checker.name]

    def _run(self, checker: Checker) -> Report:
        key = f"{checker.name}-{hashlib.sha256(str(self.path).encode()).hexdigest()[:8]}"

        def produce(out: Path) -> None:
            out.write_text(checker.run().to_json())

        run = ToolRun.from_json(shared_result(self.config, "lint", key, produce).read_text())
        report = checker.report(run)
        if run.missing is None:
            report.command = f"$ {run.command_line(self.root)}   (exit code {run.exit_code})"
        return report


class LintItem(pytest.Item):
    """One checker over one area: fails with the area's findings."""

    def __init__(self, *, checker: Checker, area: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.checker = checker
        self.area = area

    @property
    def lint_config(self) -> LintConfig:
        assert isinstance(self.parent, LintConfig)
        return self.parent

    def runtest(self) -> None:
        if not self.checker.area_exists(self.area):
            raise LintFailure(f"{self.name}: {self.area}/ does not exist (see {self.path.name})")
        report = self.lint_config.report(self.checker)
        if report.failure is not None:
            raise LintFailure("\n\n".join(filter(None, [report.failure, report.command])))
        findings = sorted(
            (f for f in report.findings if self.checker.area_of(f) == self.area),
            key=lambda f: (f.path, f.line, f.col),
        )
        if not findings:
            return
        count = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
        lines = [f"{self.checker.name}: {count} in {self.area}", *map(str, findings)]
        details = [f"{f}\n{f.detail}" for f in findings if f.detail]
        if details:
            lines += ["", "details:", *details]
        lines += ["", report.command]
        if self.checker.fix:
            lines.append(f"fix: {self.checker.fix.replace('<area>', self.area)}")
        raise LintFailure("\n".join(lines))

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, LintFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name
