"""Visible tests for the Confluent wire format and Avro's longs and strings: run them with the
check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.decode_frame``).
``run`` calls one of your functions and tells what it did, so a test can say what it wanted
instead of showing a traceback.
"""

from twinbook.runner.plain import plain


def run(answer, name, *args):
    """``answer.<name>(*args)``: ("returned", value), or ("raised", ExceptionClassName)."""
    try:
        value = getattr(answer, name)(*args)
    except Exception as exc:  # the learner's code: the test reports what was raised, by name
        return plain(("raised", type(exc).__name__))
    return plain(("returned", value))


def call(answer, name, *args):
    """``answer.<name>(*args)``, which must return; its value."""
    outcome = run(answer, name, *args)
    shown = ", ".join(repr(a) for a in args)
    assert outcome[0] == "returned", f"{name}({shown}) raised {outcome[1]}, want it to return"
    return plain(outcome[1])


def expect_error(answer, error, name, *args, why):
    """``answer.<name>(*args)`` must raise ``error`` (a class name); ``why`` says why."""
    outcome = run(answer, name, *args)
    shown = ", ".join(repr(a) for a in args)
    did = f"raised {outcome[1]}" if outcome[0] == "raised" else f"returned {outcome[1]!r}"
    assert outcome == ("raised", error), f"{name}({shown}) {did}, want it to raise {error}: {why}"


def test_a_frame_is_the_magic_byte_the_schema_id_and_the_body(answer):
    frame = call(answer, "encode_frame", 258, b"\x06abc")
    assert frame == b"\x00\x00\x00\x01\x02\x06abc", (
        f"encode_frame(258, b'\\x06abc') is {frame!r}: want the magic byte 0, then 258 in 4 "
        "bytes, most significant first (00 00 01 02), then the body as it is"
    )
    assert type(frame) is bytes, f"encode_frame returned a {type(frame).__name__}, want bytes"


def test_decode_frame_reads_what_encode_frame_wrote(answer):
    got = call(answer, "decode_frame", b"\x00\x00\x00\x00\x07\x02\x04")
    assert got == (7, b"\x02\x04"), (
        f"decode_frame(00 00 00 00 07 02 04) is {got!r}, want (7, b'\\x02\\x04')"
    )
    frame = call(answer, "encode_frame", 1_000_000, b"hello")
    got = call(answer, "decode_frame", frame)
    assert got == (1_000_000, b"hello"), f"decoding encode_frame(1000000, b'hello') gave {got!r}"


def test_frames_that_are_not_frames_raise_named_errors(answer):
    expect_error(
        answer,
        "ShortFrame",
        "decode_frame",
        b"\x00\x00\x01",
        why="3 bytes leave no room for the magic byte and a 4-byte schema id",
    )
    expect_error(
        answer,
        "BadMagicByte",
        "decode_frame",
        b"\x01\x00\x00\x00\x07\x02",
        why="a frame starts with the magic byte 0",
    )
    expect_error(
        answer,
        "SchemaIdOutOfRange",
        "encode_frame",
        -1,
        b"",
        why="schema ids are never negative",
    )


def test_longs_are_zigzag_varints(answer):
    for n, want in [
        (0, b"\x00"),
        (-1, b"\x01"),
        (1, b"\x02"),
        (-2, b"\x03"),
        (63, b"\x7e"),
        (-64, b"\x7f"),
        (64, b"\x80\x01"),
        (-1500, b"\xb7\x17"),
    ]:
        got = call(answer, "encode_long", n)
        assert got == want, (
            f"encode_long({n}) is {got!r}, want {want!r}: zigzag maps 0, -1, 1, -2 ... to "
            "0, 1, 2, 3 ..., then 7 bits a byte, low bits first, the top bit set on every byte "
            "but the last"
        )
        data = b"\xff" + want + b"\xff"
        got = call(answer, "decode_long", data, 1)
        assert got == (n, 1 + len(want)), (
            f"decode_long({data!r}, 1) is {got!r}, want ({n}, "
            f"{1 + len(want)}): the long and the position right after it"
        )


def test_a_string_is_its_length_then_utf8(answer):
    got = call(answer, "decode_string", b"\x06ord\x02", 0)
    assert got == ("ord", 4), f"decode_string(b'\\x06ord\\x02', 0) is {got!r}, want ('ord', 4)"
    got = call(answer, "decode_string", b"\x02\x08Zo\xc3\xab", 1)
    assert got == ("Zoë", 6), (
        f"decode_string(b'\\x02\\x08Zo\\xc3\\xab', 1) is {got!r}, want ('Zoë', 6): the length "
        "(8, zigzag for 4) counts bytes, and ë is 2 bytes of UTF-8"
    )
    expect_error(
        answer,
        "BadAvro",
        "decode_string",
        b"\x0aord",
        0,
        why="the length says 5 bytes, and only 3 follow",
    )
