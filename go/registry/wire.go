package registry

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// MagicByte opens every record value in Confluent's wire format.
const MagicByte = 0

// WireHeaderSize is the length of the header before the Avro body: the
// magic byte and a 4-byte big-endian schema id.
const WireHeaderSize = 5

// ErrWireFormat is wrapped by every error of DecodeWire: a value too short
// or with another magic byte is not in Confluent's wire format.
var ErrWireFormat = errors.New("registry: not in Confluent's wire format")

// docs:start wire

// EncodeWire returns the record value for an Avro body written with the
// schema registered as id: magic byte 0, id as 4 big-endian bytes, body.
func EncodeWire(id int, body []byte) []byte {
	out := make([]byte, WireHeaderSize, WireHeaderSize+len(body))
	out[0] = MagicByte
	binary.BigEndian.PutUint32(out[1:], uint32(id))
	return append(out, body...)
}

// DecodeWire splits a record value into its schema id and Avro body.
func DecodeWire(value []byte) (id int, body []byte, err error) {
	if len(value) < WireHeaderSize {
		return 0, nil, fmt.Errorf("%w: %d bytes, the header alone is %d",
			ErrWireFormat, len(value), WireHeaderSize)
	}
	if value[0] != MagicByte {
		return 0, nil, fmt.Errorf("%w: magic byte %d, want %d",
			ErrWireFormat, value[0], MagicByte)
	}
	id = int(binary.BigEndian.Uint32(value[1:WireHeaderSize]))
	return id, value[WireHeaderSize:], nil
}

// docs:end wire
