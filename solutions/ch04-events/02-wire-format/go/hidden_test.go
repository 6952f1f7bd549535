// Hidden tests for the Confluent wire format and Avro's longs and strings (instructors only).
package main_test

import (
	. "answer"
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

const maxID = 1<<31 - 1

// orderFrame is a real message: an Order {id: string, qty: long, customer: string, delta: long}
// written by hamba/avro with the schema id 7, framed as Confluent's serializers frame it.
const orderFrame = "00000000070c6f72642d3432061e5a6fc3ab20c3856e67737472c3b66db717"

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("the test's hex %q: %v", s, err)
	}
	return b
}

// wantNoFrame fails the test unless a DecodeFrame that returned an error returned the zero
// values with it.
func wantNoFrame(t *testing.T, what string, id int, body []byte) {
	t.Helper()
	if id != 0 || body != nil {
		t.Fatalf("%s returned the id %d and the body % x with its error: want 0 and nil, the zero values", what, id, body)
	}
}

func TestHiddenDecodesARealMessage(t *testing.T) {
	id, body, err := decodeFrame(t, unhex(t, orderFrame))
	if err != nil || id != 7 {
		t.Fatalf("the frame's schema id is %d (error %v), want 7", id, err)
	}
	pos := 0
	orderID, pos, err1 := decodeString(t, body, pos)
	qty, pos, err2 := decodeLong(t, body, pos)
	customer, pos, err3 := decodeString(t, body, pos)
	delta, pos, err4 := decodeLong(t, body, pos)
	got := fmt.Sprintf("{id: %q, qty: %d, customer: %q, delta: %d} (errors %v %v %v %v)", orderID, qty, customer, delta, err1, err2, err3, err4)
	want := `{id: "ord-42", qty: 3, customer: "Zoë Ångström", delta: -1500} (errors <nil> <nil> <nil> <nil>)`
	if got != want {
		t.Fatalf("the Order in the frame decodes as %s, want %s", got, want)
	}
	if pos != len(body) {
		t.Fatalf("the fields end at %d, want the end of the body, %d", pos, len(body))
	}
}

func TestHiddenEverySchemaIDFrom0ToTheLargest(t *testing.T) {
	for _, c := range []struct {
		id   int
		four string
	}{{0, "00000000"}, {1, "00000001"}, {0x01020304, "01020304"}, {maxID, "7fffffff"}} {
		want := unhex(t, "00"+c.four+"02")
		frame, err := encodeFrame(t, c.id, []byte{2})
		if err != nil || !bytes.Equal(frame, want) {
			t.Fatalf("EncodeFrame(%d, 02) is % x (error %v), want % x", c.id, frame, err, want)
		}
		id, body, err := decodeFrame(t, want)
		if err != nil || id != c.id || !bytes.Equal(body, []byte{2}) {
			t.Fatalf("DecodeFrame(% x) is (%d, % x, %v), want (%d, 02, nil)", want, id, body, err, c.id)
		}
	}
}

func TestHiddenSchemaIDsOutOfRange(t *testing.T) {
	for _, id := range []int{-1, -(1 << 31), maxID + 1, 1 << 32} {
		frame, err := encodeFrame(t, id, nil)
		wantError(t, err, ErrSchemaIDOutOfRange, fmt.Sprintf("EncodeFrame(%d, nil)", id), "schema ids run from 0 to 2147483647")
		if frame != nil {
			t.Fatalf("EncodeFrame(%d, nil) returned the frame % x with its error: want nil", id, frame)
		}
	}
	for _, four := range []string{"80000000", "ffffffff"} {
		id, body, err := decodeFrame(t, unhex(t, "00"+four+"02"))
		wantError(t, err, ErrSchemaIDOutOfRange, "DecodeFrame(00 "+four+" 02)",
			four+" is above 2147483647: as a signed 32-bit id it would be negative")
		wantNoFrame(t, "DecodeFrame(00 "+four+" 02)", id, body)
	}
}

func TestHiddenShortFrames(t *testing.T) {
	for _, frame := range [][]byte{{}, {0}, {1}, {0, 0, 0, 7}, {5, 0, 0, 0}} {
		id, body, err := decodeFrame(t, frame)
		wantError(t, err, ErrShortFrame, fmt.Sprintf("DecodeFrame(% x)", frame),
			fmt.Sprintf("%d bytes: a frame has at least 5, whatever its first byte", len(frame)))
		wantNoFrame(t, fmt.Sprintf("DecodeFrame(% x)", frame), id, body)
	}
	id, body, err := decodeFrame(t, []byte{0, 0, 0, 0, 5})
	if err != nil || id != 5 || len(body) != 0 {
		t.Fatalf("DecodeFrame(00 00 00 00 05) is (%d, % x, %v): want (5, empty, nil)", id, body, err)
	}
	frame, err := encodeFrame(t, 5, nil)
	if err != nil || !bytes.Equal(frame, []byte{0, 0, 0, 0, 5}) {
		t.Fatalf("EncodeFrame(5, nil) is % x (error %v), want 00 00 00 00 05", frame, err)
	}
}

func TestHiddenBadMagicBytes(t *testing.T) {
	for _, first := range []byte{1, 0x7f, 0x80, 0xff} {
		frame := []byte{first, 0, 0, 0, 1, 2}
		id, body, err := decodeFrame(t, frame)
		wantError(t, err, ErrBadMagicByte, fmt.Sprintf("DecodeFrame(% x)", frame),
			fmt.Sprintf("the first byte is %d, and only 0 is this format", first))
		wantNoFrame(t, fmt.Sprintf("DecodeFrame(% x)", frame), id, body)
	}
}

