"""Keep one PostgreSQL cluster running for a whole test session, for all its xdist workers.

    python -m tests.services.postgres.keeper STATE_DIR OWNER_PID

The first worker that needs PostgreSQL starts this program, detached (its own session),
under a lock (tests/plugins/postgres.py), as the Kafka plugin starts its keeper. It starts
the cluster (cluster.py), writes ``STATE_DIR/state.json`` (the URL, the server's pid, how
long it took) or, if it does not start, ``STATE_DIR/error.txt``, then waits. It stops the
cluster and exits on SIGTERM (the session's controller sends it at the end) or as soon as
OWNER_PID, the controller, is gone. Should this program itself be killed, the server gets
SIGQUIT from the kernel (cluster.py's parent-death signal) and exits at once.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from tests.services.kafka.keeper import ERROR, STATE, _terminate, alive, write_atomically

from .cluster import postgres_cluster


def main(argv: list[str]) -> int:
    state_dir, owner = Path(argv[0]), int(argv[1])
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with postgres_cluster() as cluster:
            state = {
                "url": cluster.url,
                "pid": cluster.pid,
                "keeper": os.getpid(),
                "seconds": cluster.seconds,
                "workdir": str(cluster.workdir),
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
