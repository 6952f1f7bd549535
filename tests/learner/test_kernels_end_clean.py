"""A notebook's kernel, stopped the way the tests' notebook runner stops it, leaves nothing
running: GoNB's gopls (started for completion) ends with its kernel (tests/plugins/kernels.py)."""

from __future__ import annotations

import time
from pathlib import Path

from nbval.kernel import RunningKernel

# GoNB starts gopls a moment after its first cell; and a kernel's end takes its shutdown time
PATIENCE = 30.0


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is pid, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_go_kernel_stopped_by_the_tests_leaves_no_gopls(tmp_path: Path) -> None:
    kernel = RunningKernel("gonb", cwd=str(tmp_path))
    try:
        kernel.kc.execute_interactive("%%\nfmt.Println(1)", timeout=120)
        pid = kernel.km.provisioner.process.pid
        deadline = time.monotonic() + PATIENCE
        gopls: list[int] = []
        while not gopls and time.monotonic() < deadline:
            gopls = [p for p, cmd in children(pid).items() if "gopls" in cmd]
            time.sleep(0.1)
        assert gopls, "GoNB started no gopls: this test no longer tests what it says"
    finally:
        kernel.stop()
    deadline = time.monotonic() + PATIENCE
    while any(alive(p) for p in gopls) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in gopls if alive(p)]
    assert left == [], f"gopls {left} outlived its kernel"
