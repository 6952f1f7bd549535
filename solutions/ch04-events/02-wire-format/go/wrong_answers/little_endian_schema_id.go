// wrong: writes and reads the schema id little-endian, least significant byte first
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// MagicByte is the first byte of every frame, in this version of the format.
const MagicByte = 0

// MaxSchemaID is the largest schema id: ids are a signed 32-bit integer that
// is never negative.
const MaxSchemaID = 1<<31 - 1

// The errors of the format; wrap them with %w to say more.
var (
	ErrShortFrame         = errors.New("wire: fewer than 5 bytes: no room for the magic byte and the schema id")
	ErrBadMagicByte       = errors.New("wire: the first byte is not the magic byte")
	ErrSchemaIDOutOfRange = errors.New("wire: schema id out of range")
	ErrBadAvro            = errors.New("wire: bad Avro data")
)

// EncodeFrame returns the frame of body (Avro bytes) written with the schema
// schemaID.
func EncodeFrame(schemaID int, body []byte) ([]byte, error) {
	if schemaID < 0 || schemaID > MaxSchemaID {
		return nil, fmt.Errorf("%w: %d is not in 0..%d", ErrSchemaIDOutOfRange, schemaID, MaxSchemaID)
	}
	frame := []byte{MagicByte}
	frame = binary.LittleEndian.AppendUint32(frame, uint32(schemaID))
	return append(frame, body...), nil
}

// DecodeFrame returns the schema id and the body of a frame.
func DecodeFrame(frame []byte) (schemaID int, body []byte, err error) {
	if len(frame) < 5 {
		return 0, nil, fmt.Errorf("%w: %d bytes", ErrShortFrame, len(frame))
	}
	if frame[0] != MagicByte {
		return 0, nil, fmt.Errorf("%w: %d, not %d", ErrBadMagicByte, frame[0], MagicByte)
	}
	id := binary.LittleEndian.Uint32(frame[1:5])
	if id > MaxSchemaID {
		return 0, nil, fmt.Errorf("%w: %d is above %d", ErrSchemaIDOutOfRange, id, MaxSchemaID)
	}
	return int(id), frame[5:], nil
}

// EncodeLong returns Avro's bytes for the long n: zigzag, then varint.
func EncodeLong(n int64) []byte {
	z := uint64(n<<1) ^ uint64(n>>63) // zigzag: 0, -1, 1, -2, 2 -> 0, 1, 2, 3, 4
	var out []byte
	for z > 0x7F {
		out = append(out, byte(z&0x7F|0x80)) // 7 bits, and "more bytes follow"
		z >>= 7
	}
	return append(out, byte(z))
}

// DecodeLong returns the long that starts at data[pos] and the position
// after it.
func DecodeLong(data []byte, pos int) (n int64, next int, err error) {
	var z uint64
	for i := range 10 {
		if pos >= len(data) {
			return 0, pos, fmt.Errorf("%w: the data ends inside a long", ErrBadAvro)
		}
		b := data[pos]
		pos++
		z |= uint64(b&0x7F) << (7 * i)
		if b < 0x80 { // the last byte of this long
			return int64(z>>1) ^ -int64(z&1), pos, nil
		}
	}
	return 0, pos, fmt.Errorf("%w: a long takes at most 10 bytes", ErrBadAvro)
}

// DecodeString returns the string that starts at data[pos] and the position
// after it: a long, the length in bytes, then that many bytes of UTF-8.
func DecodeString(data []byte, pos int) (s string, next int, err error) {
	length, pos, err := DecodeLong(data, pos)
	if err != nil {
		return "", pos, err
	}
	if length < 0 {
		return "", pos, fmt.Errorf("%w: a string of length %d", ErrBadAvro, length)
	}
	if length > int64(len(data)-pos) {
		return "", pos, fmt.Errorf("%w: the data ends inside a string of %d bytes", ErrBadAvro, length)
	}
	end := pos + int(length)
	if !utf8.Valid(data[pos:end]) {
		return "", pos, fmt.Errorf("%w: a string that is not UTF-8", ErrBadAvro)
	}
	return string(data[pos:end]), end, nil
}
