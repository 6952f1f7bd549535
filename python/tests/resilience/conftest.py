"""Fixtures for the resilience tests (fake sleeps), beside the shared ones in ``python/tests/conftest.py``."""

from __future__ import annotations

import asyncio

import pytest


class Sleeps:
    """A fake ``sleep`` / ``sleep_async`` that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def aio(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
