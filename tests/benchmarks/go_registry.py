"""Schema-id lookups per second and p99 latency, over HTTP keep-alive with no client cache,
for both registries: Go's BenchmarkSchemaByID (go/registry/bench_test.go) is the load
generator for each, in process and against the Go and the Python registry programs (its
$TWINBOOK_REGISTRY_BENCH_URL), on the embedded broker. Figures, not gates.

    .venv/bin/python tests/benchmarks/go_registry.py [--count 3] [--out build/bench/registry.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from gobench import ROOT, machine

from twinbook.kafka import bootstrap
from twinbook.registry import start

LINE = re.compile(
    r"^BenchmarkSchemaByID\S*\s+\d+\s+\S+ ns/op\s+(\S+) lookups/s\s+(\S+) p99-µs", re.M
)


def bench(url: str | None, count: int, output: list[str]) -> list[dict[str, float]]:
    env = {**os.environ}
    env.pop("TWINBOOK_REGISTRY_BENCH_URL", None)
    if url:
        env["TWINBOOK_REGISTRY_BENCH_URL"] = url
    cmd = ["go", "test", "-run", "^$", "-bench", "SchemaByID", "-benchtime", "3s", "-cpu", "8"]
    cmd += ["-count", str(count), "./registry"]
    done = subprocess.run(cmd, cwd=ROOT / "go", env=env, capture_output=True, text=True, check=True)
    print(done.stdout, end="", flush=True)
    output.append(done.stdout)
    return [{"lookups_per_s": float(a), "p99_us": float(b)} for a, b in LINE.findall(done.stdout)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "build/bench/registry.json"))
    args = parser.parse_args()
    output: list[str] = []
    figures: dict[str, list[dict[str, float]]] = {"go-in-process": bench(None, args.count, output)}
    with bootstrap() as kafka:
        for implementation in ("go", "python"):
            running = start(
                kafka, topic=f"_schemas_bench_{implementation}", implementation=implementation
            )
            try:
                figures[f"{implementation}-program"] = bench(running.url, args.count, output)
            finally:
                running.stop()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {"figures": figures, "machine": {**machine("".join(output)), "cores": os.cpu_count()}}
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"registry bench: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
