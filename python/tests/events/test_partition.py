"""The default partitioner's choice of partition, checked against Kafka's own values."""

from __future__ import annotations

import pytest

from twinbook.events import partition
from twinbook.events.partition import murmur2

# Kafka's murmur2 test values (UtilsTest.testMurmur2), signed as Java prints them.
JAVA = [
    ("21", -973932308),
    ("foobar", -790332482),
    ("a-little-bit-long-string", -985981536),
    ("a-little-bit-longer-string", -1486304829),
    ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
    ("abc", 479470107),
]


@pytest.mark.parametrize(("key", "signed"), JAVA)
def test_murmur2_is_javas(key: str, signed: int) -> None:
    assert murmur2(key.encode()) == signed & 0xFFFFFFFF


@pytest.mark.parametrize(("key", "signed"), JAVA)
def test_partition_masks_the_sign_bit(key: str, signed: int) -> None:
    assert partition(key.encode(), 1009) == (signed & 0x7FFFFFFF) % 1009


def test_every_tail_length_hashes() -> None:
    # The 0 to 3 bytes past the last whole word each take their own branch.
    assert len({murmur2(b"abcdefg"[:n]) for n in range(8)}) == 8
