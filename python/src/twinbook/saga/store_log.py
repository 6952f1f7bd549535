"""Progress in a :mod:`twinbook.store`: each transition is one transaction, so a crash
leaves either all of it or none of it. The tables are the Go twin's (``saga.Schema``)."""

from __future__ import annotations

import time

from twinbook.store import Store, Tx

from .definition import Kind
from .progress import Entry, Progress, Result, State, UnknownSaga

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sagas (
        id         TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        state      TEXT NOT NULL,
        step       INTEGER NOT NULL,
        failures   INTEGER NOT NULL,
        created_ns BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS sagas_unfinished ON sagas (definition, state)",
    """CREATE TABLE IF NOT EXISTS saga_log (
        saga_id TEXT NOT NULL REFERENCES sagas (id),
        seq     INTEGER NOT NULL,
        step    TEXT NOT NULL,
        kind    TEXT NOT NULL,
        result  TEXT NOT NULL,
        PRIMARY KEY (saga_id, seq)
    )""",
)


class StoreLog:
    """A :class:`~twinbook.saga.progress.Log` in a store (SQLite or PostgreSQL).

    Creating the tables is not safe from two processes at the same moment on PostgreSQL
    (``CREATE TABLE IF NOT EXISTS`` can race): build the first one alone.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        with store.transaction() as tx:
            for statement in SCHEMA:
                tx.execute(statement)

    def begin(self, progress: Progress) -> Progress:
        with self._store.transaction() as tx:
            tx.execute(
                "INSERT INTO sagas (id, definition, state, step, failures, created_ns)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (
                    progress.saga_id,
                    progress.definition,
                    str(progress.state),
                    progress.step,
                    progress.failures,
                    time.time_ns(),
                ),
            )
            return _load(tx, progress.saga_id)

    def start(self, saga_id: str, step: str, kind: Kind) -> None:
        with self._store.transaction() as tx:
            # Lock the saga's row first, as finish does, so that the log's next seq is read
            # after any other writer of this saga committed: on PostgreSQL a killed
            # orchestrator's last COMMIT can land after its successor started.
            tx.execute("UPDATE sagas SET step = step WHERE id = ?", (saga_id,))
            _load(tx, saga_id)
            _append(tx, saga_id, step, kind, Result.STARTED)

    def finish(self, saga_id: str, step: str, kind: Kind, result: Result, nxt: Progress) -> None:
        with self._store.transaction() as tx:
            cursor = tx.execute(
                "UPDATE sagas SET state = ?, step = ?, failures = ? WHERE id = ?",
                (str(nxt.state), nxt.step, nxt.failures, saga_id),
            )
            if cursor.rowcount == 0:
                raise UnknownSaga(saga_id)
            _append(tx, saga_id, step, kind, result)

    def load(self, saga_id: str) -> Progress:
        with self._store.transaction() as tx:
            return _load(tx, saga_id)

    def unfinished(self, definition: str) -> list[str]:
        with self._store.transaction() as tx:
            rows = tx.execute(
                "SELECT id FROM sagas WHERE definition = ? AND state IN (?, ?)"
                " ORDER BY created_ns, id",
                (definition, str(State.RUNNING), str(State.COMPENSATING)),
            ).fetchall()
        return [row[0] for row in rows]

    def entries(self, saga_id: str) -> list[Entry]:
        with self._store.transaction() as tx:
            _load(tx, saga_id)
            rows = tx.execute(
                "SELECT step, kind, result FROM saga_log WHERE saga_id = ? ORDER BY seq",
                (saga_id,),
            ).fetchall()
        return [Entry(step, Kind(kind), Result(result)) for step, kind, result in rows]


def _load(tx: Tx, saga_id: str) -> Progress:
    row = tx.execute(
        "SELECT definition, state, step, failures FROM sagas WHERE id = ?", (saga_id,)
    ).fetchone()
    if row is None:
        raise UnknownSaga(saga_id)
    definition, state, step, failures = row
    return Progress(saga_id, definition, State(state), step, failures)


def _append(tx: Tx, saga_id: str, step: str, kind: Kind, result: Result) -> None:
    tx.execute(
        "INSERT INTO saga_log (saga_id, seq, step, kind, result)"
        " SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM saga_log WHERE saga_id = ?",
        (saga_id, step, str(kind), str(result), saga_id),
    )
