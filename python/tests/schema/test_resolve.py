"""Resolution beyond the vectors: what the vector format cannot say (the Go twin's table)."""

from __future__ import annotations

import pytest

from twinbook.schema import can_read, parse

CASES = [
    ("an empty writer union writes nothing", '"int"', "[]", True),
    ("an empty reader union reads nothing", "[]", '"int"', False),
    (
        "error and record are both records",
        '{"type": "record", "name": "E", "fields": []}',
        '{"type": "error", "name": "E", "fields": []}',
        True,
    ),
    (
        "a deep recursion terminates",
        '{"type": "record", "name": "T", "fields": [{"name": "l", "type": ["null", "T"]},'
        ' {"name": "kids", "type": {"type": "array", "items": "T"}}]}',
        '{"type": "record", "name": "T", "fields": [{"name": "l", "type": ["null", "T"]},'
        ' {"name": "kids", "type": {"type": "map", "values": "T"}}]}',
        False,
    ),
]


@pytest.mark.parametrize(
    ("reader", "writer", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_can_read(reader: str, writer: str, want: bool) -> None:
    assert can_read(parse(reader), parse(writer)) is want
