"""Feedback time of `twinbook check EXERCISE`: what a learner waits for after saving.

    .venv/bin/python tests/benchmarks/check_feedback.py [--repeat 10] [--python-exercise ID] [--go-exercise ID]

A benchmark, not a test (pytest does not collect it). For one Python and one Go exercise it
fills a temporary learner's copy with the solution's answer, then runs the `twinbook`
command from the venv `--repeat` times per language and measures the wall time of each run,
start to exit (interpreter start, reading the notebook, pytest or `go test`, the report).
Every run first edits the answer (a comment with the run's number), as a learner does
between two checks, so Go has to compile the answer and link the test binary each time;
what stays warm is what a learner's machine keeps warm: Go's build cache (the standard
library, from `make setup` and the first check) and the OS's file cache. One run per
language before the measured ones warms those up. Nothing is downloaded or installed.

Writes build/bench/check.json (wall times, median, p90, the CPU time of each run, the
machine and its load: on a shared machine the wall time grows with the load) and prints a
summary. The aim: about 1 s for Python, 3 s for Go.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "bench" / "check.json"
AIM = {"python": 1.0, "go": 3.0}
MARKERS = {"# BEGIN SOLUTION", "# END SOLUTION", "// BEGIN SOLUTION", "// END SOLUTION"}
COMMENT = {"python": "# check {n}", "go": "// check {n}"}


def _answers(nb: dict) -> list[dict]:
    return [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code"
        and (c.get("metadata", {}).get("twinbook") or {}).get("role") == "answer"
    ]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def solve(workbook: Path, ex_id: str, language: str, run: int) -> None:
    """Save the learner's notebook with the solution's answer and a comment naming the run."""
    solution = json.loads(next((ROOT / "solutions" / ex_id / language).glob("*.ipynb")).read_text())
    notebook = next((workbook / "exercises" / ex_id / language).glob("*.ipynb"))
    nb = json.loads(notebook.read_text())
    for mine, theirs in zip(_answers(nb), _answers(solution), strict=True):
        lines = [ln for ln in _source(theirs).split("\n") if ln.strip() not in MARKERS]
        mine["source"] = "\n".join(lines) + "\n" + COMMENT[language].format(n=run) + "\n"
    notebook.write_text(json.dumps(nb, indent=1))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(twinbook: str, workbook: Path, ex_id: str, language: str, repeat: int) -> dict:
    """Wall time of each run, and the CPU time it used (the command and every process it
    started: pytest, go, the compiler, the test binary), which a busy machine inflates less."""
    times, cpu = [], []
    for run in range(repeat + 1):  # run 0 warms up and is not counted
        solve(workbook, ex_id, language, run)
        cpu_before = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.run(
            [twinbook, "check", ex_id, "--lang", language, "--root", str(workbook)],
            cwd=workbook,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{ex_id} ({language}) did not pass:\n{proc.stdout}{proc.stderr}")
        if run:
            times.append(round(elapsed, 4))
            cpu.append(round(_children_cpu() - cpu_before, 4))
    return {
        "exercise": ex_id,
        "times_s": times,
        "median_s": round(statistics.median(times), 3),
        "p90_s": round(percentile(times, 0.9), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "cpu_s": cpu,
        "cpu_median_s": round(statistics.median(cpu), 3),
        "aim_s": AIM[language],
    }


def machine() -> dict:
    go = shutil.which("go") or "/usr/local/go/bin/go"
    try:
        go_version = subprocess.run([go, "version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        go_version = "missing"
    return {
        "cores": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "go": go_version,
        "platform": platform.platform(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", "-n", type=int, default=10, help="measured runs per language (default 10)"
    )
    parser.add_argument("--python-exercise", default="ch01-concurrency/01-worker-pool")
    parser.add_argument("--go-exercise", default="ch01-concurrency/01-worker-pool")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    twinbook = str(Path(sys.executable).parent / "twinbook")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="twinbook-bench-") as tmp:
        workbook = Path(tmp)
        shutil.copytree(
            ROOT / "exercises", workbook / "exercises", ignore=shutil.ignore_patterns(".twinbook")
        )
        results = {
            "python": measure(twinbook, workbook, args.python_exercise, "python", args.repeat),
            "go": measure(twinbook, workbook, args.go_exercise, "go", args.repeat),
        }
    report = {
        "what": "wall time of `twinbook check EXERCISE --lang L` on a solved notebook, edited before each run",
        "repeat": args.repeat,
        "machine": machine() | {"load_average_before": [round(x, 2) for x in load_before]},
        **results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    for language, r in results.items():
        verdict = "within" if r["median_s"] <= r["aim_s"] else "above"
        print(
            f"{language:6} {r['exercise']}: median {r['median_s']:.2f} s, p90 {r['p90_s']:.2f} s "
            f"(min {r['min_s']:.2f}, max {r['max_s']:.2f}; CPU {r['cpu_median_s']:.2f} s; {verdict} the aim of {r['aim_s']:g} s)"
        )
    print(
        f"load average {report['machine']['load_average_1_5_15']} on {os.cpu_count()} cores; wrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