func TestHiddenTheBodyIsKeptByteForByte(t *testing.T) {
	body := make([]byte, 256)
	for i := range body {
		body[i] = byte(i)
	}
	frame, err := encodeFrame(t, 9, body)
	if err != nil || !bytes.Equal(frame, append([]byte{0, 0, 0, 0, 9}, body...)) {
		t.Fatalf("EncodeFrame(9, 00..ff): the body must follow the id unchanged (error %v)", err)
	}
	id, got, err := decodeFrame(t, frame)
	if err != nil || id != 9 || !bytes.Equal(got, body) {
		t.Fatalf("DecodeFrame gave (%d, % x, %v), want (9, 00..ff, nil)", id, got, err)
	}
}

func TestHiddenLongsAtTheEdges(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{1<<63 - 1, "feffffffffffffffff01"},
		{-1 << 63, "ffffffffffffffffff01"},
		{8191, "fe7f"},
		{-8192, "ff7f"},
		{8192, "808001"},
		{1<<31 - 1, "feffffff0f"},
	} {
		want := unhex(t, c.want)
		if got := encodeLong(t, c.n); !bytes.Equal(got, want) {
			t.Fatalf("EncodeLong(%d) is % x, want % x", c.n, got, want)
		}
		n, next, err := decodeLong(t, want, 0)
		if err != nil || n != c.n || next != len(want) {
			t.Fatalf("DecodeLong(% x, 0) is (%d, %d, %v), want (%d, %d, nil)", want, n, next, err, c.n, len(want))
		}
	}
}

func TestHiddenLongsRoundTrip(t *testing.T) {
	values := []int64{0, 1, -1, 127, 128, -128, 255, 300, -300, 1e9, -1e12, 1<<40 + 7}
	var data []byte
	for _, n := range values {
		data = append(data, encodeLong(t, n)...)
	}
	pos := 0
	for _, want := range values {
		n, next, err := decodeLong(t, data, pos)
		if err != nil || n != want {
			t.Fatalf("decoding %v encoded one after the other: at %d got (%d, %v), want %d", values, pos, n, err, want)
		}
		pos = next
	}
	if pos != len(data) {
		t.Fatalf("decoding %v ended at %d of %d bytes", values, pos, len(data))
	}
}

func TestHiddenAByteWithOnlyTheTopBitContinues(t *testing.T) {
	if n, next, err := decodeLong(t, []byte{0x80, 0x01}, 0); err != nil || n != 64 || next != 2 {
		t.Fatalf("DecodeLong(80 01, 0) is (%d, %d, %v): 0x80 is 0 with more to come; want (64, 2, nil)", n, next, err)
	}
	if n, next, err := decodeLong(t, []byte{0x81, 0x80, 0x00}, 0); err != nil || n != -1 || next != 3 {
		t.Fatalf("DecodeLong(81 80 00, 0) is (%d, %d, %v): zero bits may pad a long; want (-1, 3, nil)", n, next, err)
	}
}

func TestHiddenLongsThatDoNotEnd(t *testing.T) {
	for _, c := range []struct {
		data []byte
		pos  int
		why  string
	}{
		{nil, 0, "no byte at all"},
		{[]byte{0x80}, 0, "0x80 says that more bytes follow, and none does"},
		{[]byte{0xff, 0xff, 0xff}, 0, "every byte says that more follow"},
		{[]byte{2, 4}, 2, "position 2 is the end of the data: no long starts there"},
		{append(bytes.Repeat([]byte{0xff}, 10), 1), 0, "a long takes at most 10 bytes; this one would take 11"},
	} {
		n, next, err := decodeLong(t, c.data, c.pos)
		wantError(t, err, ErrBadAvro, fmt.Sprintf("DecodeLong(% x, %d)", c.data, c.pos), c.why)
		if n != 0 || next != 0 {
			t.Fatalf("DecodeLong(% x, %d) returned (%d, %d) with its error: want (0, 0), the zero values", c.data, c.pos, n, next)
		}
	}
}

func TestHiddenStrings(t *testing.T) {
	for _, c := range []struct {
		data []byte
		pos  int
		want string
		next int
	}{
		{[]byte{0}, 0, "", 1},
		{[]byte{0, 0}, 1, "", 2},
		{[]byte("\x06\xe2\x82\xac"), 0, "€", 4},
		{[]byte("\x04ab\x04cd"), 3, "cd", 6},
		{append([]byte{0x80, 0x01}, strings.Repeat("x", 64)...), 0, strings.Repeat("x", 64), 66},
	} {
		s, next, err := decodeString(t, c.data, c.pos)
		if err != nil || s != c.want || next != c.next {
			t.Fatalf("DecodeString(% x, %d) is (%q, %d, %v), want (%q, %d, nil)", c.data, c.pos, s, next, err, c.want, c.next)
		}
	}
}

func TestHiddenBadStrings(t *testing.T) {
	for _, c := range []struct {
		data []byte
		why  string
	}{
		{nil, "no length at all"},
		{[]byte{0x80}, "the length does not end"},
		{[]byte{0x01}, "the length is -1"},
		{[]byte("\x03a"), "the length is -2"},
		{[]byte("\x04a"), "the length says 2 bytes, and 1 follows"},
		{[]byte("\x04\xc3\x28"), "c3 28 is not UTF-8"},
		{[]byte("\x02\xff"), "ff is never UTF-8"},
		{[]byte("\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01a"), "the length is the largest long: it would overflow an int"},
	} {
		s, next, err := decodeString(t, c.data, 0)
		wantError(t, err, ErrBadAvro, fmt.Sprintf("DecodeString(% x, 0)", c.data), c.why)
		if s != "" || next != 0 {
			t.Fatalf(`DecodeString(% x, 0) returned (%q, %d) with its error: want ("", 0), the zero values`, c.data, s, next)
		}
	}
}
