"""The Go mutation operators: an adapter for ``go/cmd/twinbook-mutate``.

That program parses the answer file with go/parser and prints its mutants as JSON (byte
offsets); this module runs it and turns them into :class:`~.mutant.Edit` s. It is built
once per source and Go version into the user's cache, as the answer vetter is.
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

from twinbook import _goprograms

from .mutant import Edit, byte_offsets_to_chars


def _program_dir() -> Path:
    import twinbook

    return Path(twinbook.__file__).resolve().parents[3] / "go" / "cmd" / "twinbook-mutate"


@functools.cache
def mutator_binary() -> str:
    """The twinbook-mutate program, built once per source and Go version."""
    src = _program_dir()
    sources = sorted(p for p in src.glob("*.go") if not p.name.endswith("_test.go"))
    if not sources:
        raise FileNotFoundError(f"{src}: the Go mutator's source is not there")
    return _goprograms.cached_program("twinbook-mutate", sources)


def go_edits(source: str) -> list[Edit]:
    """Every edit of the Go operators on the answer file ``source`` (character offsets)."""
    proc = subprocess.run(
        [mutator_binary()], input=source.encode("utf-8"), capture_output=True, timeout=60
    )
    if proc.returncode != 0:
        raise RuntimeError(f"twinbook-mutate failed: {proc.stderr.decode().strip()}")
    raw = json.loads(proc.stdout) or []
    edits = [
        Edit(
            operator=m["operator"],
            start=m["start"],
            end=m["end"],
            replacement=m["replacement"],
            description=m["description"],
            label=m.get("label", ""),
            shown=m.get("shown", ""),
            context_start=m.get("context_start", -1),
            context_end=m.get("context_end", -1),
        )
        for m in raw
    ]
    return byte_offsets_to_chars(source, edits)
