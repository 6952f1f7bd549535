"""What the Go benchmark scripts share: running `go test -bench` in rounds, and the machine.

go_breaker.py (chapter 2) and go_ch03.py (chapter 3) run `go test` in go/ several rounds, echo
its output as it comes and keep it, then record which Go and which CPU produced the figures.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_rounds(
    cmd: list[str], rounds: int, output: list[str], env: dict[str, str] | None = None
) -> bool:
    """Run ``cmd`` in go/ ``rounds`` times, echoing and collecting its output; False on a failure.

    ``env`` is added to the environment (chapter 4 names its broker with TWINBOOK_KAFKA)."""
    for round_ in range(1, rounds + 1):
        print(f"$ (cd go && {' '.join(cmd)})   # round {round_} of {rounds}", flush=True)
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT / "go",
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            output.append(line)
        if proc.wait() != 0:
            print(f"bench-go: {' '.join(cmd)} failed", file=sys.stderr)
            return False
    return True


def machine(output: str) -> dict[str, str]:
    """The Go version, and the CPU as `go test -bench` names it (else as Python does)."""
    cpu = re.search(r"^cpu: (.+)$", output, re.MULTILINE)
    go = subprocess.run(
        ["go", "env", "GOVERSION"], capture_output=True, text=True, cwd=ROOT / "go"
    ).stdout.strip()
    return {"go": go, "cpu": cpu.group(1) if cpu else platform.processor()}
