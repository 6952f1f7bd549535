"""Compatibility levels: their names, and what the vector format cannot say."""

from __future__ import annotations

import json

import pytest

from twinbook.schema import (
    Level,
    LevelError,
    Schema,
    can_read,
    compatible,
    parse,
    parse_level,
)


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


def _order(*extra: dict[str, object]) -> Schema:
    """An ``Order`` record with an ``id`` and the extra fields given."""
    fields = [{"name": "id", "type": "string"}, *extra]
    return parse(json.dumps({"type": "record", "name": "Order", "fields": fields}))


# docs:start evolve
def test_a_field_with_a_default_evolves_both_ways_and_one_without_does_not() -> None:
    """v2 adds a field with a default: v2 reads v1's records and v1 skips the new field.

    v3 adds a field without a default: a v3 consumer cannot read v2's records, so
    BACKWARD refuses v3 and FORWARD accepts it.
    """
    qty = {"name": "qty", "type": "int", "default": 1}
    v1, v2 = _order(), _order(qty)
    v3 = _order(qty, {"name": "note", "type": "string"})
    history = [v1, v2]
    assert (can_read(v2, v1), can_read(v1, v2)) == (True, True)
    assert (can_read(v3, v2), can_read(v2, v3)) == (False, True)
    assert not compatible(Level.BACKWARD, v3, history)
    assert compatible(Level.FORWARD, v3, history)


# docs:end evolve
