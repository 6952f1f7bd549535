"""Keep one real Kafka running for a whole test session, for all its xdist workers.

    python -m tests.services.kafka.keeper STATE_DIR OWNER_PID

The first worker that needs the real broker starts this program, detached (its own
session), under a lock (tests/plugins/kafka.py). It starts Kafka, writes
``STATE_DIR/state.json`` (the address, the JVM's pid, how long it took) or, if Kafka does
not start, ``STATE_DIR/error.txt``, then waits. It stops Kafka and exits on SIGTERM (the
session's controller sends it at the end) or as soon as OWNER_PID, the controller, is
gone: a session killed with SIGKILL leaves no JVM behind either. And should this program
itself be killed, the JVM gets SIGKILL from the kernel (apache.py's parent-death signal).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from .apache import apache_kafka

STATE = "state.json"
ERROR = "error.txt"


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _terminate(signum: int, frame: FrameType | None) -> None:
    # Raised wherever the keeper is, starting or waiting: apache_kafka's cleanup runs.
    raise SystemExit(0)


def main(argv: list[str]) -> int:
    state_dir, owner = Path(argv[0]), int(argv[1])
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with apache_kafka() as kafka:
            state = {
                "addr": kafka.addr,
                "pid": kafka.pid,
                "keeper": os.getpid(),
                "seconds": kafka.seconds,
                "workdir": str(kafka.workdir),
            }
            write_atomically(state_dir / STATE, json.dumps(state))
            while alive(owner):
                time.sleep(0.25)
    except SystemExit:
        raise
    except BaseException as exc:
        write_atomically(state_dir / ERROR, f"{type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
