"""What every static checker shares: findings, one run of a tool, and how a checker is shaped.

A checker runs one tool once over all its areas (say ruff over python/, tests/ and book/)
and turns the tool's output into findings; the lint plugin then gives each area its own
pytest item, failing with that area's findings. Running once and splitting afterwards
keeps a session to one ruff, one mypy and one staticcheck, however many areas there are.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import shutil
import subprocess
import time
from abc import ABC, abstractmethod
from pathlib import Path

SETUP_HINT = "`make setup` installs it"


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing a tool found: where (repo-relative), what, and optional detail lines."""

    path: str
    line: int
    col: int
    message: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


@dataclasses.dataclass(frozen=True)
class ToolRun:
    """What one run of a tool left: stored as JSON so that xdist workers can share it."""

    argv: list[str]
    cwd: str
    exit_code: int
    stdout: str
    stderr: str
    seconds: float = 0.0
    # Set instead of running when the tool is not installed: says how to install it.
    missing: str | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ToolRun:
        return cls(**json.loads(text))

    def command_line(self, root: Path) -> str:
        """The command as someone would type it from the repository root."""
        cwd = Path(self.cwd)
        argv = [_shorten(arg, root, cwd) for arg in self.argv]
        where = "" if cwd == root else f"cd {_shorten(str(cwd), root, root)} && "
        return where + shlex.join(argv)


@dataclasses.dataclass
class Report:
    """A checker's findings, or why the checker itself could not give any."""

    findings: list[Finding] = dataclasses.field(default_factory=list)
    failure: str | None = None
    command: str = ""  # the command line that ran, for the reader to run again


class ToolMissing(Exception):
    """The tool a checker needs is not installed; the message says how to install it."""


@dataclasses.dataclass(frozen=True)
class Command:
    argv: list[str]
    cwd: Path


@dataclasses.dataclass(frozen=True)
class Checker(ABC):
    """One tool over some areas of the repository.

    ``name`` names the items (``<name>[<area>]``); ``fix``, if the tool can fix its
    findings, says how (``<area>`` stands for the area). Subclasses build the command
    and parse what the tool printed.
    """

    name: str
    root: Path
    areas: tuple[str, ...]
    fix: str

    @abstractmethod
    def command(self) -> Command:
        """The tool's argv and working directory; raises ToolMissing if it is not installed."""

    @abstractmethod
    def parse(self, run: ToolRun) -> Report:
        """Findings from the tool's output (a failure if the tool itself went wrong)."""

    def area_of(self, finding: Finding) -> str:
        """The area a finding belongs to: the longest area that is a prefix of its path."""
        for area in sorted(self.areas, key=len, reverse=True):
            if finding.path == area or finding.path.startswith(area.rstrip("/") + "/"):
                return area
        return self.areas[0]

    def area_exists(self, area: str) -> bool:
        """Whether the area is there to check (areas are folders unless a checker says not)."""
        return (self.root / area).exists()

    def run(self) -> ToolRun:
        """Run the tool (or record why it cannot run)."""
        try:
            cmd = self.command()
        except ToolMissing as exc:
            return ToolRun([], str(self.root), -1, "", "", missing=str(exc))
        started = time.monotonic()
        try:
            proc = subprocess.run(
                cmd.argv,
                cwd=cmd.cwd,
                capture_output=True,
                text=True,
                errors="replace",
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except OSError as exc:
            return ToolRun(cmd.argv, str(cmd.cwd), -1, "", "", missing=f"{cmd.argv[0]}: {exc}")
        return ToolRun(
            argv=cmd.argv,
            cwd=str(cmd.cwd),
            exit_code=proc.returncode,
            stdout=proc.stdout,
            stderr=proc.stderr,
            seconds=round(time.monotonic() - started, 3),
        )

    def report(self, run: ToolRun) -> Report:
        if run.missing is not None:
            return Report(failure=run.missing)
        return self.parse(run)

    def crashed(self, run: ToolRun, what: str = "") -> Report:
        """A failure report carrying everything the tool printed."""
        text = "\n".join(
            part.rstrip()
            for part in (
                f"{self.name} did not run to the end (exit code {run.exit_code}){what}:",
                run.stderr,
                run.stdout,
            )
            if part.strip()
        )
        return Report(failure=text)


# --------------------------------------------------------------------------------------
# Finding tools


def venv_tool(root: Path, bindir: str, name: str) -> str:
    """A tool that `make setup` installs into the project's bin directory (.venv/bin)."""
    path = root / bindir / name
    if not os.access(path, os.X_OK):
        raise ToolMissing(f"{name} is not installed: {bindir}/{name} does not exist ({SETUP_HINT})")
    return str(path)


def path_tool(name: str, hint: str) -> str:
    """A tool found on PATH (go, gofmt, shellcheck)."""
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"{name} is not on PATH ({hint})")
    return found


