"""Fixtures for chapter 3's tests, beside the shared ones in ``python/tests/conftest.py``.

``no_task_left_behind`` is autouse: a test that returns from ``asyncio.run``
with a task still pending fails, naming the tasks (``python/tests/leaks.py``);
threads left behind are the shared conftest's job.
"""

from __future__ import annotations

from collections.abc import Iterator

import leaks
import pytest


@pytest.fixture(autouse=True)
def no_task_left_behind() -> Iterator[None]:
    with leaks.no_task_left_behind():
        yield
