"""The orchestrator beyond the vectors: what it logs, backoff, cancellation, threads."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from twinbook.clock import ManualClock
from twinbook.saga import (
    Call,
    Definition,
    Entry,
    Kind,
    Log,
    MemoryLog,
    Options,
    Orchestrator,
    OtherDefinition,
    Progress,
    Result,
    SagaCancelled,
    State,
    Step,
    StoreLog,
    UnknownSaga,
    no_backoff,
)
from twinbook.store import connect


class Recorder:
    """A participant that deduplicates by key, as a real one must, and counts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[str] = []
        self.applied: Counter[str] = Counter()
        self.fail: Counter[str] = Counter()  # key -> failures still to raise

    def __call__(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call.key)
            if self.fail[call.key] > 0:
                self.fail[call.key] -= 1
                raise ConnectionError("down")
            self.applied[call.key] += 1


def three_steps(r: Recorder, retries: int = 0) -> Definition:
    return Definition("order", [Step(n, r, r, retries) for n in ("reserve", "charge", "ship")])


def test_every_attempt_is_logged_before_and_after() -> None:
    r = Recorder()
    r.fail["o1:ship:action"] = 1
    log = MemoryLog()
    assert Orchestrator(three_steps(r), log, Options(no_backoff)).run("o1") is State.COMPENSATED
    got = [f"{e.step}:{e.kind} {e.result}" for e in log.entries("o1")]
    assert got == [
        "reserve:action started",
        "reserve:action ok",
        "charge:action started",
        "charge:action ok",
        "ship:action started",
        "ship:action fail",
        "charge:compensation started",
        "charge:compensation ok",
        "reserve:compensation started",
        "reserve:compensation ok",
    ]
    # a finished saga run again: its outcome, no call
    assert Orchestrator(three_steps(r), log).run("o1") is State.COMPENSATED
    assert len(r.calls) == 5


def test_backoff_is_asked_before_every_retry_and_waited_on_the_clock() -> None:
    r = Recorder()
    r.fail.update({"o1:charge:action": 2, "o1:ship:action": 1, "o1:reserve:compensation": 3})
    d = three_steps(r, retries=2)
    d = Definition(d.id, [*d.steps[:2], Step("ship", r, r, 0)])
    asked: list[int] = []
    clock = ManualClock()
    slept: list[float] = []

    def backoff(failures: int) -> float:
        asked.append(failures)
        return 0.5 * failures

    def sleep(seconds: float, cancel: threading.Event | None = None) -> bool:
        slept.append(seconds)
        return True

    clock.sleep = sleep  # type: ignore[method-assign]
    assert Orchestrator(d, MemoryLog(), Options(backoff, clock)).run("o1") is State.COMPENSATED
    assert asked == [1, 2, 1, 2, 3]
    assert slept == [0.5, 1.0, 0.5, 1.0, 1.5]


def test_a_cancelled_backoff_stops_the_run_and_resume_finishes_it() -> None:
    r = Recorder()
    r.fail.update({"o1:charge:action": 1, "o1:reserve:compensation": 1})
    cancel = threading.Event()
    log = MemoryLog()

    def backoff(failures: int) -> float:
        cancel.set()  # shutting down while the orchestrator waits
        return 3600.0  # only the cancel gets past it

    options = Options(backoff)
    with pytest.raises(SagaCancelled):
        Orchestrator(three_steps(r), log, options).run("o1", cancel)
    assert log.load("o1") == Progress("o1", "order", State.COMPENSATING, 0, 1)
    assert Orchestrator(three_steps(r), log, Options(no_backoff)).resume() == 1
    assert log.load("o1").state is State.COMPENSATED