def repo_path(root: Path, path: str, base: Path) -> str:
    """``path`` (absolute, or relative to ``base``) relative to root, in / form."""
    full = Path(path) if os.path.isabs(path) else base / path
    full = Path(os.path.normpath(full))
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return full.as_posix()


def _shorten(arg: str, root: Path, cwd: Path) -> str:
    """A path under root relative to cwd, as typed there (other arguments unchanged)."""
    if not arg.startswith(str(root) + os.sep):
        return arg
    return os.path.relpath(arg, cwd)


# --------------------------------------------------------------------------------------
# Unified diffs (ruff format --diff, gofmt -d): one finding per hunk

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


def diff_findings(diff: str, root: Path, base: Path, message: str) -> list[Finding]:
    """One finding per hunk, at the first line the formatter would change."""
    findings: list[Finding] = []
    path: str | None = None
    hunk: list[str] = []
    start = 0

    def flush() -> None:
        if path is None or not hunk:
            return
        offset = 0
        for line in hunk[1:]:
            if not line.startswith(" "):
                break
            offset += 1
        findings.append(Finding(path, start + offset, 1, message, detail="\n".join(hunk)))

    for line in diff.splitlines():
        if line.startswith("+++ "):
            flush()
            hunk = []
            name = line[4:].split("\t", 1)[0].strip()
            path = repo_path(root, name, base)
        elif match := _HUNK.match(line):
            flush()
            hunk = [line]
            start = max(int(match.group(1)), 1)
        elif line.startswith(("--- ", "diff ")):
            flush()
            hunk = []
        elif hunk:
            hunk.append(line)
    flush()
    return findings


_LOCATION = re.compile(r"^(?P<path>[^\s:][^:]*?):(?P<line>\d+):(?:(?P<col>\d+):)? ?(?P<msg>.*)$")


def location_findings(
    lines: list[str], root: Path, base: Path, suffix: str, strip: str = ""
) -> tuple[list[Finding], list[str]]:
    """``path:line[:col]: message`` lines (about files ending in ``suffix``, after an
    optional ``strip`` prefix) as findings; indented lines that follow one become its
    detail. Returns the findings and the lines that were neither."""
    findings: list[Finding] = []
    stray: list[str] = []
    for raw in lines:
        line = raw[len(strip) :] if strip and raw.startswith(strip) else raw
        match = _LOCATION.match(line)
        if match and match.group("path").endswith(suffix):
            findings.append(
                Finding(
                    repo_path(root, match.group("path"), base),
                    int(match.group("line")),
                    int(match.group("col") or 1),
                    match.group("msg").strip(),
                )
            )
        elif raw[:1].isspace() and findings and raw.strip():
            last = findings[-1]
            detail = f"{last.detail}\n{raw.rstrip()}" if last.detail else raw.rstrip()
            findings[-1] = dataclasses.replace(last, detail=detail)
        elif raw.strip():
            stray.append(raw)
    return findings, stray
