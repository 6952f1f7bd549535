"""Merge the benchmarks of both languages into build/bench/bench.json, as ratios to the peers.

    .venv/bin/python tests/benchmarks/merge_bench.py            # make bench
    .venv/bin/python tests/benchmarks/merge_bench.py --only python   # make bench-python: print only
    .venv/bin/python tests/benchmarks/merge_bench.py --record book/_data/bench-ch03.json
                                                                  # make bench-record

Inputs: build/bench/go.json (``make bench-go``: go test -bench, twinbook vs sony/gobreaker v2)
and build/bench/python.json (``make bench-python``: pytest-benchmark's JSON, chapter 2's
breaker vs pybreaker 1.4.1 and chapter 3's actors vs pykka 4.5.0); for chapter 3 also
build/bench/go-actor.json (``make bench-go``: Go actors vs protoactor-go),
build/bench/go-swarm.json and build/bench/swarm-python.json (``make bench-swarm``: the swarm
across processes), which become bench.json's ``chapter3`` section: every figure as a time
per operation and the gaps between them (tests/benchmarks/ch03_figures.py). ``--record``
also writes those figures, with the machine and the date, where the book's plot reads
them (``twinbook-bench-plot``). For Python, a benchmark
named ``test_<group>_<implementation>_<form>`` is compared with the peer's benchmark of the
same group and form (or the group's only peer benchmark); the peer is whichever of
:data:`PEERS` the group has. ``ns_per_op`` is the best round (a shared machine only ever adds
time), with the median beside it; a ratio below 1 means twinbook is faster.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ch03_figures  # noqa: E402  (a sibling script's module, not a package)

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "build" / "bench"
PEERS = ("pybreaker", "pykka")
# (name, measure, at most, what the issue asks). A successful call is measured the way
# both libraries' docs lead with, a decorated function; call(fn) is reported beside it.
PYTHON_AIMS = [
    (
        "success/twinbook-decorator",
        "ratio_to_peer",
        1 / 3,
        "at most 1/3 of pybreaker's time per successful call",
    ),
    (
        "concurrent/twinbook-threads",
        "median_seconds",
        0.070,
        "four concurrent 50 ms calls overlap: under 70 ms",
    ),
    (
        "actor_tell/twinbook-asyncio",
        "ratio_to_peer",
        1 / 3,
        "asyncio actor: at least 3x pykka's messages per second",
    ),
    (
        "actor_ask/twinbook-asyncio",
        "ratio_to_peer",
        1 / 3,
        "asyncio actor: at least 3x pykka's ask round trips per second",
    ),
]


def python_records(data: dict) -> list[dict]:
    records = []
    for bench in data["benchmarks"]:
        group = bench["group"]
        rest = bench["name"].removeprefix(f"test_{group}_")
        impl, _, form = rest.partition("_")
        stats = bench["stats"]
        per_round = bench.get("extra_info", {}).get("messages_per_round", 1)
        records.append(
            {
                "benchmark": group,
                "implementation": f"{impl}-{form}" if form else impl,
                "name": f"{group}/{impl}-{form}" if form else f"{group}/{impl}",
                "form": form,
                "impl": impl,
                "ns_per_op": round(stats["min"] * 1e9, 1),
                "median_ns_per_op": round(stats["median"] * 1e9, 1),
                "median_seconds": stats["median"],
                "rounds": stats["rounds"],
                "iterations": stats.get("iterations", 1),
                # a round of many messages (the actors'): the figure per message, and its rate
                **(
                    {
                        "messages_per_round": per_round,
                        "ns_per_message": round(stats["min"] * 1e9 / per_round, 1),
                        "messages_per_second": round(per_round / stats["min"]),
                    }
                    if per_round > 1
                    else {}
                ),
            }
        )
    for rec in records:
        peers = [r for r in records if r["benchmark"] == rec["benchmark"] and r["impl"] in PEERS]
        same_form = [r for r in peers if r["form"] == rec["form"]]
        peer = (same_form or peers or [None])[0]
        if peer is None:
            rec["ratio_to_peer"] = rec["median_ratio_to_peer"] = None
        else:
            rec["peer"] = peer["name"]
            rec["ratio_to_peer"] = round(rec["ns_per_op"] / peer["ns_per_op"], 3)
            rec["median_ratio_to_peer"] = round(
                rec["median_ns_per_op"] / peer["median_ns_per_op"], 3
            )
    for rec in records:
        del rec["form"], rec["impl"]
    return records


def python_aims(records: list[dict]) -> list[dict]:
    by_name = {r["name"]: r for r in records}
    out = []
    for name, measure, limit, why in PYTHON_AIMS:
        value = by_name.get(name, {}).get(measure)
        out.append(
            {
                "benchmark": name,
                "measure": measure,
                "at_most": round(limit, 4),
                "value": value,
                "met": value is not None and value <= limit,
                "aim": why,
            }
        )
    return out


def python_section(path: Path) -> dict:
    data = json.loads(path.read_text())
    records = python_records(data)
    return {
        "command": "make bench-python (pytest-benchmark)",
        "python": data.get("machine_info", {}).get("python_version"),
        "cpu": data.get("machine_info", {}).get("cpu", {}).get("brand_raw"),
        "statistic": "ns_per_op is the best round; median_ns_per_op beside it",
        "peer": "pybreaker 1.4.1 (default settings); pykka 4.5.0 (ThreadingActor)",
        "benchmarks": records,
        "aims": python_aims(records),
    }


def show(language: str, section: dict, peer_key: str) -> None:
    print(f"\n{language}: {'benchmark':34} {'ns/op':>12} {'median':>12} {'vs peer':>8}")
    for r in section["benchmarks"]:
        ratio = r.get(peer_key)
        ratio_text = "" if ratio is None else f"{ratio:.3f}"
        median = r.get("median_ns_per_op")
        median_text = "" if median is None else f"{median:12.1f}"
        rate = r.get("messages_per_second")
        rate_text = "" if rate is None else f"  ({r['ns_per_message']:.1f} ns/msg, {rate:,} msg/s)"
        print(
            f"{'':{len(language) + 2}}{r['name']:34} {r['ns_per_op']:12.1f} {median_text:>12} {ratio_text:>8}{rate_text}"
        )
    for a in section.get("aims", []):
        print(
            f"  aim: {a['benchmark']} {a['measure']} <= {a['at_most']}: {a['value']} "
            f"{'met' if a['met'] else 'NOT met'}"
        )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--only", choices=["python"], help="print the Python figures; write nothing")
    ap.add_argument("--out", type=Path, default=BENCH / "bench.json")
    ap.add_argument(
        "--record",
        type=Path,
        help="also write chapter 3's figures for the book's plot here (make bench-record)",
    )
    args = ap.parse_args(argv)

    python_json = BENCH / "python.json"
    go_json = BENCH / "go.json"
    ch03_json = [BENCH / "go-actor.json", BENCH / "go-swarm.json", BENCH / "swarm-python.json"]
    needed = [python_json] if args.only else [python_json, go_json, *ch03_json]
    missing = [p for p in needed if not p.exists()]
    if missing:
        print(
            f"merge_bench: missing {', '.join(str(p.relative_to(ROOT)) for p in missing)} "
            "(make bench-go / make bench-python / make bench-swarm write them)",
            file=sys.stderr,
        )
        return 1
    python = python_section(python_json)
    show("python", python, "ratio_to_peer")
    if args.only:
        return 0
    go = json.loads(go_json.read_text())
    show("go", go, "ratio_to_gobreaker")
    go_actor, go_swarm, swarm_python = (json.loads(p.read_text()) for p in ch03_json)
    figures = ch03_figures.figures(go_actor, python["benchmarks"], go_swarm, swarm_python)
    chapter3 = {
        "about": "time per operation in ns (a rate is its inverse); ratios: how many times "
        "longer the second of each pair takes",
        "figures": figures,
        "ratios": ch03_figures.ratios(figures),
        "go_actor": go_actor,
        "go_swarm": go_swarm,
    }
    print(f"\nchapter 3: {'figure':36} {'ns/op':>12}")
    for f in figures:
        print(f"           {f['id']:36} {f['ns']:12.1f}")
    for name, value in chapter3["ratios"].items():
        print(f"  ratio {name}: {value}")
    merged = {
        "about": "twinbook against its peers (breakers, actors); a ratio below 1 means twinbook is faster",
        "go": go,
        "python": python,
        "ratios": {
            "go": {
                r["name"]: r["ratio_to_gobreaker"]
                for r in go["benchmarks"]
                if r.get("ratio_to_gobreaker") is not None and not r["name"].endswith("/gobreaker")
            },
            "python": {
                r["name"]: r["ratio_to_peer"]
                for r in python["benchmarks"]
                if r.get("ratio_to_peer") is not None
                and not any(f"/{peer}" in r["name"] for peer in PEERS)
            },
        },
        "aims": {"go": go.get("aims", []), "python": python["aims"]},
        "chapter3": chapter3,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged, indent=2) + "\n")
    print(
        f"\nbench: wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    if args.record:
        rec = ch03_figures.recording(figures, go_actor.get("go"), go_actor.get("cpu"))
        args.record.parent.mkdir(parents=True, exist_ok=True)
        args.record.write_text(json.dumps(rec, indent=2, ensure_ascii=False) + "\n")
        print(f"bench: recorded chapter 3's figures in {args.record}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
