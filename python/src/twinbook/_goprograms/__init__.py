"""The project's Go programs (``go/cmd/NAME``), built once and cached, for the library.

The library starts some of its Go twins as processes (chapter 4's embedded broker and the
Go registry); the tooling (the grader's vetter, the mutation tool) builds its own Go
programs the same way. The build lives here, below both, so that the library never
imports the tooling.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

__all__ = ["cached_program", "go_binary"]

_build_lock = threading.Lock()


def go_binary() -> str:
    """The go command: on PATH, else where Go's installer puts it."""
    found = shutil.which("go") or (
        "/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None
    )
    if not found:
        raise FileNotFoundError("the go command was not found on PATH")
    return found


def cached_program(name: str, sources: list[Path]) -> str:
    """The project's Go program ``go/cmd/NAME``, built once per source and Go version into
    the user's cache (``~/.cache/twinbook/NAME-<digest>``) and reused by every later run;
    ``sources`` are the files whose bytes decide when to build again (the first one's
    grandparent's parent is the Go module: ``go/cmd/NAME/main.go``)."""
    go = go_binary()
    version = subprocess.run(
        [go, "env", "GOVERSION"], capture_output=True, text=True, check=True
    ).stdout.strip()
    digest = hashlib.sha256(version.encode())
    for path in sources:
        digest.update(path.read_bytes())
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "twinbook"
    binary = cache / f"{name}-{digest.hexdigest()[:16]}"
    with _build_lock:
        if binary.is_file() and binary.stat().st_uid == os.getuid():
            return str(binary)
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            out = Path(tmp) / name
            env = dict(os.environ)
            env.update(GOTOOLCHAIN="local", GOWORK="off", CGO_ENABLED="1")
            env.pop("GOFLAGS", None)
            subprocess.run(
                [go, "build", "-o", str(out), f"./cmd/{name}"],
                cwd=sources[0].parents[2],
                env=env,
                check=True,
                capture_output=True,
                timeout=300,
            )
            os.replace(out, binary)
    return str(binary)
