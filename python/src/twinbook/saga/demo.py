"""The crash demo's saga: an order of four steps against a participant that keeps its
effects in the same store, deduplicated by idempotency key, so that the process running it
can be killed at any moment and started again (``python -m twinbook.saga``; the Go twin is
``go/cmd/twinbook-saga``, with the same plan and tables, so one check fits both).

Tables: ``demo_calls (key, attempt)`` records every call the participant got;
``demo_effects (key, seq)`` every effect it applied, once per key, in order.
"""

from __future__ import annotations

from twinbook.store import Store

from .definition import Call, Definition, Step
from .orchestrator import Options, Orchestrator, no_backoff
from .store_log import StoreLog

#: The steps; the last has no compensation (nothing after it can fail).
STEPS = ("reserve", "charge", "ship", "notify")
#: A failure count no retry outlives.
ALWAYS = 1 << 20
DEFINITION_ID = "demo-order"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS demo_calls"
    " (key TEXT NOT NULL, attempt INTEGER NOT NULL, PRIMARY KEY (key, attempt))",
    "CREATE TABLE IF NOT EXISTS demo_effects (key TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
)

# saga i's plan by i % 5: which attempts fail, how many times
_PLAN = {
    (1, "charge:action"): ALWAYS,  # compensated: reserve undone
    (2, "ship:action"): 1,  # completed after one retry
    (3, "ship:action"): ALWAYS,  # compensated: charge, reserve undone...
    (3, "reserve:compensation"): 2,  # ...reserve's compensation failing twice first
    (4, "reserve:action"): ALWAYS,  # compensated, nothing to undo
}


def failures(key: str) -> int:
    """How many times the participant fails ``key``'s attempts before it succeeds."""
    saga_id, _, rest = key.partition(":")
    if not saga_id.startswith("s") or not saga_id[1:].isdigit():
        return 0
    return _PLAN.get((int(saga_id[1:]) % 5, rest), 0)


class ScriptedFailure(Exception):
    """The participant's planned failure."""


class Participant:
    """Handles a call in one transaction: records it, fails it if the plan says so, else
    applies its effect unless the key's effect is there already (a repetition)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __call__(self, call: Call) -> None:
        with self._store.transaction() as tx:
            (n,) = tx.execute(
                "SELECT COUNT(*) FROM demo_calls WHERE key = ?", (call.key,)
            ).fetchone()
            tx.execute("INSERT INTO demo_calls (key, attempt) VALUES (?, ?)", (call.key, n + 1))
            failed = n < failures(call.key)
            if not failed:
                # WHERE true: SQLite needs it to tell the upsert from the SELECT's syntax
                tx.execute(
                    "INSERT INTO demo_effects (key, seq)"
                    " SELECT ?, COALESCE(MAX(seq), 0) + 1 FROM demo_effects WHERE true"
                    " ON CONFLICT (key) DO NOTHING",
                    (call.key,),
                )
        if failed:  # after the commit: the failed call stays recorded
            raise ScriptedFailure(call.key)


def orchestrator(store: Store) -> Orchestrator:
    """The demo's orchestrator on ``store``, its tables created."""
    with store.transaction() as tx:
        for statement in _SCHEMA:
            tx.execute(statement)
    participant = Participant(store)
    steps = [
        Step(name, participant, None if name == STEPS[-1] else participant, retries=1)
        for name in STEPS
    ]
    return Orchestrator(Definition(DEFINITION_ID, steps), StoreLog(store), Options(no_backoff))
