"""Chapter 4's figures from one ``make bench-ch04`` run, and the recording the book plots.

    .venv/bin/python tests/benchmarks/ch04_figures.py            # make bench-ch04
    .venv/bin/python tests/benchmarks/ch04_figures.py --record book/_data/bench-ch04.json
                                                                  # make bench-record

The inputs are the JSON files of the run:

* build/bench/events.json (events_ch04.py): the consume-transform-produce pipeline's
  records/s, batched transactions, none, and one per record; Go and Python; on kfake and on
  real Apache Kafka;
* build/bench/registry.json (go_registry.py): schema-id lookups/s and p99 of both
  registries with no client cache, and both serializers' records/s with a warm cache.

:func:`figures` turns them into one list of times per operation, as chapter 3's
(ch03_figures.py): a rate becomes its inverse (ns per record, ns per lookup), a p99 stays
a time, so ``twinbook-bench-plot`` draws them on its one axis; each figure keeps its rate
(``per_s``) for the chapter's table. :func:`ratios` and :func:`aims` are the comparisons
the issue asks for; :func:`recording` adds the machine, the date and the load averages
during the run: the shape of book/_data/bench-ch04.json (book/_ext/twinbook_bench_data.py
checks it). Writes build/bench/ch04.json (the figures, the aims and both inputs).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "build" / "bench"

BROKER_GROUPS = {
    "kfake": "Pipeline on kfake (embedded), per input record",
    "kafka": "Pipeline on Apache Kafka 4.4.0, per input record",
}
MODE_LABELS = {
    "batched": "batched transactions",
    "plain": "no transaction",
    "per-message": "a transaction per record",
}
LANGUAGE_NAMES = {"go": "Go", "python": "Python"}
LOOKUPS = "Registry: a schema-id lookup, no cache (1 / throughput)"
P99 = "Registry: a schema-id lookup, p99 latency"
SERIALIZERS = "Serializer with a warm cache, per record"
#: registry.json's implementations: (figure id part, language, label).
REGISTRIES = {
    "go-program": ("go", "go", "Go registry (program)"),
    "python-program": ("python", "python", "Python registry (program)"),
    "go-in-process": ("go-in-process", "go", "Go registry (in process)"),
}
SERDES = {
    "go-serde": ("go", "Go: franz-go sr.Serde"),
    "python-avroserializer": ("python", "Python: confluent-kafka AvroSerializer"),
}
#: The issue's aims: batched/plain at least 0.5; lookups/s at least these, uncached.
AIM_BATCHED_VS_PLAIN = 0.5
AIM_LOOKUPS = {"go": 20_000, "python": 3_000}


def _figure(fid: str, group: str, language: str, label: str, ns: float, **extra: Any) -> dict:
    return {
        "id": fid,
        "group": group,
        "language": language,
        "label": label,
        "ns": round(ns, 1),
        **extra,
    }


def figures(events: dict[str, Any], registry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every chapter-4 figure the run has, as {id, group, language, label, ns, per_s, source}."""
    found: list[dict[str, Any]] = []
    for broker, group in BROKER_GROUPS.items():
        for mode, mode_label in MODE_LABELS.items():
            for run in events.get("runs", []):
                rate = run["records_per_s"].get(mode)
                if run["broker"] != broker or not rate:
                    continue
                language = run["language"]
                found.append(
                    _figure(
                        f"pipeline-{broker}-{language}-{mode}",
                        group,
                        language,
                        f"{LANGUAGE_NAMES[language]}: {mode_label}",
                        1e9 / rate,
                        per_s=round(rate, 1),
                        source=f"events.json {broker} {language} {mode} (records/s)",
                    )
                )
    best = registry.get("best", {})
    for name, (part, language, label) in REGISTRIES.items():
        if name in best and best[name]["lookups_per_s"] > 0:
            rate = best[name]["lookups_per_s"]
            found.append(
                _figure(
                    f"lookup-{part}",
                    LOOKUPS,
                    language,
                    label,
                    1e9 / rate,
                    per_s=round(rate, 1),
                    source=f"registry.json {name} (lookups/s)",
                )
            )
    for name, (part, language, label) in REGISTRIES.items():
        if name in best and best[name]["p99_us"] > 0:
            found.append(
                _figure(
                    f"lookup-p99-{part}",
                    P99,
                    language,
                    label,
                    best[name]["p99_us"] * 1e3,
                    source=f"registry.json {name} (p99-µs)",
                )
            )
    for name, (language, label) in SERDES.items():
        rate = registry.get("serializers", {}).get(name)
        if rate:
            found.append(
                _figure(
                    f"serializer-{language}",
                    SERIALIZERS,
                    language,
                    label,
                    1e9 / rate,
                    per_s=round(rate, 1),
                    source=f"registry.json serializers {name} (records/s)",
                )
            )
    return found


