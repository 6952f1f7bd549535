"""Differential tests: our checkers against the peers, on generated schema pairs.

On the same (reader, writer) pairs (``pairs.py``: a random writer, a reader made from it):
the Python checker agrees with Apache Avro 1.12.2's ``avro.compatibility``
(``ReaderWriterCompatibilityChecker``), the Go checker with hamba/avro v2.31.0's
``Compatible``, and Go with Python, down to the canonical form of each schema. The Go side
is one process for all the pairs (``go/schema/internal/pairs``: a JSON line in, a JSON line
out). The examples are derandomized, so a run is reproducible and CI sees the same pairs.
Where a peer departs from the spec, the generator avoids the shape and a vector pins the
spec's answer instead (tests/vectors/README.md, "Where the peers depart from the spec").
"""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import avro.compatibility
import avro.errors
import avro.schema
import pytest
from hypothesis import HealthCheck, given, settings

from twinbook.schema import can_read, parse

from .pairs import schema_pairs

GO_MODULE = Path(__file__).resolve().parents[3] / "go"
PAIRS = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def apache_can_read(reader: str, writer: str) -> bool:
    with warnings.catch_warnings():  # "Unknown logical type": not ours to report
        warnings.simplefilter("ignore", avro.errors.IgnoredLogicalType)
        r, w = avro.schema.parse(reader), avro.schema.parse(writer)
    checker = avro.compatibility.ReaderWriterCompatibilityChecker()
    result = checker.get_compatibility(r, w)
    return result.compatibility is avro.compatibility.SchemaCompatibilityType.compatible


@PAIRS
@given(schema_pairs())
def test_python_agrees_with_apache_avro(pair: tuple[Any, Any]) -> None:
    reader, writer = (json.dumps(s) for s in pair)
    ours = can_read(parse(reader), parse(writer))
    assert ours == apache_can_read(reader, writer), f"reader {reader}\nwriter {writer}"


class GoPairs:
    """The Go program, started once: ask it about one pair at a time."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc

    def ask(self, reader: str, writer: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"reader": reader, "writer": writer}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()  # "" if it died: EOF, not a hang
        assert line, f"the Go pairs program ended (exit {self.proc.poll()})"
        answer: dict[str, Any] = json.loads(line)
        return answer


@pytest.fixture(scope="module")
def go_pairs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoPairs]:
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not on PATH")
    program = tmp_path_factory.mktemp("pairs") / "pairs"
    subprocess.run(
        [go, "build", "-o", str(program), "./schema/internal/pairs"],
        cwd=GO_MODULE,
        check=True,
        timeout=600,
    )
    proc = subprocess.Popen(
        [str(program)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        yield GoPairs(proc)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


@PAIRS
@given(pair=schema_pairs())
def test_go_agrees_with_hamba_and_with_python(go_pairs: GoPairs, pair: tuple[Any, Any]) -> None:
    reader, writer = (json.dumps(s) for s in pair)
    answer = go_pairs.ask(reader, writer)
    where = f"reader {reader}\nwriter {writer}\n{answer}"
    r, w = parse(reader), parse(writer)
    assert answer["ours"] is not None, where
    assert answer["ours"] == answer["hamba"], where
    assert answer["ours"] == can_read(r, w), where
    assert (answer["reader_canonical"], answer["writer_canonical"]) == (r.canonical, w.canonical)
