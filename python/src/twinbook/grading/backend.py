"""Where the grader runs tests and vets answers: :mod:`.sandbox` and :mod:`twinbook.runner.vet`.

The grader never runs student code any other way. :class:`Backend` bundles the two so
tests can stand in a scripted one (``grade_class(..., be=...)``).
"""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any


@contextlib.contextmanager
def numbered_slots(count: int) -> Iterator[tuple[int, ...]]:
    """Slots 0 .. count-1, leased from nobody: for backends that run no sandbox."""
    yield tuple(range(count))


@dataclass(frozen=True)
class Backend:
    run_suite: Callable[..., list[Any]]
    vet: Callable[[Any, str, str], list[str]]
    Limits: type
    isolation: str  # the sandbox's: "root" (full), "userns" or "none" (rlimits only)
    # Slots (uids) for ``--jobs`` workers, held while grading so that no other grader or
    # test session on the machine runs in the same uid at the same time.
    lease_slots: Callable[[int], AbstractContextManager[tuple[int, ...]]] = numbered_slots
    # Several exercises of one student and language at once (sandbox.run_suites); None:
    # one run_suite per exercise.
    run_suites: Callable[..., list[Any]] | None = None


#: set to 1 to grade one exercise at a time (no batching): for benchmarks that compare
ONE_BY_ONE_ENV = "TWINBOOK_GRADE_ONE_BY_ONE"


def backend() -> Backend:
    from twinbook.runner.vet import vet

    from . import sandbox

    batched = os.environ.get(ONE_BY_ONE_ENV, "0") != "1"
    return Backend(
        sandbox.run_suite,
        vet,
        sandbox.Limits,
        sandbox.isolation(),
        sandbox.lease_slots,
        sandbox.run_suites if batched else None,
    )


def accepts(fn: Callable[..., Any], name: str) -> bool:
    """Whether ``fn`` takes the keyword argument ``name``."""
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
