"""Chapter 3's figures from one ``make bench`` run, and the recording the book plots.

Used by merge_bench.py. The inputs are the JSON files of the run:

* build/bench/go-actor.json (``go_ch03.py actor``): Go actors beside protoactor-go;
* build/bench/python.json (``make bench-python``): Python actors beside pykka;
* build/bench/go-swarm.json (``go_ch03.py swarm``): unary p50 Go->Go, Go->Python, swarm
  tasks/s streamed with credits vs one unary call per task;
* build/bench/swarm-python.json (tests/benchmarks/test_swarm_bench.py): unary Python->Go,
  Python->Python (the median of one call after another is the p50).

:func:`figures` turns them into one list of times per operation (a rate is turned into
its inverse, so that one axis holds a message and a round trip between processes);
:func:`recording` adds the machine and the date: the shape of book/_data/bench-ch03.json,
which ``twinbook-bench-plot`` draws (book/_ext/twinbook_bench_data.py checks it).
"""

from __future__ import annotations

import datetime
import os
import platform
from typing import Any

IN_PROCESS = "In process: twinbook"
PEERS = "In process: the peers"
ACROSS = "Across processes: gRPC on loopback"


#: Each figure: (id, group, language, label, input, benchmark, how to read it). The inputs
#: are go-actor / go-swarm (go_ch03.py), python (merge_bench's records of python.json) and
#: swarm-python (pytest-benchmark's JSON); how:
#: ``ns/op`` Go's best ns/op; ``p50-µs`` Go's best p50 in µs; ``tasks/s`` Go's best rate,
#: inverted; ``per-message`` a Python actor round's best time per message; ``median`` a
#: pytest-benchmark median (one call after another: the p50); ``per-task`` a throughput
#: round's best time over its TASKS tasks.
SPECS: list[tuple[str, str, str, str, str, str, str]] = [
    ("go-actor-tell", IN_PROCESS, "go", "Go actor: a message (Tell)",
     "go-actor", "Tell/twinbook", "ns/op"),
    ("go-actor-ask", IN_PROCESS, "go", "Go actor: an Ask round trip",
     "go-actor", "Ask/twinbook", "ns/op"),
    ("python-actor-tell", IN_PROCESS, "python", "Python asyncio actor: a message",
     "python", "actor_tell/twinbook-asyncio", "per-message"),
    ("python-actor-ask", IN_PROCESS, "python", "Python asyncio actor: an ask",
     "python", "actor_ask/twinbook-asyncio", "per-message"),
    ("go-protoactor-tell", PEERS, "go", "protoactor-go: a message",
     "go-actor", "Tell/protoactor", "ns/op"),
    ("go-protoactor-ask", PEERS, "go", "protoactor-go: a request",
     "go-actor", "Ask/protoactor", "ns/op"),
    ("python-pykka-tell", PEERS, "python", "pykka: a message (tell)",
     "python", "actor_tell/pykka", "per-message"),
    ("python-pykka-ask", PEERS, "python", "pykka: an ask",
     "python", "actor_ask/pykka", "per-message"),
    ("unary-go-go", ACROSS, "go", "unary call Go → Go (p50)",
     "go-swarm", "UnaryRoundTrip/go-to-go", "p50-µs"),
    ("unary-python-go", ACROSS, "go+python", "unary call Python → Go (p50)",
     "swarm-python", "test_unary_round_trip[go]", "median"),
    ("unary-go-python", ACROSS, "go+python", "unary call Go → Python (p50)",
     "go-swarm", "UnaryRoundTrip/go-to-python", "p50-µs"),
    ("unary-python-python", ACROSS, "python", "unary call Python → Python (p50)",
     "swarm-python", "test_unary_round_trip[python]", "median"),
    ("swarm-stream", ACROSS, "go", "swarm task, streamed with credits",
     "go-swarm", "SwarmThroughput/stream-credits", "tasks/s"),
    ("swarm-unary", ACROSS, "go", "swarm task, one unary call each",
     "go-swarm", "SwarmThroughput/unary-per-task", "tasks/s"),
    ("swarm-stream-python-client", ACROSS, "go+python", "swarm task from Python, streamed",
     "swarm-python", "test_throughput_stream_with_credits[go]", "per-task"),
    ("swarm-unary-python-client", ACROSS, "go+python", "swarm task from Python, unary each",
     "swarm-python", "test_throughput_unary_per_task", "per-task"),
]  # fmt: skip
#: One round of test_swarm_bench.py's throughput tests.
TASKS = 400


