"""A breaker's configuration: the spec's nine numbers plus how to classify outcomes.

The Go twin is ``Config`` in ``go/breaker/config.go``. The field names are the
vector files' keys, units included (``*_ms`` are milliseconds), so a vector's
``config`` object is a ``Config`` as it stands: ``Config.from_mapping(case["config"])``.

A configuration is checked once, when it is built, and a bad value is named:
``ConfigError: failure_rate_threshold: must be in (0, 100], got 0``. A breaker
that silently treats 0 % as "never trip" or a negative wait as "no wait" would
fail in production, long after the typo.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from .errors import ConfigError
from .events import Outcome

__all__ = ["Config", "WindowType"]

ExceptionTypes = tuple[type[BaseException], ...]


class WindowType(StrEnum):
    """How the closed state remembers calls (the spec's ``sliding_window``)."""

    COUNT = "count"
    """The last ``window_size`` recorded calls."""
    TIME = "time"
    """The calls recorded in the last ``window_size`` seconds, in one-second buckets."""


# A caller that cancels its own call (Ctrl-C, task cancellation) says nothing about
# the dependency's health: by default that is neither a failure nor a success.
DEFAULT_IGNORED: ExceptionTypes = (asyncio.CancelledError, KeyboardInterrupt)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a :class:`~twinbook.breaker.Breaker` needs to know; defaults are resilience4j's.

    Classification, in this order, for an exception raised by the call:

    1. ignored (records nothing, returns a half-open permit) when it is an
       instance of ``ignore_exceptions`` or ``ignore_exception(exc)`` is true;
    2. a failure when ``record_exceptions`` and ``record_exception`` are both
       unset (every exception fails), or it is an instance of
       ``record_exceptions``, or ``record_exception(exc)`` is true;
    3. otherwise a success (resilience4j's rule: an exception you did not ask
       to record, say a 404 turned into ``NotFound``, means the dependency answered).

    A call that returns normally fails when ``record_result(value)`` is true
    (say, an HTTP response with status 503), else it succeeds. Exceptions are
    always re-raised to the caller; classification only decides what the
    breaker records.
    """

    # docs:start config
    sliding_window: WindowType | str = WindowType.COUNT
    window_size: int = 100
    minimum_calls: int = 100
    failure_rate_threshold: float = 50.0
    slow_call_rate_threshold: float = 100.0
    slow_call_duration_ms: float = 60_000
    wait_in_open_ms: float = 60_000
    half_open_permitted_calls: int = 10
    max_wait_in_half_open_ms: float = 0
    record_exceptions: ExceptionTypes = ()
    record_exception: Callable[[BaseException], bool] | None = None
    ignore_exceptions: ExceptionTypes = DEFAULT_IGNORED
    ignore_exception: Callable[[BaseException], bool] | None = None
    record_result: Callable[[Any], bool] | None = None
    name: str = ""
    # docs:end config

    def __post_init__(self) -> None:
        try:
            window = WindowType(self.sliding_window)
        except ValueError:
            raise ConfigError(
                "sliding_window", 'must be "count" or "time"', self.sliding_window
            ) from None
        object.__setattr__(self, "sliding_window", window)
        _count("window_size", self.window_size)
        _count("minimum_calls", self.minimum_calls)
        _percent("failure_rate_threshold", self.failure_rate_threshold)
        _percent("slow_call_rate_threshold", self.slow_call_rate_threshold)
        _duration("slow_call_duration_ms", self.slow_call_duration_ms)
        _duration("wait_in_open_ms", self.wait_in_open_ms)
        _count("half_open_permitted_calls", self.half_open_permitted_calls)
        _duration("max_wait_in_half_open_ms", self.max_wait_in_half_open_ms)
        for name in ("record_exceptions", "ignore_exceptions"):
            object.__setattr__(self, name, _exception_types(name, getattr(self, name)))
        for name in ("record_exception", "ignore_exception", "record_result"):
            value = getattr(self, name)
            if value is not None and not callable(value):
                raise ConfigError(name, "must be callable or None", value)
        if not isinstance(self.name, str):
            raise ConfigError("name", "must be a string", self.name)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Config:
        """Build from a vector file's ``config``; an unknown key is a :class:`ConfigError`."""
        known = {f.name for f in fields(cls)}
        for key in values:
            if key not in known:
                raise ConfigError(key, "is not a configuration key", values[key])
        return cls(**values)

    @property
    def effective_minimum_calls(self) -> int:
        """The closed state's minimum: capped by the window's size for a count window."""
        if self.sliding_window is WindowType.COUNT:
            return min(self.minimum_calls, self.window_size)
        return self.minimum_calls

    # docs:start classify
    def classify_exception(self, exc: BaseException) -> Outcome:
        """What the breaker records when the protected call raised ``exc`` (see the
        class doc)."""
        if isinstance(exc, self.ignore_exceptions) or (
            self.ignore_exception is not None and self.ignore_exception(exc)
        ):
            return Outcome.IGNORED
        if not self.record_exceptions and self.record_exception is None:
            return Outcome.FAILURE
        if isinstance(exc, self.record_exceptions) or (
            self.record_exception is not None and self.record_exception(exc)
        ):
            return Outcome.FAILURE
        return Outcome.SUCCESS

    def classify_result(self, value: object) -> Outcome:
        """What the breaker records when the protected call returned ``value``."""
        if self.record_result is not None and self.record_result(value):
            return Outcome.FAILURE
        return Outcome.SUCCESS

    # docs:end classify


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(name, "must be an integer >= 1", value)
    if value < 1:
        raise ConfigError(name, "must be >= 1", value)


def _percent(name: str, value: object) -> None:
    if not _is_number(value) or not 0 < value <= 100:  # type: ignore[operator]
        raise ConfigError(name, "must be in (0, 100]", value)  # NaN fails the comparison too


def _duration(name: str, value: object) -> None:
    if not _is_number(value) or math.isnan(value) or math.isinf(value):  # type: ignore[arg-type]
        raise ConfigError(name, "must be a finite number of milliseconds", value)
    if value < 0:  # type: ignore[operator]
        raise ConfigError(name, "must be >= 0", value)


def _exception_types(name: str, value: object) -> ExceptionTypes:
    if isinstance(value, type):
        value = (value,)
    if not isinstance(value, tuple | list | frozenset | set):
        raise ConfigError(name, "must be a tuple of exception types", value)
    for item in value:
        if not (isinstance(item, type) and issubclass(item, BaseException)):
            raise ConfigError(name, "must hold only exception types", item)
    return tuple(value)
