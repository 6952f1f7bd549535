"""``python -m twinbook.outbox``: what it refuses, at once, saying why."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["--bootstrap", "127.0.0.1:1"], 2, "--store"),
        (["--store", "sqlite:/tmp/x.db"], 2, "--bootstrap"),
        (["--store", "mysql://x", "--bootstrap", "127.0.0.1:1"], 1, "mysql"),
    ],
    ids=["no store", "no broker", "bad store URL"],
)
def test_the_relay_program_refuses_bad_arguments(args: list[str], code: int, said: str) -> None:
    env = {**os.environ, "TWINBOOK_KAFKA": ""}
    done = subprocess.run(
        [sys.executable, "-m", "twinbook.outbox", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == code
    assert said in done.stderr and "Traceback" not in done.stderr
