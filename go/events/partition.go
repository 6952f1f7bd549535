package events

// docs:start events-partition

// Partition is the partition that Kafka's default partitioner picks for a
// record with this key on a topic of n partitions: murmur2 of the key, the
// sign bit masked off, modulo n. Java's producer, kgo's default and
// librdkafka's "murmur2_random" agree on it, so the same key lands on the
// same partition whichever language wrote it. (librdkafka's own default,
// "consistent_random", hashes with CRC32 instead: set the partitioner.)
func Partition(key []byte, n int) int32 {
	return int32((murmur2(key) & 0x7fffffff) % uint32(n))
}

// docs:end events-partition

// murmur2 is Kafka's variant of MurmurHash2 (seed 0x9747b28c), four bytes
// at a time, little-endian, as org.apache.kafka.common.utils.Utils has it.
func murmur2(b []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
	)
	h := seed ^ uint32(len(b))
	for ; len(b) >= 4; b = b[4:] {
		k := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
		k *= m
		k ^= k >> 24
		k *= m
		h = h*m ^ k
	}
	switch len(b) {
	case 3:
		h ^= uint32(b[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(b[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(b[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}
