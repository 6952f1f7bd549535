// Visible tests for the Confluent wire format and Avro's longs and strings: run them with the
// check cell.
package main_test

import (
	. "answer"
	"bytes"
	"fmt"
	"testing"
)

// encodeFrame calls EncodeFrame; a panic fails the test, naming the call.
func encodeFrame(t *testing.T, id int, body []byte) (frame []byte, err error) {
	t.Helper()
	wfCall(t, fmt.Sprintf("EncodeFrame(%d, % x)", id, body), func() { frame, err = EncodeFrame(id, body) })
	return frame, err
}

// decodeFrame calls DecodeFrame; a panic fails the test, naming the call.
func decodeFrame(t *testing.T, frame []byte) (id int, body []byte, err error) {
	t.Helper()
	wfCall(t, fmt.Sprintf("DecodeFrame(% x)", frame), func() { id, body, err = DecodeFrame(frame) })
	return id, body, err
}

// decodeLong calls DecodeLong; a panic fails the test, naming the call.
func decodeLong(t *testing.T, data []byte, pos int) (n int64, next int, err error) {
	t.Helper()
	wfCall(t, fmt.Sprintf("DecodeLong(% x, %d)", data, pos), func() { n, next, err = DecodeLong(data, pos) })
	return n, next, err
}

// decodeString calls DecodeString; a panic fails the test, naming the call.
func decodeString(t *testing.T, data []byte, pos int) (s string, next int, err error) {
	t.Helper()
	wfCall(t, fmt.Sprintf("DecodeString(% x, %d)", data, pos), func() { s, next, err = DecodeString(data, pos) })
	return s, next, err
}

// encodeLong calls EncodeLong; a panic fails the test, naming the call.
func encodeLong(t *testing.T, n int64) (out []byte) {
	t.Helper()
	wfCall(t, fmt.Sprintf("EncodeLong(%d)", n), func() { out = EncodeLong(n) })
	return out
}

// wantError fails the test unless err is target or wraps it; what names the call, why the rule.
func wantError(t *testing.T, err, target error, what, why string) {
	t.Helper()
	if !wfIsError(err, target) {
		t.Fatalf("%s returned the error %v, want one that wraps %q: %s", what, err, target, why)
	}
}

func TestAFrameIsTheMagicByteTheSchemaIDAndTheBody(t *testing.T) {
	frame, err := encodeFrame(t, 258, []byte("\x06abc"))
	want := []byte("\x00\x00\x00\x01\x02\x06abc")
	if err != nil || !bytes.Equal(frame, want) {
		t.Fatalf("EncodeFrame(258, 06 61 62 63) is % x (error %v), want % x: the magic byte 0, then 258 in 4 "+
			"bytes, most significant first (00 00 01 02), then the body as it is", frame, err, want)
	}
}

func TestDecodeFrameReadsWhatEncodeFrameWrote(t *testing.T) {
	id, body, err := decodeFrame(t, []byte{0, 0, 0, 0, 7, 2, 4})
	if err != nil || id != 7 || !bytes.Equal(body, []byte{2, 4}) {
		t.Fatalf("DecodeFrame(00 00 00 00 07 02 04) is (%d, % x, %v), want (7, 02 04, nil)", id, body, err)
	}
	frame, err := encodeFrame(t, 1_000_000, []byte("hello"))
	if err != nil {
		t.Fatalf("EncodeFrame(1000000, hello): %v", err)
	}
	id, body, err = decodeFrame(t, frame)
	if err != nil || id != 1_000_000 || string(body) != "hello" {
		t.Fatalf("decoding EncodeFrame(1000000, hello) gave (%d, %q, %v)", id, body, err)
	}
}

func TestFramesThatAreNotFramesReturnNamedErrors(t *testing.T) {
	_, _, err := decodeFrame(t, []byte{0, 0, 1})
	wantError(t, err, ErrShortFrame, "DecodeFrame(00 00 01)",
		"3 bytes leave no room for the magic byte and a 4-byte schema id")
	_, _, err = decodeFrame(t, []byte{1, 0, 0, 0, 7, 2})
	wantError(t, err, ErrBadMagicByte, "DecodeFrame(01 00 00 00 07 02)", "a frame starts with the magic byte 0")
	_, err = encodeFrame(t, -1, nil)
	wantError(t, err, ErrSchemaIDOutOfRange, "EncodeFrame(-1, nil)", "schema ids are never negative")
}

func TestLongsAreZigzagVarints(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want []byte
	}{{0, []byte{0x00}}, {-1, []byte{0x01}}, {1, []byte{0x02}}, {-2, []byte{0x03}}, {63, []byte{0x7e}},
		{-64, []byte{0x7f}}, {64, []byte{0x80, 0x01}}, {-1500, []byte{0xb7, 0x17}}} {
		if got := encodeLong(t, c.n); !bytes.Equal(got, c.want) {
			t.Fatalf("EncodeLong(%d) is % x, want % x: zigzag maps 0, -1, 1, -2 ... to 0, 1, 2, 3 ..., then 7 "+
				"bits a byte, low bits first, the top bit set on every byte but the last", c.n, got, c.want)
		}
		data := append(append([]byte{0xff}, c.want...), 0xff)
		n, next, err := decodeLong(t, data, 1)
		if err != nil || n != c.n || next != 1+len(c.want) {
			t.Fatalf("DecodeLong(% x, 1) is (%d, %d, %v), want (%d, %d, nil): the long and the position "+
				"right after it", data, n, next, err, c.n, 1+len(c.want))
		}
	}
}

func TestAStringIsItsLengthThenUTF8(t *testing.T) {
	s, next, err := decodeString(t, []byte("\x06ord\x02"), 0)
	if err != nil || s != "ord" || next != 4 {
		t.Fatalf(`DecodeString(06 6f 72 64 02, 0) is (%q, %d, %v), want ("ord", 4, nil)`, s, next, err)
	}
	s, next, err = decodeString(t, []byte("\x02\x08Zo\xc3\xab"), 1)
	if err != nil || s != "Zoë" || next != 6 {
		t.Fatalf(`DecodeString(02 08 5a 6f c3 ab, 1) is (%q, %d, %v), want ("Zoë", 6, nil): the length `+
			"(8, zigzag for 4) counts bytes, and ë is 2 bytes of UTF-8", s, next, err)
	}
	_, _, err = decodeString(t, []byte("\x0aord"), 0)
	wantError(t, err, ErrBadAvro, "DecodeString(0a 6f 72 64, 0)", "the length says 5 bytes, and only 3 follow")
}
