"""The sandbox slots of this test process are its own: no other process holds them."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from twinbook.grading import sandbox

TRY_LEASE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(3)
"""


def test_the_sessions_slots_are_leased_to_this_process(slots):
    assert len(set(slots)) == 2
    assert all(100 <= s < sandbox.MAX_SLOTS for s in slots), slots  # clear of `grade`'s 0..N-1
    for slot in slots:
        lock = Path(tempfile.gettempdir()) / "twinbook-test-slots" / f"{slot}.lock"
        other = subprocess.run([sys.executable, "-c", TRY_LEASE, str(lock)], timeout=60)
        assert other.returncode == 3, f"another process could lease slot {slot}"
