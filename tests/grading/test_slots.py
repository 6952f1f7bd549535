"""Sandbox slots are leased: the test process's slots are its own, and a grader that asks
for slots while they are held gets others."""

from __future__ import annotations

import os
import subprocess
import sys

from twinbook.grading import sandbox

TRY_LEASE = """
import sys
from twinbook.grading import sandbox
with sandbox.lease_slots(2, start=int(sys.argv[1])) as leased:
    print(*leased)
"""


def _leased_by_another_process(start: int, env: dict[str, str] | None = None) -> set[int]:
    other = subprocess.run(
        [sys.executable, "-c", TRY_LEASE, str(start)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    return {int(s) for s in other.stdout.split()}


def test_the_sessions_slots_are_leased_to_this_process(slots):
    assert len(set(slots)) == 2
    assert all(0 <= s < sandbox.MAX_SLOTS for s in slots), slots
    theirs = _leased_by_another_process(min(slots))
    assert len(theirs) == 2 and not theirs & set(slots), (
        f"another process leased {theirs}, ours are {slots}"
    )


def test_a_lease_is_given_back_when_the_block_ends():
    with sandbox.lease_slots(1, start=3000) as first:
        pass
    with sandbox.lease_slots(1, start=first[0]) as again:
        assert again == first


def test_graders_with_different_tmpdirs_share_one_lease_folder(slots, tmp_path):
    """Leases live in one place for the machine: a grader whose TMPDIR differs must still
    see our leases (or two graders would run students in the same uid)."""
    theirs = _leased_by_another_process(min(slots), {**os.environ, "TMPDIR": str(tmp_path)})
    assert len(theirs) == 2 and not theirs & set(slots), (
        f"with TMPDIR={tmp_path} another process leased {theirs}, ours are {slots}"
    )
    assert list(tmp_path.iterdir()) == []
