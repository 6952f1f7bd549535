"""Fixtures for chapter 1, beside the shared ones in ``python/tests/conftest.py``.

``no_task_left_behind`` is autouse: a test that returns from ``asyncio.run``
with a task still pending (which ``asyncio.run`` would silently cancel)
fails, naming the tasks (the loop policy that notices is ``python/tests/leaks.py``).
Threads left behind are the shared conftest's job.
"""

from __future__ import annotations

from collections.abc import Iterator

import leaks
import pytest

from .helpers import Gauge


@pytest.fixture(autouse=True)
def no_task_left_behind() -> Iterator[None]:
    with leaks.no_task_left_behind():
        yield


@pytest.fixture
def gauge() -> Gauge:
    return Gauge()