def _read(data: Any, name: str, how: str) -> float | None:
    """The figure in ns per operation, or None when the run has no such benchmark."""
    if how in ("ns/op", "p50-µs", "tasks/s"):
        rec = next((r for r in data.get("benchmarks", []) if r["name"] == name), None)
        value = None if rec is None else rec["best"].get(how)
        if value is None or value <= 0:
            return None
        return {"ns/op": value, "p50-µs": value * 1e3, "tasks/s": 1e9 / value}[how]
    if how == "per-message":
        rec = next((r for r in data if r["name"] == name), None)
        return None if rec is None else float(rec.get("ns_per_message", rec["ns_per_op"]))
    bench = next((b for b in data.get("benchmarks", []) if b["name"] == name), None)
    if bench is None:
        return None
    if how == "median":
        return float(bench["stats"]["median"]) * 1e9
    return float(bench["stats"]["min"]) * 1e9 / TASKS  # per-task


def figures(
    go_actor: dict[str, Any],
    python_records: list[dict[str, Any]],
    go_swarm: dict[str, Any],
    swarm_python: dict[str, Any],
) -> list[dict[str, Any]]:
    """Every chapter-3 figure the run has, as {id, group, language, label, ns, source}."""
    inputs: dict[str, Any] = {
        "go-actor": go_actor,
        "python": python_records,
        "go-swarm": go_swarm,
        "swarm-python": swarm_python,
    }
    found = []
    for fid, group, language, label, source, name, how in SPECS:
        ns = _read(inputs[source], name, how)
        if ns is not None:
            found.append(
                {
                    "id": fid,
                    "group": group,
                    "language": language,
                    "label": label,
                    "ns": round(ns, 1),
                    "source": f"{source}.json {name} ({how})",
                }
            )
    return found


def ratios(found: list[dict[str, Any]]) -> dict[str, float]:
    """The gaps the chapter talks about, as how many times longer the second one takes."""
    ns = {f["id"]: f["ns"] for f in found}
    pairs = {
        "go_tell_vs_protoactor": ("go-actor-tell", "go-protoactor-tell"),
        "go_ask_vs_protoactor": ("go-actor-ask", "go-protoactor-ask"),
        "python_tell_vs_pykka": ("python-actor-tell", "python-pykka-tell"),
        "python_ask_vs_pykka": ("python-actor-ask", "python-pykka-ask"),
        "swarm_stream_vs_unary": ("swarm-stream", "swarm-unary"),
        "go_ask_vs_unary_go_go": ("go-actor-ask", "unary-go-go"),
        "python_ask_vs_unary_python_python": ("python-actor-ask", "unary-python-python"),
    }
    return {name: round(ns[b] / ns[a], 2) for name, (a, b) in pairs.items() if a in ns and b in ns}


def recording(
    found: list[dict[str, Any]], go_version: str | None, cpu: str | None
) -> dict[str, Any]:
    """The recording the book plots: the figures, with the machine and the date."""
    machine: dict[str, Any] = {"cpu": cpu or platform.processor() or platform.machine()}
    machine["cores"] = os.cpu_count() or 1
    machine["os"] = f"{platform.system()} {platform.release().split('-')[0]}"
    if go_version:
        machine["go"] = go_version
    machine["python"] = platform.python_version()
    return {
        "about": "chapter 3's figures from one `make bench-record` run: time per operation in ns "
        "(a rate is its inverse); book/chapters/ch03-teammates.md plots them "
        "(twinbook-bench-plot)",
        "recorded": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine,
        "command": "make bench-record",
        "figures": found,
        "ratios": ratios(found),
    }
