"""Helpers the tests of this chapter's exercises share. The checker places this file beside an
exercise's tests, so a test file imports it: ``from chapter_helpers import expect_read``.
"""

import json

from twinbook.runner.plain import plain

# --- 01-avro-compatibility ---


def show(schema):
    """A schema as the JSON a message shows it in."""
    return json.dumps(schema, separators=(",", ":"))


def read(answer, reader, writer):
    """``answer.can_read(reader, writer)`` on fresh copies of both schemas (an answer that
    changes them cannot change the next test's), checked to be exactly True or False. An
    exception of the learner's code is a failed test that names the call, not a traceback."""
    call = f"can_read(reader={show(reader)}, writer={show(writer)})"
    try:
        got = answer.can_read(json.loads(show(reader)), json.loads(show(writer)))
    except Exception as exc:  # the learner's code: any exception is a finding
        raise AssertionError(f"{call} raised {type(exc).__name__}: {exc}") from None
    assert type(got) is bool, f"{call} returned {got!r}: want True or False"
    return plain(got)


def expect_read(answer, reader, writer, want, why):
    """``can_read(reader, writer)`` must be ``want``; ``why`` is the rule that says so."""
    got = read(answer, reader, writer)
    assert got == want, (
        f"can_read(reader={show(reader)}, writer={show(writer)}) is {got}, want {want}: {why}"
    )


def replay(answer, case):
    """Replay one avro_resolution conformance vector (a case of the project's Avro vectors,
    which the hidden tests carry): ``can_read(reader, writer)`` must be ``compatible``."""
    unknown = set(case) - {"name", "reader", "writer", "compatible"}
    assert not unknown, f"{case.get('name')}: keys the replayer does not know: {sorted(unknown)}"
    expect_read(answer, case["reader"], case["writer"], case["compatible"], case["name"])
