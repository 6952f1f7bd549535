"""``make postgres``: a throwaway PostgreSQL 15 cluster in the foreground until Ctrl-C.

python -m tests.services.postgres
"""

from __future__ import annotations

import signal
import sys
import threading

from .cluster import ClusterError, postgres_cluster


def main() -> int:
    stop = threading.Event()
    # SIGTERM stops it as Ctrl-C does: the with block's exit stops the server.
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    print("postgres: starting a throwaway PostgreSQL 15 cluster (loopback)...", flush=True)
    try:
        with postgres_cluster() as cluster:
            print(f"TWINBOOK_PG={cluster.url}", flush=True)
            print(
                f"postgres: ready in {cluster.seconds}s, data in {cluster.workdir} "
                "(removed when it stops)\n"
                f"postgres: in another shell: export TWINBOOK_PG='{cluster.url}'"
                "   (Ctrl-C stops)",
                flush=True,
            )
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
            print("postgres: stopping", flush=True)
    except ClusterError as exc:
        print(f"postgres: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # while starting: the with block has stopped it already
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
