"""Helpers for the tests that start `make lab`: a free loopback port, and stopping make
with the JupyterLab it started. A module of its own (not conftest) so that tests import it
by a name no other test folder uses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """End a process the test started in a session of its own (make, jupyter), and all
    that it started."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=30)
            break
        except subprocess.TimeoutExpired:
            continue
    proc.wait()
