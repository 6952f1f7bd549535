"""The saga crash demo killed with SIGKILL at random moments, on both stores.

``python -m twinbook.saga`` is started, killed when the participant has seen a random
number of further calls, ten times, then left to finish. Every saga must end as its plan
says, each effect applied once, compensations after the actions and in reverse order; the
repetitions that the participant's deduplication absorbed are reported.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict

import psycopg
import pytest
from vectors_files import ROOT

from twinbook._goprograms import cached_program
from twinbook.saga import Kind, StoreLog, key
from twinbook.saga.demo import DEFINITION_ID, STEPS, failures
from twinbook.store import Dialect, Store, connect

#: How many times to kill: 10 by default (make test's short run); a benchmark's full run
#: asks for more, and gets 4 sagas per kill so that the kills land before the end.
KILLS_ENV = "TWINBOOK_SAGA_KILLS"
KILLS = max(1, int(os.environ.get(KILLS_ENV) or 10))
SAGAS = max(40, 4 * KILLS)
DEADLINE = 60.0 + KILLS


def want_counts(n: int) -> str:
    """The last run's line for ``n`` sagas: the plan compensates numbers 1, 3, 4 modulo 5."""
    compensated = sum(1 for i in range(n) if i % 5 in (1, 3, 4))
    return json.dumps(
        {"compensated": compensated, "completed": n - compensated}, separators=(",", ":")
    )


def _command(store_url: str) -> list[str]:
    return [sys.executable, "-m", "twinbook.saga", "--store", store_url, "--sagas", str(SAGAS)]


class Calls:
    """Counts the participant's calls from outside the program. On SQLite it reads with a
    plain connection: a store transaction is BEGIN IMMEDIATE, and waiting for the write
    lock would let the program run on for SQLite's busy-handler naps between polls."""

    def __init__(self, store_url: str, store: Store) -> None:
        self._store = store
        self._sqlite = (
            sqlite3.connect(store_url.removeprefix("sqlite:"), isolation_level=None)
            if store.dialect is Dialect.SQLITE
            else None
        )

    def __call__(self) -> int:
        try:
            if self._sqlite is not None:
                (n,) = self._sqlite.execute("SELECT COUNT(*) FROM demo_calls").fetchone()
                return int(n)
            with self._store.transaction() as tx:
                (n,) = tx.execute("SELECT COUNT(*) FROM demo_calls").fetchone()
                return int(n)
        except (sqlite3.Error, psycopg.Error) as exc:
            if "no such table" in str(exc) or "does not exist" in str(exc):
                return 0  # the first run has not made it yet
            raise

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()


def want_effects(i: int) -> list[str]:
    """Saga ``i``'s effects in the order they must be applied."""
    failed = {1: 1, 3: 2, 4: 0}.get(i % 5)
    done = STEPS if failed is None else STEPS[:failed]
    keys = [key(f"s{i}", step, Kind.ACTION) for step in done]
    if failed is not None:
        keys += [key(f"s{i}", step, Kind.COMPENSATION) for step in reversed(done)]
    return keys


def kill_runs(store_url: str, commands: list[list[str]], kills: int, seed: int) -> dict[str, int]:
    """Start the demo (the commands in turn), SIGKILL it once it has made a random number of
    further calls, ``kills`` times, then let one more run finish; check every saga's end
    and effects and return the figures."""
    rng = random.Random(seed)
    with connect(store_url) as store:
        calls_now = Calls(store_url, store)
        try:
            for kill in range(kills):
                target = calls_now() + rng.randint(2, 10)  # 6 per kill of ~18 per 4 sagas
                command = commands[kill % len(commands)]
                proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
                try:
                    deadline = time.monotonic() + DEADLINE
                    while calls_now() < target:
                        assert proc.poll() is None, f"seed {seed}: ended before kill {kill + 1}"
                        assert time.monotonic() < deadline, f"seed {seed}: no calls"
                        time.sleep(0.001)  # the poll's pace, not a synchronisation
                finally:
                    proc.kill()  # SIGKILL
                    proc.communicate(timeout=DEADLINE)
        finally:
            calls_now.close()
        done = subprocess.run(
            commands[kills % len(commands)],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == want_counts(SAGAS)

        with store.transaction() as tx:
            effects = [k for (k,) in tx.execute("SELECT key FROM demo_effects ORDER BY seq")]
            calls = dict(tx.execute("SELECT key, COUNT(*) FROM demo_calls GROUP BY key").fetchall())
        per_saga: dict[str, list[str]] = defaultdict(list)
        for k in effects:
            per_saga[k.split(":")[0]].append(k)
        for i in range(SAGAS):
            assert per_saga.pop(f"s{i}", []) == want_effects(i), f"seed {seed}: saga s{i}"
        assert not per_saga, f"effects of sagas never run: {dict(per_saga)}"
        assert StoreLog(store).unfinished(DEFINITION_ID) == []
    succeeded = sum(max(0, n - min(failures(k), n)) for k, n in calls.items())
    return {
        "kills": kills,
        "effects": len(effects),
        "duplicates_absorbed": succeeded - len(effects),
    }


def test_killed_at_random_moments_every_saga_ends_and_each_effect_is_applied_once(
    store_url: str, record_property: pytest.RecordProperty
) -> None:
    seed = time.time_ns()
    report = kill_runs(store_url, [_command(store_url)], KILLS, seed)
    record_property("saga_crash", json.dumps(report))
    print(seed, report)


def go_demo() -> str:
    """``go/cmd/twinbook-saga``, built once (rebuilt when its sources or the saga's or the
    store's change)."""
    go = ROOT / "go"
    sources = [go / "cmd" / "twinbook-saga" / "main.go"]
    for folder in ("cmd/twinbook-saga", "saga", "store"):
        sources += sorted(p for p in (go / folder).glob("*.go") if p not in sources)
    return cached_program("twinbook-saga", sources)


def test_a_run_killed_in_one_language_is_finished_by_the_other(store_url: str) -> None:
    """The two twins share the tables, the keys and the rules: Go and Python take turns on
    one store, each killed mid-run and resumed by the other, and the sagas end as in one."""
    go = [go_demo(), "-store", store_url, "-sagas", str(SAGAS)]
    seed = time.time_ns()
    print(seed, kill_runs(store_url, [go, _command(store_url)], 6, seed))


def test_the_demo_refuses_a_bad_store_url(capsys: pytest.CaptureFixture[str]) -> None:
    from twinbook.saga.__main__ import main

    assert main(["--store", "mysql://x"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("twinbook.saga: ")
