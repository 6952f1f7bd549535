"""GitHub Actions' checker: actionlint over the workflow files.

actionlint checks the workflow syntax, expressions, action inputs and, through
shellcheck, the shell of every ``run:`` step. shellcheck is required rather than used
when present, so that a machine without it cannot pass what another one fails.
"""

from __future__ import annotations

import dataclasses
import json

from tests.plugins.linters.base import (
    Checker,
    Command,
    Finding,
    Report,
    ToolRun,
    path_tool,
    repo_path,
    venv_tool,
)


@dataclasses.dataclass(frozen=True)
class Actionlint(Checker):
    """actionlint (pinned in go/tools) over the area's ``*.yml`` and ``*.yaml`` files."""

    bindir: str = ".venv/bin"

    def command(self) -> Command:
        tool = venv_tool(self.root, self.bindir, "actionlint")
        shellcheck = path_tool("shellcheck", "`make setup` installs Debian's shellcheck")
        files = sorted(
            path.relative_to(self.root).as_posix()
            for area in self.areas
            for pattern in ("*.yml", "*.yaml")
            for path in (self.root / area).glob(pattern)
        )
        # -pyflakes= : no step runs Python inline, and a pyflakes found on PATH by chance
        # would make the result depend on the machine.
        argv = [tool, "-format", "{{json .}}", "-shellcheck", shellcheck, "-pyflakes=", *files]
        return Command(argv, self.root)

    def parse(self, run: ToolRun) -> Report:
        if run.exit_code not in (0, 1):
            return self.crashed(run)
        try:
            errors = json.loads(run.stdout or "[]")
        except json.JSONDecodeError:
            return self.crashed(run, ", and its output is not JSON")
        findings = [
            Finding(
                repo_path(self.root, e.get("filepath", "?"), self.root),
                int(e.get("line") or 1),
                int(e.get("column") or 1),
                f"{e.get('message', '')} [{e.get('kind', '?')}]",
                detail=e.get("snippet", ""),
            )
            for e in errors or []
        ]
        if run.exit_code == 1 and not findings:
            return self.crashed(run)
        return Report(findings)
