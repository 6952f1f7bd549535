"""Timeout: asyncio cancels the call; threads stop waiting for it (and say so)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from timeouts import TIMEOUT

from twinbook.resilience import Timeout


def test_async_timeout_cancels_the_call(arun: Any) -> None:
    cleaned = []

    async def hang() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.append("finally ran")

    with pytest.raises(TimeoutError) as caught:
        arun(Timeout(0.02).call_async(hang))
    assert cleaned == ["finally ran"]
    assert any("took longer than 0.02s" in note for note in caught.value.__notes__)


def test_async_timeout_passes_results_and_errors_through(arun: Any) -> None:
    @Timeout(5)
    async def double(x: int) -> int:
        await asyncio.sleep(0)
        if x < 0:
            raise ValueError(x)
        return 2 * x

    assert arun(double(21)) == 42
    with pytest.raises(ValueError):
        arun(double(-1))


def test_sync_timeout_returns_on_time_and_the_call_runs_on() -> None:
    release, finished = threading.Event(), threading.Event()

    def stuck() -> str:
        release.wait(TIMEOUT)
        finished.set()
        return "late"

    with pytest.raises(TimeoutError, match="runs on in its thread"):
        Timeout(0.02).call(stuck)
    assert not finished.is_set()  # the call is still running...
    release.set()
    assert finished.wait(TIMEOUT)  # ...to its end, its result dropped


def test_sync_timeout_passes_results_and_errors_through() -> None:
    @Timeout(5)
    def divide(a: int, b: int) -> float:
        return a / b

    assert divide(6, b=3) == 2
    with pytest.raises(ZeroDivisionError):
        divide(1, 0)


@pytest.mark.parametrize("seconds", [0, -1])
def test_seconds_must_be_positive(seconds: float) -> None:
    with pytest.raises(ValueError, match="seconds"):
        Timeout(seconds)
