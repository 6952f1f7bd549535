"""Notebook kernels end gracefully in the tests, so that nothing they started is left running.

nbval stops a notebook's kernel with ``shutdown_kernel(now=True)``, a SIGKILL: GoNB then has no
chance to stop the gopls it starts for completion, which outlived every Go notebook of a run
(found as a dozen gopls processes after one). A shutdown request first lets the kernel end
its own children, as JupyterLab's "Shut Down Kernel" does; jupyter_client still kills a
kernel that has not exited after its ``shutdown_wait_time``.
"""

from __future__ import annotations

from typing import Any

import pytest


def stop_gracefully(self: Any) -> None:
    """nbval's RunningKernel.stop, with a shutdown request instead of a kill."""
    self.kc.stop_channels()
    self.km.shutdown_kernel(now=False)
    del self.km


def pytest_configure(config: pytest.Config) -> None:
    try:
        from nbval import kernel
    except ImportError:  # nbval is not installed: there is nothing to change
        return
    kernel.RunningKernel.stop = stop_gracefully