def ratios(found: list[dict[str, Any]]) -> dict[str, float]:
    """batched/plain and per-message/plain throughput, per broker and language."""
    rate = {f["id"]: f["per_s"] for f in found if "per_s" in f}
    out: dict[str, float] = {}
    for broker in BROKER_GROUPS:
        for language in LANGUAGE_NAMES:
            plain = rate.get(f"pipeline-{broker}-{language}-plain")
            for mode in ("batched", "per-message"):
                other = rate.get(f"pipeline-{broker}-{language}-{mode}")
                if plain and other:
                    key = f"{broker}_{language}_{mode.replace('-', '_')}_vs_plain"
                    out[key] = float(
                        f"{other / plain:.3g}"
                    )  # 3 significant digits: per-record is tiny
    return out


def aims(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's aims, each with the measured value and whether it was met."""
    ratio = ratios(found)
    rate = {f["id"]: f["per_s"] for f in found if "per_s" in f}
    out: list[dict[str, Any]] = []
    for broker in BROKER_GROUPS:
        for language, name in LANGUAGE_NAMES.items():
            value = ratio.get(f"{broker}_{language}_batched_vs_plain")
            out.append(
                {
                    "aim": f"{name} on {broker}: batched exactly-once at >= 50% of the plain "
                    "pipeline's records/s",
                    "value": value,
                    "at_least": AIM_BATCHED_VS_PLAIN,
                    "met": value is not None and value >= AIM_BATCHED_VS_PLAIN,
                }
            )
    for language, least in AIM_LOOKUPS.items():
        value = rate.get(f"lookup-{language}")
        out.append(
            {
                "aim": f"{LANGUAGE_NAMES[language]} registry: >= {least:,} schema-id lookups/s, "
                "uncached",
                "value": value,
                "at_least": least,
                "met": value is not None and value >= least,
            }
        )
    return out


def recording(
    found: list[dict[str, Any]], events: dict[str, Any], registry: dict[str, Any]
) -> dict[str, Any]:
    """The recording the book plots: the figures, the machine, the date and the load."""
    ran_on = events.get("machine") or registry.get("machine") or {}
    machine: dict[str, Any] = {"cpu": ran_on.get("cpu") or platform.processor() or "unknown"}
    machine["cores"] = os.cpu_count() or 1
    machine["os"] = f"{platform.system()} {platform.release().split('-')[0]}"
    if ran_on.get("go"):
        machine["go"] = ran_on["go"]
    machine["python"] = platform.python_version()
    return {
        "about": "chapter 4's figures from one `make bench-record` run: time per operation in ns "
        "(a rate is its inverse, kept as per_s); book/chapters/ch04-events.md plots them "
        "(twinbook-bench-plot)",
        "recorded": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine,
        # other work on the machine while it ran (1, 5 and 15 minute load averages)
        "load_average": {
            "pipeline": events.get("load_average"),
            "registry": registry.get("load_average"),
        },
        "command": "make bench-ch04, then ch04_figures.py --record (make bench-record runs both)",
        "figures": found,
        "ratios": ratios(found),
        "aims": aims(found),
    }


def show(found: list[dict[str, Any]]) -> None:
    group = None
    for f in found:
        if f["group"] != group:
            group = f["group"]
            print(f"\n{group}")
        rate = f"{f['per_s']:>14,.0f}/s" if "per_s" in f else ""
        print(f"  {f['label']:42} {f['ns']:>14,.1f} ns {rate}")
    for name, value in ratios(found).items():
        print(f"ratio {name}: {value}")
    for aim in aims(found):
        print(f"aim: {aim['aim']}: {aim['value']} {'met' if aim['met'] else 'NOT met'}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", type=Path, default=BENCH / "ch04.json")
    ap.add_argument("--record", type=Path, help="also write the book's recording here")
    args = ap.parse_args(argv)
    inputs = [BENCH / "events.json", BENCH / "registry.json"]
    missing = [p for p in inputs if not p.exists()]
    if missing:
        print(
            f"ch04_figures: missing {', '.join(str(p) for p in missing)} "
            "(make bench-ch04 writes them)",
            file=sys.stderr,
        )
        return 1
    events, registry = (json.loads(p.read_text()) for p in inputs)
    found = figures(events, registry)
    show(found)
    merged = {
        "about": "chapter 4: the pipeline's modes on both brokers, the registries and the "
        "serializers; ns per operation (a rate is its inverse, kept as per_s)",
        "figures": found,
        "ratios": ratios(found),
        "aims": aims(found),
        "events": events,
        "registry": registry,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    print(f"\nbench-ch04: wrote {args.out}")
    if args.record:
        args.record.parent.mkdir(parents=True, exist_ok=True)
        rec = recording(found, events, registry)
        args.record.write_text(json.dumps(rec, indent=2, ensure_ascii=False) + "\n")
        print(f"bench-ch04: recorded chapter 4's figures in {args.record}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
