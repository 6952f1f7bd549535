"""Schema-id lookups per second and p99 latency, over HTTP keep-alive with no client cache,
for both registries: Go's BenchmarkSchemaByID (go/registry/bench_test.go) is the load
generator for each, in process and against the Go and the Python registry programs (its
$TWINBOOK_REGISTRY_BENCH_URL), on the embedded broker. Then the serializers with a warm
cache (the schema id known, no request per record): Go's BenchmarkSerde (franz-go's sr.Serde
over hamba/avro) and confluent-kafka's AvroSerializer (tests/benchmarks/test_registry_bench.py,
against the Python registry program), in records/s. The machine's load averages before and
after are recorded beside them. Figures, not gates.

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
SERDE = re.compile(r"^BenchmarkSerde\S*\s+\d+\s+\S+ ns/op\s+(\S+) records/s", re.M)


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


def go_serde(count: int, output: list[str]) -> float:
    """The best records/s of Go's sr.Serde with a warm cache (BenchmarkSerde)."""
    cmd = ["go", "test", "-run", "^$", "-bench", "Serde", "-count", str(count), "./registry"]
    done = subprocess.run(cmd, cwd=ROOT / "go", capture_output=True, text=True, check=True)
    print(done.stdout, end="", flush=True)
    output.append(done.stdout)
    return max(float(rate) for rate in SERDE.findall(done.stdout))


def python_serializer(url: str) -> float:
    """The best records/s of confluent-kafka's AvroSerializer with a warm cache."""
    out = ROOT / "build/bench/registry-python.json"
    cmd = [sys.executable, "-m", "pytest", "tests/benchmarks/test_registry_bench.py"]
    cmd += ["-o", "addopts=", "-p", "no:cacheprovider", "-q", "--benchmark-only"]
    cmd += ["--benchmark-warmup=on", f"--benchmark-json={out}"]
    env = {**os.environ, "TWINBOOK_REGISTRY_BENCH_URL": url}
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    data = json.loads(out.read_text())
    return float(data["benchmarks"][0]["extra_info"]["records_per_s"])


def best(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The round with the most lookups/s, its p99 beside it (a consistent pair)."""
    return max(rounds, key=lambda r: r["lookups_per_s"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "build/bench/registry.json"))
    args = parser.parse_args()
    before = [round(x, 2) for x in os.getloadavg()]
    output: list[str] = []
    figures: dict[str, list[dict[str, float]]] = {"go-in-process": bench(None, args.count, output)}
    serializers: dict[str, float] = {"go-serde": go_serde(args.count, output)}
    with bootstrap() as kafka:
        for implementation in ("go", "python"):
            running = start(
                kafka, topic=f"_schemas_bench_{implementation}", implementation=implementation
            )
            try:
                figures[f"{implementation}-program"] = bench(running.url, args.count, output)
                if implementation == "python":
                    serializers["python-avroserializer"] = python_serializer(running.url)
            finally:
                running.stop()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "about": "schema-id lookups over HTTP keep-alive, no client cache (every round); "
        "serializers with a warm cache, records/s (the best round)",
        "figures": figures,
        "best": {name: best(rounds) for name, rounds in figures.items() if rounds},
        "serializers": serializers,
        "machine": {**machine("".join(output)), "cores": os.cpu_count()},
        "load_average": {"before": before, "after": [round(x, 2) for x in os.getloadavg()]},
    }
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"registry bench: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
