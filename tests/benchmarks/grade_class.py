"""Benchmark `twinbook grade` on a synthetic class (a script, not a pytest test).

    .venv/bin/python tests/benchmarks/grade_class.py [--jobs 2] [--students 24]
    make bench-grade

Builds a class of whole-workbook submissions from the real exercises (every exercise of
solutions/, both languages) under build/bench/grade-class/: correct, partly correct,
broken and hostile students, folders and zips. Grades
each group (correct, partial, broken, hostile) as a class of its own with
`twinbook grade --jobs N`, then grades one correct submission alone, and writes the figures
to build/bench/grade.json: seconds per submission overall and per group, students per
minute, seconds per exercise and language, the single submission's time, with
``--compare`` the same groups graded one exercise at a time (no batching) in the same run, the load averages before and after (other work on
the machine), and each group's mean score (a sanity check: correct students get full
marks, hostile ones nothing they did not earn).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

# run as a script: the repository (for tests.repo) and the grading tests' class builder
sys.path[:0] = [
    str(Path(__file__).resolve().parents[2]),
    str(Path(__file__).resolve().parents[1] / "grading"),
]

import classbuild as cb  # noqa: E402

from tests.repo import ROOT, SOLUTIONS  # noqa: E402

BUILD = ROOT / "build" / "bench"

PY_HANG = "def map_limited(fn, items, limit):\n    while True:\n        pass\n"
GO_HANG = (
    "func MapLimited(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {\n"
    "\tfor {\n\t}\n}\n"
)
PY_EXIT_AT_IMPORT = "raise SystemExit(0)\n\n\ndef map_limited(fn, items, limit):\n    return []\n"
GO_FAKE_PASS = (
    'func init() {\n\tfmt.Println("--- PASS: TestResultsInOrder (0.00s)")\n'
    '\tfmt.Println(`{"Action":"pass","Test":"TestResultsInOrder"}`)\n\tos.Exit(0)\n}\n\n'
) + cb.GO_COMPILE_ERROR.replace("undefinedThing(items)", "items")
# Only with full isolation (they would hurt the machine otherwise): memory, threads, output.
PY_MEMORY_BOMB = "_hog = bytearray(8 << 30)\n\n\ndef map_limited(fn, items, limit):\n    return [fn(x) for x in items]\n"
PY_THREAD_BOMB = (
    "import threading\n\n\ndef map_limited(*args, **kwargs):\n    while True:\n"
    "        threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
)
PY_OUTPUT_FLOOD = "def map_limited(*args, **kwargs):\n    while True:\n        print('x' * 10000)\n"
GO_MEMORY_BOMB = (
    "func MapLimited(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {\n"
    "\tb := make([]byte, 8<<30)\n\tfor i := range b {\n\t\tb[i] = 1\n\t}\n\treturn nil, nil\n}\n"
)
PY_FORBIDDEN = "import os\n\n\ndef map_limited(fn, items, limit):\n    os.system('echo owned')\n    return [fn(x) for x in items]\n"


def build_class(subs: Path, students: int, bombs: bool) -> dict[str, str]:
    """Write ``students`` submissions into ``subs``; returns student -> group."""
    pairs = cb.exercise_languages()
    groups: dict[str, str] = {}
    work = subs.parent / "src"
    shutil.rmtree(subs.parent, ignore_errors=True)
    subs.mkdir(parents=True)
    work.mkdir()

    def add(
        name: str,
        group: str,
        answers: dict | None = None,
        *,
        default="solution",
        layout="exercises",
        zipped=False,
        cheats=False,
    ):
        dest = (work if zipped else subs) / name
        cb.make_student(dest, answers, default=default, layout=layout)
        if cheats:
            cb.add_cheats(dest / "exercises" if layout == "repo" else dest)
        if zipped:
            cb.zip_folder(dest, subs / f"{name}.zip", prefix=f"{name}-main")
        groups[name] = group

    pool_py, pool_go = (cb.POOL, "python"), (cb.POOL, "go")
    recipes = [
        # correct: folders, repository copies, zips
        lambda i: add(f"s{i:02d}-correct", "correct"),
        lambda i: add(f"s{i:02d}-correct-repo", "correct", layout="repo"),
        lambda i: add(f"s{i:02d}-correct-zip", "correct", zipped=True, layout="repo"),
        # partly correct: some exercises left as stubs, weaker answers in others
        lambda i: add(
            f"s{i:02d}-partial",
            "partial",
            {p: "stub" for j, p in enumerate(pairs) if (i + j) % 3 == 0},
        ),
        lambda i: add(
            f"s{i:02d}-partial-pool",
            "partial",
            {pool_py: cb.PY_POOL_SEQUENTIAL, pool_go: cb.GO_POOL_SEQUENTIAL},
        ),
        # broken: syntax and compile errors, missing and invalid notebooks
        lambda i: add(
            f"s{i:02d}-broken",
            "broken",
            {
                pool_py: cb.PY_SYNTAX_ERROR,
                pool_go: cb.GO_COMPILE_ERROR,
                pairs[-1]: "missing",
                pairs[-2]: "invalid",
            },
        ),
        # hostile: cheating files, a hang, exit at import, fake PASS lines, forbidden imports, bad zips
        lambda i: add(f"s{i:02d}-hostile-cheats", "hostile", default="stub", cheats=True),
        lambda i: add(f"s{i:02d}-hostile-hang", "hostile", {pool_py: PY_HANG, pool_go: GO_HANG}),
        lambda i: add(
            f"s{i:02d}-hostile-exit", "hostile", {pool_py: PY_EXIT_AT_IMPORT, pool_go: GO_FAKE_PASS}
        ),
        lambda i: add(f"s{i:02d}-hostile-imports", "hostile", {pool_py: PY_FORBIDDEN}),
    ]
    if bombs:
        stage, merge = pairs[2], pairs[4]  # 02-pipeline-stage, 03-fan-in-merge (python)
        recipes.append(
            lambda i: add(
                f"s{i:02d}-hostile-bombs",
                "hostile",
                {
                    pool_py: PY_MEMORY_BOMB,
                    pool_go: GO_MEMORY_BOMB,
                    stage: PY_THREAD_BOMB.replace("map_limited", "stage"),
                    merge: PY_OUTPUT_FLOOD.replace("map_limited", "merge"),
                },
            )
        )
    i = 0
    while len(groups) < students - 2:
        recipes[i % len(recipes)](i)
        i += 1
    traversal = f"s{i:02d}-hostile-traversal"
    cb.traversal_zip(
        subs / f"{traversal}.zip", cb.make_student(work / traversal)
    )  # correct answers, one bad member
    groups[traversal] = "hostile-zip"
    symlinked = f"s{i + 1:02d}-hostile-symlink"
    cb.symlink_zip(subs / f"{symlinked}.zip", str(SOLUTIONS / cb.notebook_rel(cb.POOL, "python")))
    groups[symlinked] = "hostile-zip"
    shutil.rmtree(work)
    return groups


def split_by_group(subs: Path, groups: dict[str, str], into: Path) -> dict[str, Path]:
    """Move each submission into ``into/<group>/`` (zip groups join ``hostile``): every
    group is then graded as a class of its own and timed on its own."""
    shutil.rmtree(into, ignore_errors=True)
    folders: dict[str, Path] = {}
    for entry in sorted(subs.iterdir()):
        name = entry.name.removesuffix(".zip")
        group = groups[name].removesuffix("-zip")
        folder = folders.setdefault(group, into / group)
        folder.mkdir(parents=True, exist_ok=True)
        entry.rename(folder / entry.name)
    return folders


def grade(
    subs: Path, out: Path, jobs: int, exercises: list[str], one_by_one: bool = False
) -> tuple[float, subprocess.CompletedProcess]:
    cmd = [
        str(Path(sys.executable).parent / "twinbook"),
        "grade",
        str(subs),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
    ]
    cmd += [f"--exercise={e}" for e in exercises]
    env = {**os.environ, "TWINBOOK_GRADE_ONE_BY_ONE": "1" if one_by_one else "0"}
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    return time.monotonic() - start, proc


def _totals(out: Path) -> dict[str, str]:
    rows = csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))
    return {row["student"]: row["total"] for row in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--report", type=Path, default=BUILD / "grade.json")
    parser.add_argument(
        "--exercise", action="append", default=[], help="grade only these exercises (repeatable)"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also grade every group one exercise at a time (no batching), in the same run",
    )
    args = parser.parse_args(argv)
    os.environ["PATH"] = os.pathsep.join(
        [str(Path(sys.executable).parent), "/usr/local/go/bin", os.environ.get("PATH", "")]
    )

    base = BUILD / "grade-class"
    subs = base / "submissions"
    from twinbook.grading.backend import backend

    isolation = backend().isolation
    groups = build_class(subs, args.students, bombs=isolation == "root")
    by_group = split_by_group(subs, groups, base / "classes")
    load_before = os.getloadavg()
    seconds: dict[str, float] = {}
    plain: dict[str, float] = {}  # --compare: the same group graded one exercise at a time
    points: dict[str, list[float]] = {}
    summary: dict = {}
    for group, folder in by_group.items():
        count = len(list(folder.iterdir()))
        print(f"grading {count} {group} submissions with --jobs {args.jobs} ...", flush=True)
        out = base / "out" / group
        seconds[group], proc = grade(folder, out, args.jobs, args.exercise)
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr, sep="\n")
            return 1
        print(proc.stdout)
        if args.compare:
            print("  ... and one exercise at a time (no batching) ...", flush=True)
            plain[group], again = grade(
                folder, base / "out-one" / group, args.jobs, args.exercise, True
            )
            if again.returncode != 0 or _totals(base / "out-one" / group) != _totals(out):
                print(again.stdout, again.stderr, sep="\n")
                print(f"{group}: one at a time and batched gave different totals")
                return 1
        rows = list(csv.DictReader((out / "gradebook.csv").open(encoding="utf-8")))
        points[group] = [float(row["total"]) for row in rows]
        max_points = float(rows[0]["max"]) if rows else 0
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))

    single = BUILD / "grade-single"
    shutil.rmtree(single, ignore_errors=True)
    (single / "submissions").mkdir(parents=True)
    cb.make_student(single / "submissions" / "one-correct")
    one_seconds, one = grade(single / "submissions", single / "out", args.jobs, args.exercise)
    load_after = os.getloadavg()
    assert one.returncode == 0, one.stderr

    students = sum(len(v) for v in points.values())
    total = sum(seconds.values())
    report = {
        "students": students,
        "jobs": args.jobs,
        "cores": os.cpu_count(),
        "isolation": summary["isolation"],
        "exercise_languages": len(summary["columns"]),
        "max_points": max_points,
        "seconds": round(total, 1),
        "seconds_per_submission": round(total / students, 2),
        # each group graded as a class of its own, so a slow group cannot hide in the mean
        "seconds_per_submission_by_group": {
            g: round(seconds[g] / len(points[g]), 2) for g in sorted(points)
        },
        "students_per_minute": round(60 * students / total, 1),
        # the yardstick: seconds of the whole run per exercise and language graded
        "seconds_per_exercise_language": round(
            total / (students * max(len(summary["columns"]), 1)), 3
        ),
        "minutes_for_100_submissions": round(100 * total / students / 60, 1),
        "single_submission_seconds": round(one_seconds, 1),
        "mean_points_by_group": {g: round(sum(v) / len(v), 1) for g, v in sorted(points.items())},
        "students_by_group": {g: len(v) for g, v in sorted(points.items())},
        "python": platform.python_version(),
        # other work on the machine (1, 5 and 15 minute load averages) before and after
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "exercises": args.exercise or "all",
    }
    if plain:
        plain_total = sum(plain.values())
        report["one_at_a_time"] = {
            "seconds_per_submission": round(plain_total / students, 2),
            "seconds_per_submission_by_group": {
                g: round(plain[g] / len(points[g]), 2) for g in sorted(plain)
            },
            "speed_up": round(plain_total / total, 2),
        }
    if any(total != max_points for total in points.get("correct", [])):
        # a grader that fails everything is fast: timings of a broken run mean nothing
        print(json.dumps(report, indent=2))
        print("a correct submission did not get full marks: the figures are not valid")
        return 1
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
