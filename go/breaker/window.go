package breaker

import (
	"math"
	"sync/atomic"
	"unsafe"
)

// Outcome bits as a window stores them.
const (
	bitFailed uint8 = 1 << iota
	bitSlow
)

func outcomeBits(failed, slow bool) uint8 {
	var b uint8
	if failed {
		b |= bitFailed
	}
	if slow {
		b |= bitSlow
	}
	return b
}

// counts is what a window holds: calls, and how many of them failed or were
// slow.
type counts struct {
	calls, failed, slow uint64
}

// rate returns n as a percent of c.calls, the spec's n * 100 / calls.
func (c counts) rate(n uint64) float64 { return float64(n*100) / float64(c.calls) }

// rates returns the failure and slow-call rates, or -1 and -1 while the
// window holds fewer than minimum calls.
func (c counts) rates(minimum uint64) (failure, slow float64) {
	if c.calls == 0 || c.calls < minimum {
		return -1, -1
	}
	return c.rate(c.failed), c.rate(c.slow)
}

// thresholds decides when a window's counts open the breaker.
type thresholds struct {
	minimum       uint64  // effective minimum of calls
	failure, slow float64 // percents
}

// docs:start trips

// trips reports whether c opens the breaker: enough calls, and the failure
// rate or the slow-call rate at or above its threshold.
func (t thresholds) trips(c counts) bool {
	if c.calls == 0 || c.calls < t.minimum {
		return false
	}
	return c.rate(c.failed) >= t.failure || c.rate(c.slow) >= t.slow
}

// docs:end trips

// pad keeps a hot atomic word on a cache line of its own, so that cores
// writing it do not slow down cores reading its neighbours.
type pad [64 - 8]byte

type paddedUint64 struct {
	atomic.Uint64
	_ pad
}

type paddedInt64 struct {
	atomic.Int64
	_ pad
}

// ---------------------------------------------------------------------------
// The count window: the last size recorded calls.

// A count window keeps its three counters packed in one word, fieldBits each,
// so that one atomic add updates them together and one load reads a
// consistent snapshot.
const (
	fieldBits = 21
	fieldMask = 1<<fieldBits - 1
)

func packed(bits uint8) uint64 {
	return 1 | uint64(bits&bitFailed)<<fieldBits | uint64(bits&bitSlow>>1)<<(2*fieldBits)
}

func unpack(w uint64) counts {
	return counts{calls: w & fieldMask, failed: w >> fieldBits & fieldMask, slow: w >> (2 * fieldBits) & fieldMask}
}

// countWindow is a ring of size slots without a lock.
//
// Each record takes a ticket t (1, 2, ...) and owns slot (t-1) % size; the
// slot's previous record (ticket t-size) falls out of the window. A slot
// holds t<<2 | outcome bits, 0 when empty. The record adds its own bits to
// agg, swaps itself into the slot with a compare-and-swap, and subtracts the
// bits it swapped out; if a later ticket already holds the slot (the ring
// lapped a slow writer), the record is out of the window before it lands and
// takes its bits back. Bits are added before they can be swapped out, so no
// counter ever goes below zero; run one record at a time, agg is exactly the
// spec's window.
//
// The fast path: when the window is full and holds no failure and no slow
// call, a successful fast call changes nothing (it evicts a call just like
// itself from a ring whose calls are all alike), so it is one atomic load.
type countWindow struct {
	thresholds
	size  uint64
	agg   paddedUint64 // packed counts
	head  paddedUint64 // the last ticket handed out
	slots []atomic.Uint64
}

func newCountWindow(size int, t thresholds) *countWindow {
	return &countWindow{thresholds: t, size: uint64(size), slots: make([]atomic.Uint64, size)}
}

// docs:start count-window

// record adds one call with outcome bits and reports whether the window now
// opens the breaker.
func (w *countWindow) record(bits uint8) bool {
	if bits == 0 && w.agg.Load() == w.size { // full, no failure, no slow call
		return false
	}
	t := w.head.Add(1)
	plus := packed(bits)
	after := w.agg.Add(plus)
	slot := &w.slots[(t-1)%w.size]
	for {
		old := slot.Load()
		if old>>2 > t { // a newer call holds the slot: ours already fell out
			w.agg.Add(-plus)
			return false
		}
		if slot.CompareAndSwap(old, t<<2|uint64(bits)) {
			if old != 0 {
				after = w.agg.Add(-packed(uint8(old & 3)))
			}
			return w.trips(unpack(after))
		}
	}
}

// docs:end count-window

func (w *countWindow) snapshot() counts { return unpack(w.agg.Load()) }

