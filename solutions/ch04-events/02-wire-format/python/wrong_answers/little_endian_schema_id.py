# wrong: writes and reads the schema id little-endian, least significant byte first
MAGIC_BYTE = 0  # the first byte of every frame, in this version of the format
MAX_SCHEMA_ID = 2**31 - 1  # ids are a signed 32-bit integer that is never negative


class WireError(ValueError):
    """Bytes that are not a frame, or not the Avro data they claim to be."""


class ShortFrame(WireError):
    """Fewer than 5 bytes: no room for the magic byte and the schema id."""


class BadMagicByte(WireError):
    """The first byte is not MAGIC_BYTE: not a frame of this format."""


class SchemaIdOutOfRange(WireError):
    """A schema id below 0 or above MAX_SCHEMA_ID."""


class BadAvro(WireError):
    """Avro data that ends inside a value, a long of more than 10 bytes, a
    negative length, or a string that is not UTF-8."""


def encode_frame(schema_id, body):
    """The frame of `body` (Avro bytes) written with the schema `schema_id`."""
    if not 0 <= schema_id <= MAX_SCHEMA_ID:
        raise SchemaIdOutOfRange(f"schema id {schema_id} is not in 0..{MAX_SCHEMA_ID}")
    return bytes([MAGIC_BYTE]) + schema_id.to_bytes(4, "little") + bytes(body)


def decode_frame(frame):
    """(schema_id, body) from a frame."""
    if len(frame) < 5:
        raise ShortFrame(f"a frame has at least 5 bytes, this one {len(frame)}")
    if frame[0] != MAGIC_BYTE:
        raise BadMagicByte(f"the first byte is {frame[0]}, not {MAGIC_BYTE}")
    schema_id = int.from_bytes(frame[1:5], "little")
    if schema_id > MAX_SCHEMA_ID:
        raise SchemaIdOutOfRange(f"schema id {schema_id} is above {MAX_SCHEMA_ID}")
    return schema_id, bytes(frame[5:])


def encode_long(n):
    """Avro's bytes for the long `n` (-2**63 <= n < 2**63): zigzag, then varint."""
    z = (n << 1) ^ (n >> 63)  # zigzag: 0, -1, 1, -2, 2 -> 0, 1, 2, 3, 4
    out = bytearray()
    while z > 0x7F:
        out.append(z & 0x7F | 0x80)  # 7 bits, and "more bytes follow"
        z >>= 7
    out.append(z)
    return bytes(out)


def decode_long(data, pos):
    """(the long that starts at data[pos], the position after it)."""
    z = 0
    for i in range(10):
        if pos >= len(data):
            raise BadAvro("the data ends inside a long")
        b = data[pos]
        pos += 1
        z |= (b & 0x7F) << (7 * i)
        if b < 0x80:  # the last byte of this long
            return (z >> 1) ^ -(z & 1), pos
    raise BadAvro("a long takes at most 10 bytes")


def decode_string(data, pos):
    """(the string that starts at data[pos], the position after it): a long,
    the length in bytes, then that many bytes of UTF-8."""
    length, pos = decode_long(data, pos)
    if length < 0:
        raise BadAvro(f"a string of length {length}")
    end = pos + length
    if end > len(data):
        raise BadAvro(f"the data ends inside a string of {length} bytes")
    try:
        text = bytes(data[pos:end]).decode("utf-8")
    except UnicodeDecodeError:
        raise BadAvro("a string that is not UTF-8") from None
    return text, end
