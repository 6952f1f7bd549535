"""Go's checkers over one module: gofmt, go vet and staticcheck.

Each runs inside the module's folder, as a Go developer would (``go vet ./...``), so a
nested module such as go/tools (the pinned developer tools) is left out, as ``./...``
leaves it out. gofmt takes files, not packages: the same folders are listed for it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path

from tests.plugins.linters.base import (
    Checker,
    Command,
    Finding,
    Report,
    ToolMissing,
    ToolRun,
    diff_findings,
    location_findings,
    path_tool,
    repo_path,
    venv_tool,
)

GO_HINT = "Go 1.26 is needed: see the README, then run `make setup`"


@dataclasses.dataclass(frozen=True)
class GoChecker(Checker):
    """A checker of one Go module; its one area is the module's folder."""

    bindir: str = ".venv/bin"

    @property
    def module(self) -> Path:
        return self.root / self.areas[0]


def go_files(module: Path) -> list[str]:
    """The module's .go files as the go command sees them, relative to the module.

    Skipped like ``./...`` skips them: folders whose names start with . or _, testdata,
    vendor, and nested modules (a folder with its own go.mod).
    """
    files: list[str] = []
    for folder, dirs, names in os.walk(module):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith((".", "_"))
            and d not in ("testdata", "vendor")
            and not (here / d / "go.mod").exists()
        )
        files += [
            (here / n).relative_to(module).as_posix() for n in sorted(names) if n.endswith(".go")
        ]
    return files


def gofmt_path() -> str:
    """gofmt from PATH, else from the Go installation that ``go`` on PATH belongs to."""
    try:
        return path_tool("gofmt", GO_HINT)
    except ToolMissing:
        go = path_tool("go", GO_HINT)
        goroot = subprocess.run(
            [go, "env", "GOROOT"], capture_output=True, text=True, check=False
        ).stdout.strip()
        candidate = Path(goroot) / "bin" / "gofmt"
        if goroot and candidate.exists():
            return str(candidate)
        raise


@dataclasses.dataclass(frozen=True)
class Gofmt(GoChecker):
    """``gofmt -d``: a finding per hunk gofmt would change, and every syntax error."""

    def command(self) -> Command:
        return Command([gofmt_path(), "-d", "-e", *go_files(self.module)], self.module)

    def parse(self, run: ToolRun) -> Report:
        findings = diff_findings(
            run.stdout, self.root, self.module, "not gofmt-ed (gofmt -w fixes it)"
        )
        errors, stray = location_findings(run.stderr.splitlines(), self.root, self.module, ".go")
        # exit code 1: a diff; 2: a syntax error (which is a finding too)
        if stray or (run.exit_code != 0 and not findings + errors):
            return self.crashed(run)
        return Report(findings + errors)


@dataclasses.dataclass(frozen=True)
class GoVet(GoChecker):
    """``go vet ./...``: vet's findings, and the compile errors that stop it."""

    def command(self) -> Command:
        return Command([path_tool("go", GO_HINT), "vet", "./..."], self.module)

    def parse(self, run: ToolRun) -> Report:
        lines = [line for line in run.stderr.splitlines() if not line.startswith("# ")]
        # (other lines are progress, e.g. "go: downloading ..." while the module cache warms)
        findings, _progress = location_findings(lines, self.root, self.module, ".go", strip="vet: ")
        if run.exit_code != 0 and not findings:
            return self.crashed(run)
        return Report(findings)


@dataclasses.dataclass(frozen=True)
class Staticcheck(GoChecker):
    """staticcheck (honnef.co/go/tools, pinned in go/tools) with its default checks."""

    def command(self) -> Command:
        tool = venv_tool(self.root, self.bindir, "staticcheck")
        return Command([tool, "-f", "json", "./..."], self.module)

    def parse(self, run: ToolRun) -> Report:
        findings: list[Finding] = []
        for line in run.stdout.splitlines():
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            location = d.get("location") or {}
            findings.append(
                Finding(
                    repo_path(self.root, location.get("file") or "?", self.module),
                    int(location.get("line") or 1),
                    int(location.get("column") or 1),
                    f"{d.get('message', '')} ({d.get('code', '?')})",
                )
            )
        if run.exit_code not in (0, 1) or (run.exit_code == 1 and not findings):
            return self.crashed(run)
        return Report(findings)
