"""twinbook.actor.mailbox: the options are checked when built, naming the bad one."""

from __future__ import annotations

from typing import Any

import pytest

from twinbook.actor import Options, Overflow


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 2.0}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"overflow": "block"}, "overflow"),
        ({"block_timeout": -0.5}, "block_timeout"),
        ({"block_timeout": float("nan")}, "block_timeout"),
    ],
)
def test_bad_options_are_rejected_naming_the_field(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field} must be"):
        Options(**options)


def test_defaults_are_bounded_and_block_with_a_deadline() -> None:
    options = Options()
    assert options.capacity == 1000
    assert options.overflow is Overflow.BLOCK
    assert options.block_timeout == 5.0
    assert Options(block_timeout=None).block_timeout is None
