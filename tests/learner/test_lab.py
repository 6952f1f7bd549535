"""`make lab`: JupyterLab from .venv, on loopback, with both kernels (python3 and gonb)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from lab_server import free_port, stop

from tests.repo import ROOT

WAIT = 120  # seconds for JupyterLab to answer on a busy machine; not a timing assertion


def test_make_lab_serves_both_kernels_on_loopback(tmp_path):
    port = free_port()
    token = "twinbook-test"
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
    )
    proc = subprocess.Popen(
        [
            "make",
            "-o",
            "setup",
            "lab",
            f"LAB_PORT={port}",
            f"LAB_ARGS=--no-browser --IdentityProvider.token={token} --ServerApp.port_retries=0",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        specs = None
        deadline = time.monotonic() + WAIT
        while specs is None:
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "JupyterLab did not answer"
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/kernelspecs?token={token}", timeout=5
                ) as r:
                    specs = json.load(r)["kernelspecs"]
            except OSError:
                time.sleep(0.5)
        assert {"python3", "gonb"} <= set(specs)
        venv_bin = Path(sys.executable).parent
        assert Path(specs["gonb"]["spec"]["argv"][0]) == venv_bin / "gonb"
        assert specs["python3"]["spec"]["language"] == "python"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as r:
            assert r.status == 200 and b"JupyterLab" in r.read()
        # loopback only: every listening socket on the port is bound to 127.0.0.1 (or ::1)
        local = _listening(port)
        assert local and local <= {"0100007F", "00000000000000000000000001000000"}, (
            local
        )  # 127.0.0.1, ::1
    finally:
        stop(proc)


def _listening(port: int) -> set[str]:
    """Hex local addresses of the sockets listening on ``port`` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found
