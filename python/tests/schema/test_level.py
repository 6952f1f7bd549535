"""Compatibility levels: their names, and what the vector format cannot say."""

from __future__ import annotations

import pytest

from twinbook.schema import Level, LevelError, compatible, parse, parse_level


@pytest.mark.parametrize("level", list(Level))
def test_every_level_parses_by_its_confluent_name(level: Level) -> None:
    assert parse_level(level.value) is level
    assert parse_level(level.value.lower()) is level
    assert compatible(level, parse('"int"'), [])  # a subject with no schema takes any


@pytest.mark.parametrize("text", ["", "SIDEWAYS", "BACKWARD "])
def test_an_unknown_level_is_refused(text: str) -> None:
    with pytest.raises(LevelError, match="invalid compatibility level") as raised:
        parse_level(text)
    assert isinstance(raised.value, ValueError)


def test_level_values_are_confluents() -> None:
    assert [str(v) for v in Level] == [
        "BACKWARD",
        "BACKWARD_TRANSITIVE",
        "FORWARD",
        "FORWARD_TRANSITIVE",
        "FULL",
        "FULL_TRANSITIVE",
        "NONE",
    ]
