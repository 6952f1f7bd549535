"""Hidden tests for the Confluent wire format and Avro's longs and strings (instructors only)."""

from test_visible import call, expect_error

MAX_ID = 2**31 - 1
# A real message: an Order {id: string, qty: long, customer: string, delta: long} written by
# hamba/avro (Go) with the schema id 7, framed as Confluent's serializers frame it.
ORDER_FRAME = bytes.fromhex("00000000070c6f72642d3432061e5a6fc3ab20c3856e67737472c3b66db717")


def test_hidden_decodes_a_real_message(answer):
    schema_id, body = call(answer, "decode_frame", ORDER_FRAME)
    assert schema_id == 7, f"the frame's schema id is {schema_id}, want 7"
    order, pos = {}, 0
    order["id"], pos = call(answer, "decode_string", body, pos)
    order["qty"], pos = call(answer, "decode_long", body, pos)
    order["customer"], pos = call(answer, "decode_string", body, pos)
    order["delta"], pos = call(answer, "decode_long", body, pos)
    want = {"id": "ord-42", "qty": 3, "customer": "Zoë Ångström", "delta": -1500}
    assert order == want, f"the Order in the frame decodes as {order}, want {want}"
    assert pos == len(body), f"the fields end at {pos}, want the end of the body, {len(body)}"


def test_hidden_every_schema_id_from_0_to_the_largest(answer):
    for schema_id, four in [
        (0, "00000000"),
        (1, "00000001"),
        (0x01020304, "01020304"),
        (MAX_ID, "7fffffff"),
    ]:
        frame = call(answer, "encode_frame", schema_id, b"\x02")
        want = bytes.fromhex("00" + four + "02")
        assert frame == want, f"encode_frame({schema_id}, b'\\x02') is {frame!r}, want {want!r}"
        got = call(answer, "decode_frame", want)
        assert got == (schema_id, b"\x02"), f"decode_frame({want!r}) is {got!r}"


def test_hidden_schema_ids_out_of_range(answer):
    for schema_id in (-1, -(2**31), MAX_ID + 1, 2**32):
        expect_error(
            answer,
            "SchemaIdOutOfRange",
            "encode_frame",
            schema_id,
            b"",
            why=f"schema ids run from 0 to {MAX_ID}",
        )
    for four in ("80000000", "ffffffff"):
        expect_error(
            answer,
            "SchemaIdOutOfRange",
            "decode_frame",
            bytes.fromhex("00" + four + "02"),
            why=f"{four} is above {MAX_ID}: as a signed 32-bit id it would be negative",
        )


def test_hidden_short_frames(answer):
    for frame in (b"", b"\x00", b"\x01", b"\x00\x00\x00\x07", b"\x05\x00\x00\x00"):
        expect_error(
            answer,
            "ShortFrame",
            "decode_frame",
            frame,
            why=f"{len(frame)} bytes: a frame has at least 5, whatever its first byte",
        )
    got = call(answer, "decode_frame", b"\x00\x00\x00\x00\x05")
    assert got == (5, b""), f"decode_frame(00 00 00 00 05) is {got!r}: want (5, b''), an empty body"
    assert call(answer, "encode_frame", 5, b"") == b"\x00\x00\x00\x00\x05", "an empty body"


def test_hidden_bad_magic_bytes(answer):
    for first in (1, 0x7F, 0x80, 0xFF):
        expect_error(
            answer,
            "BadMagicByte",
            "decode_frame",
            bytes([first, 0, 0, 0, 1, 2]),
            why=f"the first byte is {first}, and only 0 is this format",
        )


def test_hidden_the_body_is_kept_byte_for_byte(answer):
    body = bytes(range(256))
    frame = call(answer, "encode_frame", 9, bytearray(body))
    assert frame == b"\x00\x00\x00\x00\x09" + body, "the body follows the id unchanged"
    assert type(frame) is bytes, f"encode_frame returned a {type(frame).__name__}, want bytes"
    got = call(answer, "decode_frame", bytearray(frame))
    assert got == (9, body) and type(got[1]) is bytes, f"decode_frame gave {got!r}, want bytes"


