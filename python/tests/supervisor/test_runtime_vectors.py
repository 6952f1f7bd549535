"""The same vectors through the runtime: a :class:`Supervisor` over fake children and a manual clock.

The tree decides and the runtime carries the decisions out; if the runtime
dropped, reordered or added an action, or got the time wrong, its log would
differ from the tree's, so every case with steps is replayed here as well.
Malformed cases are :mod:`.test_vectors`' to report; here they fail too.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from vectors_files import Case, Loaded, case_of, load_cases

from twinbook.clock import ManualClock
from twinbook.supervisor import Kind, Reason, Spec, Supervisor, parse_spec

from .fakes import FakeChild
from .vectors import Malformed, compare, steps_of

Run = Callable[[Coroutine[Any, Any, Any]], Any]
LOADED = [
    item for item in load_cases("supervisor") if not isinstance(item, Case) or "steps" in item.body
]


def worker_paths(spec: Spec, prefix: str = "") -> list[str]:
    paths = []
    for child in spec.children:
        path = f"{prefix}/{child.id}" if prefix else child.id
        if child.kind is Kind.SUPERVISOR:
            assert child.supervisor is not None
            paths += worker_paths(child.supervisor, path)
        else:
            paths.append(path)
    return paths


async def replay(case: dict[str, Any]) -> None:
    steps = steps_of(case)
    spec = parse_spec(case["tree"])
    clock = ManualClock()
    workers = {path: FakeChild(path) for path in worker_paths(spec)}
    supervisor = Supervisor(spec, dict(workers), clock=clock)
    try:
        for step in steps:
            clock.set(step.at_ms / 1000)
            before = len(supervisor.log)
            if step.exit is None:
                await supervisor.start()
            elif not supervisor.gave_up:
                path, reason = step.exit
                worker = workers.get(path)
                if worker is None or not worker.running or reason not in set(Reason):
                    raise Malformed(f"step {step.number}: cannot end {path!r} with {reason!r}")
                worker.end(Reason(reason))
                await supervisor.settled()
            compare(step, supervisor.log[before:], supervisor.running(), supervisor.gave_up)
    finally:
        await supervisor.close()
    assert not any(worker.running for worker in workers.values()), "closing ends every child"


@pytest.mark.parametrize("item", LOADED, ids=[item.name for item in LOADED])
def test_runtime_replays_vectors(arun: Run, item: Loaded) -> None:
    case = case_of(item)
    try:
        arun(replay(dict(case.body)))
    except Malformed as exc:
        pytest.fail(f"{case.file}: case {case.name!r} is malformed: {exc}")
