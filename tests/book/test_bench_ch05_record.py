"""Chapter 5's benchmark record: the script's figures and aims, and the file.

tests/benchmarks/ch05.py turns one ``make bench-ch05`` run into figures in the shape
``twinbook-bench-plot`` draws, and the aims the issue sets (the relay at >= 2x
watermill-sql's events/s, the idempotency middleware under 1 ms on SQLite, kill -9 runs
with nothing lost and duplicates within kills x batch). Here it is fed a small result of
known numbers; and the book's recording (book/_data/bench-ch05.json) is checked to have
the shape the directive reads. No benchmark runs here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from book_site import BOOK
from twinbook_bench_data import load, parse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import ch05  # noqa: E402  (a script's module, not a package)


def kill(lost: int, duplicates: int, passed: bool = True) -> dict[str, Any]:
    return {"lost": lost, "duplicates": duplicates, "bound": 5000, "passed": passed}


RESULT: dict[str, Any] = {
    "machine": {"go": "go1.26.8", "cpu": "Test CPU", "cores": 2},
    "load_average": {"relay": {"before": [1.0, 1.0, 1.0], "after": [2.0, 1.0, 1.0]}},
    "relay": {
        "events_per_s": {
            "sqlite": {"go": {"100": 50_000.0, "1": 4_000.0}, "python": {"100": 40_000.0}},
            "postgres": {"go": {"1000": 25_000.0, "100": 80_000.0}},
        },
        "peer": {"name": "watermill-sql", "events_per_s": 4_000.0},
    },
    "idempotency": {
        "us_per_request": {
            "go": {"bare": 5.0, "sqlite/new_key": 200.0},
            "python": {"bare": 10.0, "sqlite/new_key": 1_500.0},
        },
        "overhead_us": {"go": {"sqlite/new_key": 195.0}, "python": {"sqlite/new_key": 1_490.0}},
    },
    "kill9": {
        "outbox": {
            "runs": {
                "go/sqlite": kill(0, 200),
                "python/sqlite": kill(1, 0),
                "go/postgres": kill(0, 6000),
            }
        },
        "saga": {"runs": {"go/sqlite": {"passed": True}, "python/sqlite": {"passed": False}}},
        "full_run": True,
    },
    "errors": {},
}


def test_every_rate_becomes_a_time_per_operation() -> None:
    by_id = {f["id"]: f for f in ch05.figures(RESULT)}
    assert len(by_id) == 5 + 1 + 4
    assert by_id["relay-sqlite-go-batch-100"]["ns"] == 20_000.0
    assert by_id["relay-sqlite-go-batch-100"]["per_s"] == 50_000.0
    assert by_id["relay-postgres-go-watermill-sql"]["ns"] == 250_000.0
    assert "relay-sqlite-go-watermill-sql" not in by_id  # the peer runs on PostgreSQL only
    assert by_id["idempotency-python-sqlite-new-key"]["ns"] == 1_500_000.0


def test_aims_say_which_were_met() -> None:
    met = {a["aim"]: a["met"] for a in ch05.aims(RESULT)}
    peer = next(a for a in ch05.aims(RESULT) if "watermill" in a["aim"])
    assert peer["value"] == 20.0 and peer["met"]
    assert met["go: idempotency middleware overhead on SQLite (new key) under 1 ms"]
    assert not met["python: idempotency middleware overhead on SQLite (new key) under 1 ms"]
    kills = {k.removeprefix("kill -9 ").split(":")[0]: v for k, v in met.items() if "kill" in k}
    assert kills == {
        "outbox go/sqlite": True,
        "outbox python/sqlite": False,  # one lost
        "outbox go/postgres": False,  # 6000 duplicates > 50 kills x 100
        "saga go/sqlite": True,
        "saga python/sqlite": False,
    }


def test_a_run_without_the_peer_does_not_meet_its_aim() -> None:
    result = {**RESULT, "relay": {**RESULT["relay"], "peer": {"events_per_s": None}}}
    peer = next(a for a in ch05.aims(result) if "watermill" in a["aim"])
    assert peer["value"] is None and not peer["met"]


def test_the_recording_is_what_the_plot_directive_reads() -> None:
    rec = ch05.recording(RESULT)
    assert rec["load_average"] == RESULT["load_average"]
    assert rec["machine"]["go"] == "go1.26.8" and rec["machine"]["cpu"] == "Test CPU"
    recording = parse(json.loads(json.dumps(rec)))
    assert [f.id for f in recording.figures] == [f["id"] for f in ch05.figures(RESULT)]


def test_the_books_recording_has_the_shape_and_the_kill_runs() -> None:
    path = BOOK / "_data" / "bench-ch05.json"
    recording = load(path)
    assert recording.figures
    data = json.loads(path.read_text())
    assert data["kill9"]["outbox"]["runs"] and data["kill9"]["saga"]["runs"]
    for run in data["kill9"]["outbox"]["runs"].values():
        assert run.get("lost") == 0, run
