"""Run one conformance-vector case (format: the breaker spec, book/appendix/spec-breaker.md).

Shared by the vector runner (``test_vectors.py``) and the other tests that
replay cases. Steps drive a :class:`~twinbook.clock.ManualClock` set to each
step's ``at_ms``; a ``call`` asks at ``at_ms`` and completes at
``at_ms + duration_ms``, so the clock may step back at the next step when a
call outlasted it (the spec times every step by its own ``at_ms``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from twinbook.breaker import Breaker, Config, Outcome, Permission
from twinbook.clock import ManualClock

RATE_TOLERANCE = 1e-6

OPS = {"call", "acquire", "complete", "state", "metrics", "force_open", "disable", "close", "reset"}
MANUAL = {"force_open", "disable", "close", "reset"}
COUNT_KEYS = ("calls", "failed", "slow")
RATE_KEYS = ("failure_rate", "slow_call_rate")
EXPECT_KEYS = {"permitted", "state", "transitions", *COUNT_KEYS, *RATE_KEYS}


class VectorError(AssertionError):
    """A case failed: the breaker disagreed, or the case uses something this runner does not know."""


def run_case(case: Mapping[str, Any]) -> None:
    """Replay ``case``; raise :class:`VectorError` at the first step that disagrees."""
    config = Config.from_mapping(case["config"])
    clock = ManualClock()  # the clock starts at 0 when the breaker is built
    steps = case["steps"]
    breaker = Breaker(config, clock=clock)
    transitions: list[str] = []
    breaker.on_transition(lambda t: transitions.append(str(t)))
    held: dict[Any, Permission | None] = {}

    for number, step in enumerate(steps, 1):
        where = f"step {number} ({step.get('op')!r} at {step.get('at_ms')} ms)"
        op = step.get("op")
        expect = step.get("expect", {})
        if op not in OPS:
            raise VectorError(f"{where}: unknown op {op!r}")
        unknown = set(expect) - EXPECT_KEYS
        if unknown:
            raise VectorError(f"{where}: unknown expect keys {sorted(unknown)}")
        if "permitted" in expect and op not in ("call", "acquire"):
            raise VectorError(f"{where}: 'permitted' is only for call and acquire")

        at = step["at_ms"]
        clock.set(at / 1000)
        transitions.clear()
        permitted: bool | None = None
        if op == "call":
            permission = breaker.try_acquire()
            permitted = permission is not None
            if permission is not None:
                clock.set((at + step.get("duration_ms", 0)) / 1000)
                permission.complete(Outcome(step["outcome"]))
        elif op == "acquire":
            permission = breaker.try_acquire()
            permitted = permission is not None
            held[step["id"]] = permission
        elif op == "complete":
            if step["id"] not in held:
                raise VectorError(f"{where}: no acquire with id {step['id']!r}")
            permission = held.pop(step["id"])
            if permission is not None:  # completing a rejected acquire: nothing to report
                permission.complete(Outcome(step["outcome"]))
        elif op in MANUAL:
            getattr(breaker, op)()
        state = breaker.state  # consulting at the step's end applies what is due

        if "permitted" in expect and expect["permitted"] != permitted:
            raise VectorError(f"{where}: permitted {permitted}, expected {expect['permitted']}")
        if "state" in expect and expect["state"] != state.value:
            raise VectorError(f"{where}: state {state.value!r}, expected {expect['state']!r}")
        if "transitions" in expect and list(expect["transitions"]) != transitions:
            raise VectorError(
                f"{where}: transitions {transitions}, expected {expect['transitions']}"
            )
        if any(key in expect for key in (*COUNT_KEYS, *RATE_KEYS)):
            metrics = breaker.metrics()
            for key in COUNT_KEYS:
                if key in expect and expect[key] != getattr(metrics, key):
                    raise VectorError(
                        f"{where}: {key} {getattr(metrics, key)}, expected {expect[key]}"
                    )
            for key in RATE_KEYS:
                if key in expect and not math.isclose(
                    getattr(metrics, key), expect[key], rel_tol=0, abs_tol=RATE_TOLERANCE
                ):
                    raise VectorError(
                        f"{where}: {key} {getattr(metrics, key)}, expected {expect[key]}"
                    )
