"""The inbox: a redelivered message changes nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from twinbook.inbox import Inbox, InboxError, migrate, seen
from twinbook.store import Store, Tx, connect


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with connect(store_url) as s:
        migrate(s)
        with s.transaction() as tx:
            tx.execute("CREATE TABLE effects (id TEXT PRIMARY KEY, n INTEGER NOT NULL)")
        yield s


def apply(message_id: str):  # type: ignore[no-untyped-def]
    def effect(tx: Tx) -> None:
        tx.execute(
            "INSERT INTO effects (id, n) VALUES (?, 1)"
            " ON CONFLICT (id) DO UPDATE SET n = effects.n + 1",
            (message_id,),
        )

    return effect


def effects(store: Store) -> dict[str, int]:
    with store.transaction() as tx:
        return {r[0]: r[1] for r in tx.execute("SELECT id, n FROM effects").fetchall()}


def test_a_redelivered_message_changes_nothing(store: Store) -> None:
    inbox = Inbox(store, "payments")
    assert [inbox.process("m1", apply("m1")) for _ in range(3)] == [True, False, False]
    assert effects(store) == {"m1": 1}
    assert (inbox.applied, inbox.duplicates) == (1, 2)
    assert Inbox(store, "shipping").process("m1", lambda tx: None)  # another consumer
    assert (seen(store, "payments"), seen(store, "shipping"), seen(store, "nobody")) == (1, 1, 0)


class ProviderDown(Exception):
    pass


def test_a_failed_effect_is_retried_on_redelivery(store: Store) -> None:
    inbox = Inbox(store, "payments")

    def failing(tx: Tx) -> None:
        apply("m1")(tx)
        raise ProviderDown

    with pytest.raises(ProviderDown):
        inbox.process("m1", failing)
    assert effects(store) == {}
    assert inbox.process("m1", apply("m1"))
    assert effects(store) == {"m1": 1}


@pytest.mark.parametrize(("message_id", "consumer"), [("", "payments"), ("m1", "")])
def test_bad_messages_are_refused(store: Store, message_id: str, consumer: str) -> None:
    with pytest.raises(InboxError):
        Inbox(store, consumer).process(message_id, apply("x"))
    assert effects(store) == {}


def test_concurrent_deliveries_apply_once(store: Store) -> None:
    workers, messages = 8, 40
    inbox = Inbox(store, "payments")
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            for i in range(messages):
                inbox.process(f"m{i:02d}", apply(f"m{i:02d}"))
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert effects(store) == {f"m{i:02d}": 1 for i in range(messages)}
    assert (inbox.applied, inbox.duplicates) == (messages, (workers - 1) * messages)
