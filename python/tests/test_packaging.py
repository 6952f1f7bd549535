"""The wheel a library user installs: typed (PEP 561), and free of the tooling's dependencies."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

PYTHON = Path(__file__).resolve().parents[1]
TOOLING = {"typer", "rich", "watchfiles", "nbformat", "pytest", "nbclient", "jupyterlab"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(out), str(PYTHON)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("twinbook-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_marks_the_package_typed(wheel: zipfile.ZipFile) -> None:
    assert "twinbook/py.typed" in wheel.namelist()


def test_the_base_install_needs_none_of_the_tooling(wheel: zipfile.ZipFile) -> None:
    (meta,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    headers = Parser().parsestr(wheel.read(meta).decode())
    base = {
        req.split("==")[0].split(">")[0].split(";")[0].strip().lower()
        for req in headers.get_all("Requires-Dist") or []
        if "extra ==" not in req
    }
    assert base, "the library has dependencies of its own (httpx, grpcio, protobuf)"
    assert base & TOOLING == set(), f"the base install pulls in tooling: {base & TOOLING}"
