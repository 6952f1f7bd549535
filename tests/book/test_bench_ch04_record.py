"""Chapter 4's benchmark record: the merge script's figures, ratios and aims, and the file.

tests/benchmarks/ch04_figures.py turns one ``make bench-ch04`` run (events.json,
registry.json) into the figures ``twinbook-bench-plot`` draws. Here it is fed a small run
of known numbers, so every figure, ratio and aim can be checked by hand; and the book's
own recording (book/_data/bench-ch04.json) is checked to have the shape the directive
reads and the figures the chapter's plots name, so a ``make bench-record`` that writes a
wrong shape fails before the book is built. No benchmark runs here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from book_site import BOOK
from twinbook_bench_data import load, parse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import ch04_figures  # noqa: E402  (a script's module, not a package)

EVENTS: dict[str, Any] = {
    "machine": {"go": "go1.26.8", "cpu": "Test CPU", "cores": 2},
    "load_average": {"before": [1.5, 1.2, 1.0], "after": [2.0, 1.4, 1.1]},
    "runs": [
        {
            "broker": "kfake",
            "language": "go",
            "records_per_s": {"batched": 600_000.0, "plain": 500_000.0, "per-message": 500.0},
        },
        {
            "broker": "kfake",
            "language": "python",
            "records_per_s": {"batched": 40_000.0, "plain": 50_000.0, "per-message": 250.0},
        },
        {
            "broker": "kafka",
            "language": "go",
            "records_per_s": {"batched": 100_000.0, "plain": 250_000.0, "per-message": 100.0},
        },
        {
            "broker": "kafka",
            "language": "python",
            "records_per_s": {"batched": 10_000.0, "plain": 40_000.0, "per-message": 50.0},
        },
    ],
}
REGISTRY: dict[str, Any] = {
    "best": {
        "go-in-process": {"lookups_per_s": 50_000.0, "p99_us": 400.0},
        "go-program": {"lookups_per_s": 25_000.0, "p99_us": 800.0},
        "python-program": {"lookups_per_s": 2_000.0, "p99_us": 9_000.0},
    },
    "serializers": {"go-serde": 5_000_000.0, "python-avroserializer": 200_000.0},
    "load_average": {"before": [1.0, 1.0, 1.0], "after": [1.1, 1.0, 1.0]},
}


@pytest.fixture
def found() -> list[dict[str, Any]]:
    return ch04_figures.figures(EVENTS, REGISTRY)


def test_every_rate_becomes_a_time_per_operation(found: list[dict[str, Any]]) -> None:
    by_id = {f["id"]: f for f in found}
    assert len(found) == 12 + 3 + 3 + 2
    assert by_id["pipeline-kfake-go-batched"]["ns"] == pytest.approx(1e9 / 600_000, abs=0.1)
    assert by_id["pipeline-kafka-python-per-message"]["ns"] == 2e7
    assert by_id["pipeline-kafka-python-per-message"]["per_s"] == 50.0
    assert by_id["lookup-python"]["ns"] == 500_000.0  # 1 / 2000 per second
    assert by_id["lookup-p99-go"]["ns"] == 800_000.0  # 800 µs stays a time
    assert "per_s" not in by_id["lookup-p99-go"]
    assert by_id["serializer-go"]["ns"] == 200.0
    assert by_id["pipeline-kafka-go-plain"]["group"] != by_id["pipeline-kfake-go-plain"]["group"]


def test_ratios_are_each_mode_over_the_plain_pipeline(found: list[dict[str, Any]]) -> None:
    ratios = ch04_figures.ratios(found)
    assert ratios["kfake_go_batched_vs_plain"] == 1.2
    assert ratios["kafka_python_batched_vs_plain"] == 0.25
    assert ratios["kafka_go_per_message_vs_plain"] == 0.0004
    assert len(ratios) == 8


def test_aims_say_which_were_met(found: list[dict[str, Any]]) -> None:
    met = {a["aim"].split(":")[0]: a["met"] for a in ch04_figures.aims(found)}
    assert met == {
        "Go on kfake": True,
        "Python on kfake": True,
        "Go on kafka": False,  # 0.4
        "Python on kafka": False,  # 0.25
        "Go registry": True,  # 25k >= 20k
        "Python registry": False,  # 2k < 3k
    }


def test_a_run_without_a_broker_leaves_its_figures_and_aims_out() -> None:
    events = {**EVENTS, "runs": [r for r in EVENTS["runs"] if r["broker"] == "kfake"]}
    found = ch04_figures.figures(events, REGISTRY)
    assert not [f for f in found if f["id"].startswith("pipeline-kafka-")]
    unmet = [a for a in ch04_figures.aims(found) if a["value"] is None]
    assert len(unmet) == 2 and not any(a["met"] for a in unmet)


def test_the_recording_is_what_the_plot_directive_reads(found: list[dict[str, Any]]) -> None:
    rec = ch04_figures.recording(found, EVENTS, REGISTRY)
    assert rec["load_average"]["pipeline"] == EVENTS["load_average"]
    assert rec["machine"]["go"] == "go1.26.8" and rec["machine"]["cpu"] == "Test CPU"
    recording = parse(json.loads(json.dumps(rec)))
    assert [f.id for f in recording.figures] == [f["id"] for f in found]


def test_main_merges_a_run_and_records_it(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "events.json").write_text(json.dumps(EVENTS))
    (tmp_path / "registry.json").write_text(json.dumps(REGISTRY))
    monkeypatch.setattr(ch04_figures, "BENCH", tmp_path)
    out, record = tmp_path / "ch04.json", tmp_path / "book" / "bench-ch04.json"
    assert ch04_figures.main(["--out", str(out), "--record", str(record)]) == 0
    merged = json.loads(out.read_text())
    assert merged["events"] == EVENTS and len(merged["aims"]) == 6
    assert len(load(record).figures) == 20


def test_main_names_a_missing_input(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    (tmp_path / "events.json").write_text(json.dumps(EVENTS))
    monkeypatch.setattr(ch04_figures, "BENCH", tmp_path)
    assert ch04_figures.main(["--out", str(tmp_path / "ch04.json")]) == 1
    assert "registry.json" in capsys.readouterr().err


def test_the_books_recording_is_well_formed() -> None:
    recording = load(BOOK / "_data" / "bench-ch04.json")
    ids = {f.id for f in recording.figures}
    for broker in ("kfake", "kafka"):
        for language in ("go", "python"):
            for mode in ("batched", "plain", "per-message"):
                assert f"pipeline-{broker}-{language}-{mode}" in ids
    assert {"lookup-go", "lookup-python", "lookup-p99-go", "lookup-p99-python"} <= ids
    assert {"serializer-go", "serializer-python"} <= ids
    data = json.loads((BOOK / "_data" / "bench-ch04.json").read_text())
    assert all(len(data["load_average"][part]["before"]) == 3 for part in ("pipeline", "registry"))