// ---------------------------------------------------------------------------
// The time window: the calls recorded in the last size seconds.

// docs:start time-window

// A time window's counters are tagged words: the high 32 bits hold the
// second they count (its low 32 bits), the low 32 bits the count. A word
// whose tag is not the second being recorded is either older (its second has
// left the window: start it again) or newer (the record being made is too old
// to count). Tagging makes bucket rotation part of the same compare-and-swap
// as the count, so there is no separate reset to race with.
func bump(w *atomic.Uint64, sec int64) bool {
	tag := uint32(sec)
	for {
		old := w.Load()
		var next uint64
		switch otag := uint32(old >> 32); {
		case uint32(old) == 0 || int32(tag-otag) > 0: // empty, or an older second
			next = uint64(tag)<<32 | 1
		case otag == tag:
			next = old + 1
		default: // a newer second holds the word
			return false
		}
		if w.CompareAndSwap(old, next) {
			return true
		}
	}
}

// docs:end time-window

// timeWindow is a ring of size one-second buckets without a lock. A call
// counts in the bucket of its completion second, floor(t / 1s); at time T the
// window holds the buckets of seconds floor(T/1s)-size+1 through floor(T/1s).
//
// Calls are counted in stripes (several words per bucket, each on its own
// cache line, picked by [stripe]), so that cores recording at once do not all
// write one word; failures and slow calls, rarer, have one word each per
// bucket. Summing the window costs size*(stripes+2) loads, so a record skips
// it when it cannot change the decision: a successful fast call in a second
// for which a sum already found enough calls and both rates under their
// thresholds (adding a success only lowers the rates; only the turn of a
// second can raise them).
type timeWindow struct {
	thresholds
	size    int64
	stripes int64 // a power of two
	calls   []paddedUint64
	marks   []atomic.Uint64 // per bucket: failed, slow
	healthy paddedInt64     // a second for which a sum found the window under the thresholds (see above)
}

func newTimeWindow(size, stripes int, t thresholds) *timeWindow {
	w := &timeWindow{
		thresholds: t,
		size:       int64(size),
		stripes:    int64(stripes),
		calls:      make([]paddedUint64, size*stripes),
		marks:      make([]atomic.Uint64, 2*size),
	}
	w.healthy.Store(math.MinInt64)
	return w
}

// second returns floor(ns / 1s), also for negative ns.
func second(ns int64) int64 {
	s := ns / 1e9
	if ns%1e9 < 0 {
		s--
	}
	return s
}

func (w *timeWindow) bucket(sec int64) int64 {
	b := sec % w.size
	if b < 0 {
		b += w.size
	}
	return b
}

// docs:start time-window-record

// record adds one call that completed at end and reports whether the window
// now opens the breaker.
func (w *timeWindow) record(bits uint8, end int64) bool {
	sec := second(end)
	b := w.bucket(sec)
	if !bump(&w.calls[b*w.stripes+stripe()&(w.stripes-1)].Uint64, sec) {
		return false // its second has already left the window
	}
	if bits&bitFailed != 0 {
		bump(&w.marks[2*b], sec)
	}
	if bits&bitSlow != 0 {
		bump(&w.marks[2*b+1], sec)
	}
	if bits == 0 && w.healthy.Load() == sec {
		return false
	}
	c := w.snapshot(end)
	if w.trips(c) {
		return true
	}
	if c.calls >= w.minimum {
		w.healthy.Store(sec)
	}
	return false
}

// docs:end time-window-record

// snapshot sums the buckets in the window at time now.
func (w *timeWindow) snapshot(now int64) counts {
	newest := uint32(second(now))
	count := func(word uint64) uint64 {
		n := uint32(word)
		if age := int64(int32(newest - uint32(word>>32))); n == 0 || age < 0 || age >= w.size {
			return 0
		}
		return uint64(n)
	}
	var c counts
	for i := range w.calls {
		c.calls += count(w.calls[i].Load())
	}
	for b := int64(0); b < w.size; b++ {
		c.failed += count(w.marks[2*b].Load())
		c.slow += count(w.marks[2*b+1].Load())
	}
	return c
}

// stripe returns a number that stays the same for one goroutine and differs
// between goroutines: a hash of the address of a local variable, since every
// goroutine runs on a stack of its own. Picking a counter stripe by it keeps
// each goroutine on one cache line (a random pick would have every core
// writing every line), at the cost of nothing but a multiplication.
//
//go:noinline
func stripe() int64 {
	var local byte
	addr := uint64(uintptr(unsafe.Pointer(&local)))
	return int64((addr >> 10) * 0x9E3779B97F4A7C15 >> 58) // Fibonacci hashing, 6 bits
}
