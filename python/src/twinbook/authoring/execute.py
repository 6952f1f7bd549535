"""Execute a notebook in place, deterministically enough for nbval's strict mode."""

from __future__ import annotations

from pathlib import Path

from twinbook.exercises.notebook import read_notebook, write_notebook


def execute_notebook(
    path: str | Path, *, timeout: int = 300, kernel_name: str | None = None
) -> None:
    """Run every cell with the notebook's kernel, cwd = the notebook's folder, and save it
    with its outputs (no timing metadata, the fixed twinbook serialisation)."""
    import nbclient

    path = Path(path).resolve()
    nb = read_notebook(path)
    kernel = kernel_name or (nb.metadata.get("kernelspec") or {}).get("name") or "python3"
    client = nbclient.NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    write_notebook(nb, path)
