"""Benchmark chapter 3 in Go: the actors beside protoactor-go, the swarm across processes.

    .venv/bin/python tests/benchmarks/go_ch03.py actor [--count 3]     # make bench-go
    .venv/bin/python tests/benchmarks/go_ch03.py swarm [--swarm-n 5000] # make bench-swarm

Runs, in go/, ``--count`` rounds of

* ``actor``: ``go test -run '^$' -bench . -benchmem ./actor/``: BenchmarkTell and
  BenchmarkAsk, each with twinbook's actor and protoactor-go side by side
  (go/actor/bench_test.go, go/actor/protoactor_bench_test.go), so both take turns under
  the same load; writes build/bench/go-actor.json;
* ``swarm``: ``go test -run '^$' -bench . -benchtime Nx ./swarm``: BenchmarkUnaryRoundTrip
  (p50 of one unary call after another, Go->Go and Go->Python) and
  BenchmarkSwarmThroughput (tasks/s, streamed with credits to two worker processes vs one
  unary call per task), from go/swarm/bench_test.go; writes build/bench/go-swarm.json;

prints the output and writes the JSON: every sub-benchmark's ns/op and
custom metrics (msgs/s, asks/s, p50-µs, tasks/s) in every round, the best round, and the
ratios the issue asks about. The best round is the statistic, as in go_breaker.py: a
shared machine only ever adds time. Figures, not gates: nothing here fails on a number.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from gobench import machine, run_rounds

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "build" / "bench"

# BenchmarkTell/twinbook-2   23125952   60.26 ns/op   16594420 msgs/s   0 B/op   0 allocs/op
LINE = re.compile(
    r"^Benchmark(?P<group>[^/\s]+)/(?P<impl>\S+?)(?:-(?P<procs>\d+))?\s+(?P<n>\d+)\s+(?P<rest>.*)$"
)
METRIC = re.compile(r"([\d.e+-]+) (\S+)")
#: For each metric, whether more is better (a rate) or less (a time).
HIGHER_IS_BETTER = {
    "msgs/s": True,
    "asks/s": True,
    "tasks/s": True,
    "records/s": True,  # chapter 4 (events_ch04.py)
    "lookups/s": True,
}


def parse(output: str) -> dict[str, dict]:
    """Every sub-benchmark by name (``Tell/twinbook``): its metrics in every round."""
    found: dict[str, dict] = {}
    for line in output.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        name = f"{m['group']}/{m['impl']}"
        rec = found.setdefault(
            name,
            {"benchmark": m["group"], "implementation": m["impl"], "name": name, "runs": {}},
        )
        rec["gomaxprocs"] = int(m["procs"] or 1)
        for value, unit in METRIC.findall(m["rest"]):
            rec["runs"].setdefault(unit, []).append(float(value))
    for rec in found.values():
        rec["best"] = {
            unit: (max(values) if HIGHER_IS_BETTER.get(unit) else min(values))
            for unit, values in rec["runs"].items()
        }
    return found


def ratio(found: dict[str, dict], name: str, peer: str, unit: str) -> float | None:
    """``name``'s best ``unit`` over ``peer``'s: how many times faster (rates) or slower."""
    a, b = found.get(name), found.get(peer)
    if a is None or b is None or unit not in a["best"] or unit not in b["best"]:
        return None
    return round(a["best"][unit] / b["best"][unit], 3)


def ratios(found: dict[str, dict]) -> dict[str, float | None]:
    """The comparisons the issue asks for; above 1 means twinbook's (or streaming) is ahead."""
    return {
        "tell_vs_protoactor_msgs_per_s": ratio(found, "Tell/twinbook", "Tell/protoactor", "msgs/s"),
        "ask_vs_protoactor_asks_per_s": ratio(found, "Ask/twinbook", "Ask/protoactor", "asks/s"),
        "stream_vs_unary_tasks_per_s": ratio(
            found,
            "SwarmThroughput/stream-credits",
            "SwarmThroughput/unary-per-task",
            "tasks/s",
        ),
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("part", choices=["actor", "swarm"], help="which package to benchmark")
    ap.add_argument("--count", type=int, default=3, help="rounds of each package (default 3)")
    ap.add_argument("--benchtime", default="1s", help="the actors' -benchtime (default 1s)")
    ap.add_argument(
        "--swarm-n", type=int, default=5000, help="calls or tasks per swarm benchmark (5000)"
    )
    ap.add_argument("--out", type=Path, help="default build/bench/go-PART.json")
    args = ap.parse_args(argv)
    out: Path = args.out or BENCH / f"go-{args.part}.json"

    if args.part == "actor":
        cmd = ["go", "test", "-run", "^$", "-bench", ".", "-benchmem", "-count", "1"]
        cmd += ["-benchtime", args.benchtime, "./actor/"]
    else:
        cmd = ["go", "test", "-run", "^$", "-bench", ".", "-count", "1"]
        cmd += ["-benchtime", f"{args.swarm_n}x", "./swarm/"]
    output: list[str] = []
    if not run_rounds(cmd, args.count, output):
        return 1
    text = "".join(output)
    found = parse(text)
    if not found:
        print("bench-go: no benchmark results in go test's output", file=sys.stderr)
        return 1
    result = {
        "command": " ".join(cmd) + f"   (in go/, {args.count} rounds)",
        **machine(text),
        "count": args.count,
        "statistic": f"best is the best of {args.count} rounds (the most per second, the "
        "least ns/op or p50); runs has every round",
        "peer": (
            "github.com/asynkron/protoactor-go v0.0.0-20240822202345-3c0e61ca19c9 "
            "(default mailbox and dispatcher)"
            if args.part == "actor"
            else "one unary call per task (BenchmarkSwarmThroughput/unary-per-task)"
        ),
        "benchmarks": list(found.values()),
        "ratios": {k: v for k, v in ratios(found).items() if v is not None},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{'benchmark':36} {'best':>40}")
    for rec in found.values():
        best = ", ".join(f"{v:g} {u}" for u, v in rec["best"].items() if u not in ("B/op",))
        print(f"{rec['name']:36} {best}")
    for name, value in result["ratios"].items():
        print(f"ratio {name}: {value}")
    print(f"bench-go: wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
