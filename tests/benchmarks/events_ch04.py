"""Chapter 4's exactly-once pipeline, measured: both languages, on both brokers, in one run.

    .venv/bin/python tests/benchmarks/events_ch04.py [--count 2] [--out build/bench/events.json]

Consume-transform-produce in three modes (batched transactions, the same pipeline with no
transaction, one transaction per record), from Go (``BenchmarkPipeline``,
go/events/bench_test.go, ``--count`` rounds through gobench.run_rounds) and from Python
(``test_pipeline``, tests/benchmarks/test_events_bench.py, pytest-benchmark's 3 rounds),
first on the embedded kfake, then on a real Apache Kafka 4.4.0 (the test plumbing's
launcher, tests/services/kafka, starts and stops it; or the broker ``TWINBOOK_KAFKA``
names). One broker at a time serves both languages, so they meet the same broker under
the same load. Per-record transactions are so much slower that they move fewer records
(``PER_MESSAGE_N``) than the other two modes (``N``).

The figure is input records per second, the best round (a shared machine only ever adds
time); the ratios are batched/plain (the issue's aim: at least 0.5) and per-message/plain.
The machine's load averages before and after are recorded beside them. Figures, not gates.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from go_ch03 import parse
from gobench import ROOT, machine, run_rounds

sys.path.insert(0, str(ROOT))  # tests.services.kafka: the real broker's launcher

BENCH = ROOT / "build" / "bench"
BROKERS = ("kfake", "kafka")
LANGUAGES = ("go", "python")
MODES = ("batched", "plain", "per-message")
#: Records per round in Go, as the Python benchmark moves them (test_events_bench.py's N
#: and PER_MESSAGE_N): the same work in both languages.
N = 20_000
PER_MESSAGE_N = 300
#: Seconds the real broker gets to answer (3 to 5 s idle, a minute or more under load).
START_TIMEOUT = 180.0
#: The issue's aim for the batched exactly-once pipeline, as a share of the plain one's.
AIM_BATCHED_VS_PLAIN = 0.5


@contextlib.contextmanager
def broker(kind: str) -> Iterator[str]:
    """The bootstrap server of a ``kind`` broker, started here and stopped on exit."""
    if kind == "kfake":
        from twinbook.kafka import start

        with start() as embedded:
            yield embedded.addr
        return
    named = os.environ.get("TWINBOOK_KAFKA", "").strip()
    if named:
        yield named
        return
    from tests.services.kafka.apache import KafkaConfig, apache_kafka

    # a loaded machine boots the JVM slowly (the test plugin waits as long)
    with apache_kafka(KafkaConfig(start_timeout=START_TIMEOUT)) as real:
        print(f"events bench: Apache Kafka on {real.addr}, up in {real.seconds}s", flush=True)
        yield real.addr


def go_pipeline(addr: str, count: int, output: list[str]) -> dict[str, float]:
    """Go's best records/s per mode on the broker at ``addr``."""
    env = {"TWINBOOK_KAFKA": addr}
    found: dict[str, dict[str, Any]] = {}
    for pattern, n in (
        ("Pipeline/^(batched|plain)$", N),
        ("Pipeline/^per-message$", PER_MESSAGE_N),
    ):
        cmd = ["go", "test", "-run", "^$", "-bench", pattern, "-benchtime", f"{n}x"]
        cmd += ["-count", "1", "./events"]
        mine: list[str] = []
        if not run_rounds(cmd, count, mine, env=env):
            raise SystemExit(f"events bench: {' '.join(cmd)} failed on {addr}")
        output += mine
        found |= parse("".join(mine))
    return {
        mode: found[f"Pipeline/{mode}"]["best"]["records/s"]
        for mode in MODES
        if "records/s" in found.get(f"Pipeline/{mode}", {}).get("best", {})
    }


def python_pipeline(addr: str, kind: str) -> dict[str, float]:
    """Python's best records/s per mode (pytest-benchmark's JSON kept beside the others)."""
    out = BENCH / f"events-python-{kind}.json"
    cmd = [sys.executable, "-m", "pytest", "tests/benchmarks/test_events_bench.py"]
    cmd += ["-k", "test_pipeline", "-o", "addopts=", "-p", "no:cacheprovider", "-q"]
    cmd += ["--benchmark-only", "--benchmark-warmup=off", f"--benchmark-json={out}"]
    print(f"$ TWINBOOK_KAFKA={addr} {' '.join(cmd[2:])}", flush=True)
    subprocess.run(cmd, cwd=ROOT, env={**os.environ, "TWINBOOK_KAFKA": addr}, check=True)
    data = json.loads(out.read_text())
    rates: dict[str, float] = {}
    for bench in data["benchmarks"]:
        mode = bench["name"].removeprefix("test_pipeline[").removesuffix("]")
        rates[mode] = float(bench["extra_info"]["records_per_s"])
    return rates


def ratios(rates: dict[str, float]) -> dict[str, float]:
    """batched/plain and per-message/plain, where the run has them."""
    plain = rates.get("plain")
    if not plain:
        return {}
    return {
        f"{mode.replace('-', '_')}_vs_plain": float(f"{rates[mode] / plain:.3g}")
        for mode in ("batched", "per-message")
        if mode in rates
    }


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--count", type=int, default=2, help="rounds of the Go benchmark (2)")
    ap.add_argument("--brokers", nargs="+", choices=BROKERS, default=list(BROKERS))
    ap.add_argument("--languages", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    ap.add_argument("--out", type=Path, default=BENCH / "events.json")
    args = ap.parse_args(argv)
    BENCH.mkdir(parents=True, exist_ok=True)
    before, started = load(), time.monotonic()
    output: list[str] = []
    runs: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for kind in args.brokers:
        # A broker that fails (the real one not starting in time) is recorded and the
        # other's figures kept: the record then says which figures are missing and why.
        try:
            with broker(kind) as addr:
                for language in args.languages:
                    if language == "go":
                        rates = go_pipeline(addr, args.count, output)
                    else:
                        rates = python_pipeline(addr, kind)
                    runs.append(
                        {
                            "broker": kind,
                            "language": language,
                            "records_per_s": {m: round(v, 1) for m, v in rates.items()},
                            "ratios": ratios(rates),
                        }
                    )
        except (RuntimeError, OSError, subprocess.CalledProcessError, SystemExit) as err:
            errors[kind] = str(err).splitlines()[0] if str(err) else type(err).__name__
            print(f"events bench: {kind}: {errors[kind]}", file=sys.stderr, flush=True)
    result = {
        "about": "consume-transform-produce: input records/s, the best round, per broker, "
        "language and mode; ratios to the plain pipeline (no transactions)",
        "command": f"tests/benchmarks/events_ch04.py --count {args.count} "
        f"--languages {' '.join(args.languages)}",
        "records": {"batched": N, "plain": N, "per-message": PER_MESSAGE_N},
        "aim": {"batched_vs_plain_at_least": AIM_BATCHED_VS_PLAIN},
        "machine": {**machine("".join(output)), "cores": os.cpu_count() or 1},
        "load_average": {"before": before, "after": load()},
        "seconds": round(time.monotonic() - started, 1),
        "runs": runs,
        "errors": errors,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"\n{'broker':8} {'language':8} " + " ".join(f"{m:>14}" for m in MODES) + "  batched/plain"
    )
    for run in runs:
        rates = " ".join(f"{run['records_per_s'].get(m, 0):14,.0f}" for m in MODES)
        print(
            f"{run['broker']:8} {run['language']:8} {rates}  {run['ratios'].get('batched_vs_plain')}"
        )
    print(f"events bench: wrote {args.out} in {result['seconds']}s")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