def test_hidden_longs_at_the_edges(answer):
    edges = [
        (2**63 - 1, b"\xfe" + b"\xff" * 8 + b"\x01"),
        (-(2**63), b"\xff" * 9 + b"\x01"),
        (8191, b"\xfe\x7f"),
        (-8192, b"\xff\x7f"),
        (8192, b"\x80\x80\x01"),
        (2**31 - 1, b"\xfe\xff\xff\xff\x0f"),
    ]
    for n, want in edges:
        got = call(answer, "encode_long", n)
        assert got == want, f"encode_long({n}) is {got!r}, want {want!r}"
        got = call(answer, "decode_long", want, 0)
        assert got == (n, len(want)), (
            f"decode_long({want!r}, 0) is {got!r}, want ({n}, {len(want)})"
        )


def test_hidden_longs_round_trip(answer):
    values = [0, 1, -1, 127, 128, -128, 255, 300, -300, 10**9, -(10**12), 2**40 + 7]
    data = b"".join(call(answer, "encode_long", n) for n in values)
    pos, got = 0, []
    for _ in values:
        n, pos = call(answer, "decode_long", data, pos)
        got.append(n)
    assert got == values and pos == len(data), (
        f"encoding {values} one after the other and decoding them back gave {got} (ending at "
        f"{pos} of {len(data)})"
    )


def test_hidden_a_byte_with_only_the_top_bit_continues(answer):
    got = call(answer, "decode_long", b"\x80\x01", 0)
    assert got == (64, 2), (
        f"decode_long(80 01) is {got!r}: 0x80 is 0 with more to come; want (64, 2)"
    )
    got = call(answer, "decode_long", b"\x81\x80\x00", 0)
    assert got == (-1, 3), (
        f"decode_long(81 80 00) is {got!r}: zero bits may pad a long; want (-1, 3)"
    )


def test_hidden_longs_that_do_not_end(answer):
    for data, why in [
        (b"", "no byte at all"),
        (b"\x80", "0x80 says that more bytes follow, and none does"),
        (b"\xff\xff\xff", "every byte says that more follow"),
    ]:
        expect_error(answer, "BadAvro", "decode_long", data, 0, why=why)
    expect_error(
        answer,
        "BadAvro",
        "decode_long",
        b"\x02\x04",
        2,
        why="position 2 is the end of the data: no long starts there",
    )
    expect_error(
        answer,
        "BadAvro",
        "decode_long",
        b"\xff" * 10 + b"\x01",
        0,
        why="a long takes at most 10 bytes; this one would take 11",
    )


def test_hidden_strings(answer):
    for data, pos, want in [
        (b"\x00", 0, ("", 1)),
        (b"\x00\x00", 1, ("", 2)),
        (b"\x06\xe2\x82\xac", 0, ("€", 4)),
        (b"\x04ab\x04cd", 3, ("cd", 6)),
        (b"\x80\x01" + b"x" * 64, 0, ("x" * 64, 66)),
    ]:
        got = call(answer, "decode_string", data, pos)
        assert got == want, f"decode_string({data!r}, {pos}) is {got!r}, want {want!r}"


def test_hidden_bad_strings(answer):
    for data, why in [
        (b"", "no length at all"),
        (b"\x80", "the length does not end"),
        (b"\x01", "the length is -1"),
        (b"\x03a", "the length is -2"),
        (b"\x04a", "the length says 2 bytes, and 1 follows"),
        (b"\x04\xc3\x28", "c3 28 is not UTF-8"),
        (b"\x02\xff", "ff is never UTF-8"),
        (b"\xfe" + b"\xff" * 8 + b"\x01a", "the length is the largest long"),
    ]:
        expect_error(answer, "BadAvro", "decode_string", data, 0, why=why)
