"""``make kafka``: a real Apache Kafka in the foreground until Ctrl-C.

python -m tests.services.kafka
"""

from __future__ import annotations

import signal
import sys
import threading

from .apache import apache_kafka
from .jars import JarsMissing


def main() -> int:
    stop = threading.Event()
    # SIGTERM stops it as Ctrl-C does: the with block's exit stops the JVM.
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    print("kafka: starting Apache Kafka 4.4.0 (KRaft, one node, loopback)...", flush=True)
    try:
        with apache_kafka() as kafka:
            print(f"kafka: {kafka.addr}", flush=True)
            print(
                f"kafka: ready in {kafka.seconds}s, log in {kafka.workdir / 'server.log'}\n"
                f"kafka: in another shell: export TWINBOOK_KAFKA={kafka.addr}   (Ctrl-C stops)",
                flush=True,
            )
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
            print("kafka: stopping", flush=True)
    except (JarsMissing, RuntimeError) as exc:
        print(f"kafka: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # while starting: the with block has stopped it already
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
