"""Completion in a Go notebook, through the real GoNB kernel: GoNB answers a
``complete_request`` by asking gopls, which `make setup` installs next to gonb (.venv/bin,
first on the kernel's PATH). Without gopls every answer is empty."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager, start_new_kernel

# gopls starts with the kernel and loads the cell's package on the first request: seconds
# on a quiet machine, more on two busy cores. Not a timing assertion.
WAIT = 120

CELL = 'import "strings"\n\nfunc shout(s string) string {\n\treturn strings.ToU'


@pytest.fixture
def gonb() -> Iterator[tuple[KernelManager, BlockingKernelClient]]:
    km, kc = start_new_kernel(kernel_name="gonb", startup_timeout=WAIT)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)  # a kill would leave its gopls running


def _complete(kc: BlockingKernelClient, code: str) -> dict:
    msg_id = kc.complete(code, len(code))
    while True:
        reply = kc.get_shell_msg(timeout=WAIT)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def test_a_go_cell_completes_with_gopls(gonb):
    _, kc = gonb
    deadline = time.monotonic() + WAIT
    content = _complete(kc, CELL)
    # GoNB gives gopls a few seconds to start and answers empty meanwhile: ask again, as a
    # learner pressing Tab again would, until gopls answers or the time is up.
    while not content["matches"] and time.monotonic() < deadline:
        time.sleep(1)
        content = _complete(kc, CELL)
    assert content["status"] == "ok", content
    assert "ToUpper" in content["matches"], content
    # the replaced text is what was typed after the dot
    assert (content["cursor_start"], content["cursor_end"]) == (len(CELL) - 3, len(CELL))
