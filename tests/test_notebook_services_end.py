"""Chapter 4's and chapter 5's Python notebooks leave no broker or registry running when
their kernel ends, even after a cell failed before the last one (the one that stops them).

The notebook starts the embedded broker (``twinbook-kafka``) and the registry
(``python -m twinbook.registry``) as child processes of its kernel, owned by an
``ExitStack`` that ``atexit`` closes when the kernel ends normally (the tests' kernels
get a shutdown request: tests/plugins/kernels.py); a kernel killed outright cannot run
``atexit``, and then the programs end because their stdin, a pipe from the kernel, closes.
This test runs the notebook's own first cells, fails a cell, ends the kernel both ways,
and waits (with a deadline) for the programs to be gone.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from nbval.kernel import RunningKernel

from tests.repo import ROOT

#: Each notebook, with the programs its setup cells start (chapter 5's relays are started
#: later, in section 3, and stopped there or by the same ExitStack).
NOTEBOOKS = {
    "ch04": (ROOT / "notebooks" / "ch04-events" / "events_python.ipynb", 2),
    "ch05": (ROOT / "notebooks" / "ch05-outbox" / "outbox_python.ipynb", 1),
}
PATIENCE = 30.0
PROGRAMS = ("twinbook-kafka", "twinbook.registry")


def setup_cells(notebook: Path) -> list[str]:
    """The notebook's code up to and including the cell that starts the services."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    last = next(i for i, source in enumerate(code) if "services.enter_context" in source)
    return code[: last + 1]


def services(pid: int) -> dict[int, str]:
    """The children of pid that are the chapter's programs, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and any(name in cmdline for name in PROGRAMS):
            found[int(entry.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("chapter", sorted(NOTEBOOKS))
@pytest.mark.parametrize("end", ["shutdown", "kill"])
def test_the_services_end_with_the_kernel_after_a_failed_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str, chapter: str
) -> None:
    notebook, programs = NOTEBOOKS[chapter]
    monkeypatch.delenv("TWINBOOK_KAFKA", raising=False)  # the embedded broker, started here
    kernel = RunningKernel("python3", cwd=str(tmp_path), startup_timeout=120)
    started: dict[int, str] = {}
    try:
        for source in setup_cells(notebook):
            reply = kernel.kc.execute_interactive(source, timeout=120, output_hook=lambda _: None)
            assert reply["content"]["status"] == "ok", source
        failed = kernel.kc.execute_interactive("1 / 0", timeout=30, output_hook=lambda _: None)
        assert failed["content"]["status"] == "error"
        pid = kernel.km.provisioner.process.pid
        started = services(pid)
        assert len(started) == programs, f"expected {programs} programs, found {started}"
        if end == "kill":
            os.kill(pid, signal.SIGKILL)
    finally:
        kernel.stop()
    deadline = time.monotonic() + PATIENCE
    while any(alive(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = {p: cmd for p, cmd in started.items() if alive(p)}
    assert left == {}, f"outlived their kernel ({end}): {left}"
