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


def test_killed_at_random_moments_every_saga_ends_and_each_effect_is_applied_once(
    store_url: str, record_property: pytest.RecordProperty
) -> None:
    seed = time.time_ns()
    rng = random.Random(seed)
    with connect(store_url) as store:
        calls_now = Calls(store_url, store)
        for kill in range(KILLS):
            target = calls_now() + rng.randint(2, 10)  # 6 per kill of ~18 per 4 sagas
            proc = subprocess.Popen(_command(store_url), stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.monotonic() + DEADLINE
                while calls_now() < target:
                    assert proc.poll() is None, f"seed {seed}: ended before kill {kill + 1}"
                    assert time.monotonic() < deadline, f"seed {seed}: no calls"
                    time.sleep(0.001)  # the poll's pace, not a synchronisation
            finally:
                proc.kill()  # SIGKILL
                proc.communicate(timeout=DEADLINE)
        calls_now.close()
        done = subprocess.run(
            _command(store_url), capture_output=True, text=True, timeout=DEADLINE, check=False
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
        report = {
            "kills": KILLS,
            "effects": len(effects),
            "duplicates_absorbed": succeeded - len(effects),
        }
        record_property("saga_crash", json.dumps(report))
        print(report)


def test_the_demo_refuses_a_bad_store_url(capsys: pytest.CaptureFixture[str]) -> None:
    from twinbook.saga.__main__ import main

    assert main(["--store", "mysql://x"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("twinbook.saga: ")
