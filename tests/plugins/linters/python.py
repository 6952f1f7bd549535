"""Python's checkers: ruff (lint, and format --check) and mypy.

Their settings live in python/pyproject.toml, not here: these classes only run the tools
and read what they print (ruff's JSON, ruff format's diff, mypy's JSON lines).
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Any

from tests.plugins.linters.base import (
    Checker,
    Command,
    Finding,
    Report,
    ToolRun,
    diff_findings,
    location_findings,
    repo_path,
    venv_tool,
)


@dataclasses.dataclass(frozen=True)
class Ruff(Checker):
    """What both ruff checkers share: the tool, its config and the areas as paths."""

    bindir: str = ".venv/bin"
    config: str = "python/pyproject.toml"

    def ruff(self, *args: str) -> Command:
        tool = venv_tool(self.root, self.bindir, "ruff")
        # (kept across sessions, so not in build/lint, whose run folders are pruned)
        cache = self.root / "build" / "cache" / "ruff"
        # (a missing area fails its own item; the others are still checked)
        areas = [area for area in self.areas if self.area_exists(area)]
        return Command(
            [tool, *args, "--config", self.config, "--cache-dir", str(cache), *areas], self.root
        )


@dataclasses.dataclass(frozen=True)
class RuffCheck(Ruff):
    """``ruff check``: the lint rules selected in the config."""

    def command(self) -> Command:
        return self.ruff("check", "--output-format", "json", "--no-fix")

    def parse(self, run: ToolRun) -> Report:
        if run.exit_code not in (0, 1):
            return self.crashed(run)
        try:
            diagnostics = json.loads(run.stdout or "[]")
        except json.JSONDecodeError:
            return self.crashed(run, ", and its output is not JSON")
        findings = []
        for d in diagnostics:
            location = d.get("location") or {}
            code = d.get("code")
            findings.append(
                Finding(
                    repo_path(self.root, d.get("filename", "?"), self.root),
                    int(location.get("row") or 1),
                    int(location.get("column") or 1),
                    f"{code} {d.get('message', '')}" if code else d.get("message", ""),
                )
            )
        return Report(findings)


@dataclasses.dataclass(frozen=True)
class RuffFormat(Ruff):
    """``ruff format --check``: a finding per hunk the formatter would change."""

    def command(self) -> Command:
        return self.ruff("format", "--check", "--diff")

    def parse(self, run: ToolRun) -> Report:
        findings = diff_findings(
            run.stdout, self.root, self.root, "not formatted (ruff format fixes it)"
        )
        # (the rest of stderr is the "N files would be reformatted" summary)
        unparsable, _summary = location_findings(
            run.stderr.splitlines(), self.root, self.root, ".py", strip="error: Failed to parse "
        )
        findings += [
            dataclasses.replace(f, message=f"cannot parse: {f.message}") for f in unparsable
        ]
        if run.exit_code not in (0, 1) and not unparsable:
            return self.crashed(run)
        if run.exit_code == 1 and not findings:
            return self.crashed(run, ", and it printed no diff")
        return Report(findings)


LIBRARY, TOOLING = "library", "tooling"


@dataclasses.dataclass(frozen=True)
class Mypy(Checker):
    """mypy, run from ``cwd`` (where its pyproject.toml is) over ``targets``.

    Two areas: ``library``, the modules that a strict override in mypy's config names
    (``strict = true``, or ``disallow_untyped_defs = true`` as the library's override
    spells strict mode out), and ``tooling``, everything else. The split is read from the config,
    so a package that moves between the two needs no change here.
    """

    bindir: str = ".venv/bin"
    cwd: str = "python"
    targets: tuple[str, ...] = ("src",)

    def command(self) -> Command:
        tool = venv_tool(self.root, self.bindir, "mypy")
        cache = self.root / "build" / "cache" / "mypy"  # kept across sessions, as ruff's
        argv = [tool, *self.targets, "-O", "json", "--no-error-summary", "--cache-dir", str(cache)]
        return Command(argv, self.root / self.cwd)

    def parse(self, run: ToolRun) -> Report:
        base = self.root / self.cwd
        findings: list[Finding] = []
        stray: list[str] = []
        for line in run.stdout.splitlines():
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                if line.strip():
                    stray.append(line)
                continue
            if not isinstance(d, dict) or d.get("severity") != "error":
                continue
            code = f"  [{d['code']}]" if d.get("code") else ""
            findings.append(
                Finding(
                    repo_path(self.root, d.get("file", "?"), base),
                    int(d.get("line") or 1),
                    max(int(d.get("column") or 0), 0) + 1,  # mypy's JSON counts from 0
                    f"{d.get('message', '')}{code}",
                    detail="\n".join("    " + h for h in (d.get("hint") or "").splitlines()),
                )
            )
        if run.exit_code not in (0, 1) or (run.exit_code == 1 and not findings):
            return self.crashed(run)
        return Report(findings)

    def area_exists(self, area: str) -> bool:
        return (self.root / self.cwd).is_dir()  # the areas are kinds of module, not folders

    def area_of(self, finding: Finding) -> str:
        module = self._module(finding.path)
        if module is not None and any(p.fullmatch(module) for p in self._strict_modules):
            return LIBRARY
        return TOOLING

    def _module(self, path: str) -> str | None:
        full = self.root / path
        for search in self._mypy_path:
            try:
                rel = full.relative_to(search)
            except ValueError:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            return ".".join(parts)
        return None

    @cached_property
    def _config(self) -> dict[str, Any]:
        path = self.root / self.cwd / "pyproject.toml"
        config: dict[str, Any] = tomllib.loads(path.read_text()).get("tool", {}).get("mypy", {})
        return config

    @cached_property
    def _mypy_path(self) -> list[Path]:
        base = self.root / self.cwd
        entries = [e.strip() for e in str(self._config.get("mypy_path", "")).split(",")]
        return [base / e for e in entries if e] + [base]

    @cached_property
    def _strict_modules(self) -> list[re.Pattern[str]]:
        """mypy's module patterns (``a.b.*`` is a.b and below) of the strict overrides."""
        patterns = []
        for override in self._config.get("overrides", []):
            if not (override.get("strict") or override.get("disallow_untyped_defs")):
                continue
            modules = override.get("module", [])
            for module in [modules] if isinstance(modules, str) else modules:
                regex = re.escape(module).replace(r"\.\*", r"(\..+)?").replace(r"\*", r"[^.]+")
                patterns.append(re.compile(regex))
        return patterns
