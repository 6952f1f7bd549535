"""Which code a Python kernel last ran for each answer cell.

The notebook's check runs the tests against the kernel's names. When the learner's latest
run of the answer cell failed to compile, those names are the ones an earlier run defined,
and the check would test an answer that is no longer on the screen. IPython keeps every
input it ran (``history_manager.input_hist_raw``) but not which cell it came from, so an
answer cell's latest run is the latest input that declares (``def``/``class`` at the top
level, read from the text: an input that does not parse still counts) a name the saved
answer cell declares; the saved notebook only says which names those are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_TOP_DECL = re.compile(r"^(?:async\s+def|def|class)\s+(\w+)", re.M)


def declared(source: str) -> set[str]:
    """Names ``source`` defines with a top-level ``def`` or ``class`` (read as text)."""
    return set(_TOP_DECL.findall(source))


def latest_runs(saved_cells: Sequence[str], inputs: Sequence[str]) -> list[str] | None:
    """For each saved answer cell, the latest of ``inputs`` (oldest first, the running
    check cell left out) that declares one of its names; None when some answer cell with
    names was never run (the check then tests whatever the kernel holds)."""
    runs = []
    for cell in saved_cells:
        names = declared(cell)
        if not names:
            continue
        latest = next((text for text in reversed(inputs) if declared(text) & names), None)
        if latest is None:
            return None
        runs.append(latest)
    return list(dict.fromkeys(runs)) or None
