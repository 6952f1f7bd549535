"""Keys to partitions: the default partitioner, the same in every language.

The Go twin is ``go/events/partition.go``.
"""

from __future__ import annotations

__all__ = ["murmur2", "partition"]

_MASK = 0xFFFFFFFF


# docs:start events-partition
def partition(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for ``key``: murmur2 of the
    key, the sign bit masked off, modulo the number of partitions. Java's producer,
    kgo's default and librdkafka's ``murmur2_random`` agree on it, so a key lands on
    the same partition whichever language wrote it. (librdkafka's own default,
    ``consistent_random``, hashes with CRC32 instead: the producer sets it.)"""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


# docs:end events-partition


def murmur2(data: bytes) -> int:
    """Kafka's MurmurHash2 (seed ``0x9747b28c``), as an unsigned 32-bit number."""
    m = 0x5BD1E995
    h = (0x9747B28C ^ len(data)) & _MASK
    whole = len(data) - len(data) % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * m) & _MASK
        k ^= k >> 24
        k = (k * m) & _MASK
        h = ((h * m) & _MASK) ^ k
    tail = data[whole:]
    if tail:
        for i in reversed(range(len(tail))):
            h ^= tail[i] << (8 * i)
        h = (h * m) & _MASK
    h ^= h >> 13
    h = (h * m) & _MASK
    h ^= h >> 15
    return h
