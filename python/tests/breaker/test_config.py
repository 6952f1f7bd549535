"""Config: validated when built, errors naming the field; classification rules."""

from __future__ import annotations

import asyncio
import math
import pickle
from typing import Any

import pytest

from twinbook.breaker import Breaker, Config, ConfigError, Outcome, WindowType


def test_defaults_are_valid_and_resilience4j_like() -> None:
    c = Config()
    assert c.sliding_window is WindowType.COUNT
    assert (c.window_size, c.minimum_calls) == (100, 100)
    assert (c.failure_rate_threshold, c.slow_call_rate_threshold) == (50, 100)
    assert c.half_open_permitted_calls == 10
    assert c.max_wait_in_half_open_ms == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("failure_rate_threshold", 0, "failure_rate_threshold: must be in (0, 100], got 0"),
        ("failure_rate_threshold", 100.5, "failure_rate_threshold: must be in (0, 100], got 100.5"),
        (
            "failure_rate_threshold",
            math.nan,
            "failure_rate_threshold: must be in (0, 100], got nan",
        ),
        ("slow_call_rate_threshold", -1, "slow_call_rate_threshold: must be in (0, 100], got -1"),
        (
            "slow_call_rate_threshold",
            "50",
            "slow_call_rate_threshold: must be in (0, 100], got '50'",
        ),
        ("window_size", 0, "window_size: must be >= 1, got 0"),
        ("window_size", 2.5, "window_size: must be an integer >= 1, got 2.5"),
        ("window_size", True, "window_size: must be an integer >= 1, got True"),
        ("minimum_calls", 0, "minimum_calls: must be >= 1, got 0"),
        ("half_open_permitted_calls", 0, "half_open_permitted_calls: must be >= 1, got 0"),
        ("slow_call_duration_ms", -1, "slow_call_duration_ms: must be >= 0, got -1"),
        ("wait_in_open_ms", -0.5, "wait_in_open_ms: must be >= 0, got -0.5"),
        (
            "wait_in_open_ms",
            math.inf,
            "wait_in_open_ms: must be a finite number of milliseconds, got inf",
        ),
        ("max_wait_in_half_open_ms", -1, "max_wait_in_half_open_ms: must be >= 0, got -1"),
        ("sliding_window", "ring", 'sliding_window: must be "count" or "time", got \'ring\''),
        (
            "record_exceptions",
            (ValueError, int),
            "record_exceptions: must hold only exception types, got <class 'int'>",
        ),
        (
            "ignore_exceptions",
            "ValueError",
            "ignore_exceptions: must be a tuple of exception types, got 'ValueError'",
        ),
        ("record_result", 42, "record_result: must be callable or None, got 42"),
    ],
)
def test_a_bad_value_is_rejected_naming_its_field(field: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config(**{field: value})
    assert str(caught.value) == message
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)  # `except ValueError` keeps working


def test_zero_durations_are_valid() -> None:
    Config(slow_call_duration_ms=0, wait_in_open_ms=0, max_wait_in_half_open_ms=0)


def test_from_mapping_reads_a_vector_config_and_names_an_unknown_key() -> None:
    c = Config.from_mapping({"sliding_window": "time", "window_size": 3, "minimum_calls": 7})
    assert c.sliding_window is WindowType.TIME
    assert c.effective_minimum_calls == 7  # not capped for a time window
    with pytest.raises(ConfigError, match="^window: is not a configuration key"):
        Config.from_mapping({"window": 3})


def test_effective_minimum_is_capped_by_a_count_window() -> None:
    assert Config(window_size=3, minimum_calls=10).effective_minimum_calls == 3
    assert Config(window_size=30, minimum_calls=10).effective_minimum_calls == 10


def test_config_error_pickles() -> None:
    with pytest.raises(ConfigError) as caught:
        Config(window_size=0)
    again = pickle.loads(pickle.dumps(caught.value))
    assert (str(again), again.field) == (str(caught.value), "window_size")


def test_a_bad_config_fails_when_the_breaker_is_built() -> None:
    with pytest.raises(ConfigError, match="failure_rate_threshold"):
        Breaker(Config(failure_rate_threshold=0))


class Timeout(Exception):
    pass


class NotFound(Exception):
    pass


def test_every_exception_fails_by_default_except_the_callers_cancellation() -> None:
    c = Config()
    assert c.classify_exception(ValueError()) is Outcome.FAILURE
    assert c.classify_exception(asyncio.CancelledError()) is Outcome.IGNORED
    assert c.classify_exception(KeyboardInterrupt()) is Outcome.IGNORED


def test_record_exceptions_narrows_failures_and_the_rest_count_as_success() -> None:
    c = Config(record_exceptions=(Timeout,))
    assert c.classify_exception(Timeout()) is Outcome.FAILURE
    assert c.classify_exception(NotFound()) is Outcome.SUCCESS  # the dependency did answer


def test_record_predicate_and_types_combine_with_or() -> None:
    c = Config(record_exceptions=(Timeout,), record_exception=lambda e: "503" in str(e))
    assert c.classify_exception(Timeout()) is Outcome.FAILURE
    assert c.classify_exception(RuntimeError("status 503")) is Outcome.FAILURE
    assert c.classify_exception(RuntimeError("status 404")) is Outcome.SUCCESS


def test_ignore_wins_over_record() -> None:
    c = Config(
        record_exceptions=(Exception,),
        ignore_exceptions=(NotFound,),
        ignore_exception=lambda e: isinstance(e, Timeout) and e.args == ("by caller",),
    )
    assert c.classify_exception(NotFound()) is Outcome.IGNORED
    assert c.classify_exception(Timeout("by caller")) is Outcome.IGNORED
    assert c.classify_exception(Timeout("slow server")) is Outcome.FAILURE


def test_ignore_exceptions_replaces_the_default_when_set() -> None:
    c = Config(ignore_exceptions=(NotFound,))
    assert c.classify_exception(asyncio.CancelledError()) is Outcome.FAILURE


def test_a_single_exception_type_is_accepted() -> None:
    assert Config(record_exceptions=Timeout).record_exceptions == (Timeout,)


def test_failure_by_result() -> None:
    c = Config(record_result=lambda response: response["status"] >= 500)
    assert c.classify_result({"status": 503}) is Outcome.FAILURE
    assert c.classify_result({"status": 200}) is Outcome.SUCCESS
    assert Config().classify_result(None) is Outcome.SUCCESS
