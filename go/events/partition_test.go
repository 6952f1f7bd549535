package events_test

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/events"
)

// Kafka's own murmur2 test values (UtilsTest.testMurmur2), as partitions:
// the hash's sign bit masked off, modulo a prime so that every bit counts.
func TestPartitionMatchesJavaMurmur2(t *testing.T) {
	cases := []struct {
		key  string
		hash int32
	}{
		{"21", -973932308},
		{"foobar", -790332482},
		{"a-little-bit-long-string", -985981536},
		{"a-little-bit-longer-string", -1486304829},
		{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
		{"abc", 479470107},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			want := int32((uint32(c.hash) & 0x7fffffff) % 1009)
			if got := events.Partition([]byte(c.key), 1009); got != want {
				t.Errorf("Partition(%q, 1009) = %d, want %d", c.key, got, want)
			}
		})
	}
}

// The package's partition is kgo's: its sticky-key partitioner with Kafka's
// hasher, for every key length (each tail of 0 to 3 bytes) and many counts.
func TestPartitionMatchesKgo(t *testing.T) {
	kgoPart := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	for n := 1; n <= 64; n++ {
		for i := range 200 {
			key := []byte(fmt.Sprintf("key-%08d", i*7919)[:1+i%12])
			want := kgoPart.Partition(&kgo.Record{Key: key}, n)
			if got := events.Partition(key, n); int(got) != want {
				t.Fatalf("Partition(%q, %d) = %d, kgo says %d", key, n, got, want)
			}
		}
	}
}