def test_a_base_exception_goes_through_and_the_attempt_is_repeated() -> None:
    r = Recorder()
    log = MemoryLog()

    def dies(call: Call) -> None:
        r(call)
        raise KeyboardInterrupt

    d = three_steps(r)
    broken = Definition(d.id, [d.steps[0], Step("charge", dies, r), d.steps[2]])
    with pytest.raises(KeyboardInterrupt):
        Orchestrator(broken, log).run("o1")
    assert log.entries("o1")[-1] == Entry("charge", Kind.ACTION, Result.STARTED)
    assert Orchestrator(d, log).resume() == 1
    assert r.calls == [
        "o1:reserve:action",
        "o1:charge:action",
        "o1:charge:action",
        "o1:ship:action",
    ]
    assert r.applied["o1:charge:action"] == 2  # the recorder does not deduplicate by itself
    assert log.load("o1").state is State.COMPLETED


def test_run_refuses_an_empty_id_and_an_id_of_another_definition() -> None:
    from twinbook.saga import InvalidSaga

    r = Recorder()
    log = MemoryLog()
    orchestrator = Orchestrator(three_steps(r), log)
    with pytest.raises(InvalidSaga):
        orchestrator.run("")
    orchestrator.run("o1")
    other = Orchestrator(Definition("refund", [Step("a", r)]), log)
    with pytest.raises(OtherDefinition):
        other.run("o1")
    assert other.resume() == 0


def test_many_sagas_from_many_threads_at_once() -> None:
    r = Recorder()
    for i in range(0, 20, 3):
        r.fail[f"o{i}:ship:action"] = 5
    orchestrator = Orchestrator(three_steps(r, retries=1), MemoryLog(), Options(no_backoff))
    with ThreadPoolExecutor(16) as pool:
        states = list(pool.map(orchestrator.run, [f"o{i % 20}" for i in range(40)]))
    for i, state in enumerate(states):
        assert state is (State.COMPENSATED if (i % 20) % 3 == 0 else State.COMPLETED), i
    assert set(r.applied.values()) == {1}


def test_the_memory_log_contract() -> None:
    _contract(MemoryLog())


def test_the_store_log_contract(store_url: str) -> None:
    with connect(store_url) as store:
        _contract(StoreLog(store))


def _contract(log: Log) -> None:
    p = Progress("o1", "order")
    assert log.begin(p) == p
    log.start("o1", "reserve", Kind.ACTION)
    nxt = Progress("o1", "order", State.COMPENSATING, 3, 2)
    log.finish("o1", "reserve", Kind.ACTION, Result.FAIL, nxt)
    assert log.begin(p) == nxt  # a recorded saga is not begun again
    assert log.entries("o1") == [
        Entry("reserve", Kind.ACTION, Result.STARTED),
        Entry("reserve", Kind.ACTION, Result.FAIL),
    ]
    log.begin(Progress("o2", "order"))
    log.finish("o2", "a", Kind.ACTION, Result.OK, Progress("o2", "order", State.COMPLETED, 1))
    log.begin(Progress("o3", "order"))
    assert log.unfinished("order") == ["o1", "o3"]
    assert log.unfinished("refund") == []
    for call in (
        lambda: log.load("nope"),
        lambda: log.start("nope", "a", Kind.ACTION),
        lambda: log.finish("nope", "a", Kind.ACTION, Result.OK, nxt),
        lambda: log.entries("nope"),
    ):
        with pytest.raises(UnknownSaga):
            call()


def test_a_store_log_from_many_threads(store_url: str) -> None:
    r = Recorder()
    for i in range(0, 24, 4):
        r.fail[f"s{i}:charge:action"] = 9
    with connect(store_url) as store:
        log = StoreLog(store)

        def worker(g: int) -> None:
            orchestrator = Orchestrator(three_steps(r, retries=1), log, Options(no_backoff))
            for i in range(g, 24, 8):
                orchestrator.run(f"s{i}")

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(worker, range(8)))
        for i in range(24):
            want = State.COMPENSATED if i % 4 == 0 else State.COMPLETED
            assert log.load(f"s{i}").state is want
            entries = log.entries(f"s{i}")
            assert entries and len(entries) % 2 == 0
