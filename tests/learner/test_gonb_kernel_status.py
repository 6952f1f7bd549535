"""A Go notebook's kernel is idle within seconds of starting: at the kernel (a fresh GoNB
answers kernel_info and reports idle) and where the learner sees it, JupyterLab's status bar.

JupyterLab takes a kernel's status only from the status messages of requests it tracks. It
does not track kernel_info, and the tracked request it sends when a notebook opens
(history_request) GoNB leaves unanswered, so a Go notebook read "Unknown" until its first
cell ran. `make setup` has the venv's Jupyter server track kernel_info."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from jupyter_client.manager import KernelManager
from lab_server import free_port, stop
from learner_workbook import WORKER_POOL

from tests.book.book_site import CHROMIUM, CHROMIUM_ARGS

# "Within a few seconds": from the kernel's start to its idle status, with room for two
# busy cores. GoNB itself answers in well under a second.
STARTUP = 10.0
# JupyterLab's own start and page load on a busy machine; not a timing assertion.
WAIT = 120.0
NOTEBOOK = f"exercises/{WORKER_POOL}/go/worker_pool.ipynb"
STATUS = re.compile(r"Go \(gonb\) \| ([A-Z][a-z]+)")  # "Idle", "Unknown", ... (one word)


def test_a_fresh_gonb_kernel_answers_kernel_info_idle_within_seconds():
    km = KernelManager(kernel_name="gonb")
    started = time.monotonic()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        replied = idle = None
        msg_ids: set[str] = set()
        # As the Jupyter server does: ask again every half second, since the first status
        # can go out before this client's iopub subscription is in place.
        while (replied is None or idle is None) and time.monotonic() - started < STARTUP:
            msg_ids.add(kc.kernel_info())
            until = time.monotonic() + 0.5
            while time.monotonic() < until and (replied is None or idle is None):
                try:
                    msg = kc.get_iopub_msg(timeout=0.05)
                    if (
                        msg["msg_type"] == "status"
                        and msg["content"]["execution_state"] == "idle"
                        and msg["parent_header"].get("msg_id") in msg_ids
                    ):
                        idle = idle or time.monotonic() - started
                except queue.Empty:
                    pass
                try:
                    msg = kc.get_shell_msg(timeout=0.05)
                    if msg["msg_type"] == "kernel_info_reply":
                        replied = replied or time.monotonic() - started
                        assert msg["content"]["language_info"]["name"] == "go"
                except queue.Empty:
                    pass
        assert replied is not None, f"no kernel_info_reply within {STARTUP} s of the start"
        assert idle is not None, f"no idle status within {STARTUP} s of the start"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)  # a kill would leave its gopls running


def test_jupyterlab_shows_a_go_notebook_idle_within_seconds(workbook, tmp_path):
    # The venv's JupyterLab, as `make lab` starts it, but on a learner's copy of the
    # workbook: opening a notebook writes a checkpoint next to it.
    port, token = free_port(), "twinbook-test"
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
    )
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={workbook}",
            f"--IdentityProvider.token={token}",
        ],
        cwd=workbook,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + WAIT
        while True:
            assert proc.poll() is None, "jupyter lab exited"
            assert time.monotonic() < deadline, "JupyterLab did not answer"
            try:
                urllib.request.urlopen(f"{base}/api?token={token}", timeout=5).close()
                break
            except OSError:
                time.sleep(0.5)
        # Playwright's sync API on a thread of its own (tests/book/conftest.py says why).
        with ThreadPoolExecutor(max_workers=1) as pool:
            seen = pool.submit(_statuses, f"{base}/lab/tree/{NOTEBOOK}?token={token}").result()
    finally:
        stop(proc)
    started = next((t for t, _ in seen), None)
    assert started is not None, f"the Go kernel never showed in the status bar: {seen}"
    idle = next((t for t, status in seen if status == "Idle"), None)
    assert idle is not None and idle - started <= STARTUP, (
        f"the Go kernel's status, by seconds since it showed: "
        f"{[(round(t - started, 1), s) for t, s in seen]}"
    )


def _statuses(url: str) -> list[tuple[float, str]]:
    """Open url in Chromium; every change of the Go kernel's status in the status bar, with
    its time, until the status has been Idle or the wait is over."""
    from playwright.sync_api import sync_playwright

    seen: list[tuple[float, str]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                bar = page.locator("#jp-main-statusbar").text_content() or ""
                match = STATUS.search(bar)
                if match and (not seen or seen[-1][1] != match.group(1)):
                    seen.append((time.monotonic(), match.group(1)))
                if seen and (seen[-1][1] == "Idle" or time.monotonic() - seen[0][0] > STARTUP):
                    break
                time.sleep(0.2)
        finally:
            browser.close()
    return seen
