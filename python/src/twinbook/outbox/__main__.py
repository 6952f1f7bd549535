"""``python -m twinbook.outbox``: a relay as a process, from a store's outbox to Kafka.

It creates the outbox tables when they do not exist, prints ``ready`` once it relays,
and runs until SIGTERM or SIGINT (the kill -9 tests end it any other way and start it
again, which is what the outbox must survive). Bad arguments exit 2, a store it cannot
open exits 1. ``--bootstrap`` defaults to ``TWINBOOK_KAFKA``. The Go twin is
``go/cmd/twinbook-relay``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from twinbook.kafka import from_env
from twinbook.store import StoreError, connect

from .kafka import KafkaPublisher
from .relay import Relay, RelayConfig
from .schema import migrate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twinbook.outbox")
    parser.add_argument("--store", required=True, help="sqlite:PATH or postgres://...")
    parser.add_argument("--bootstrap", default=from_env(), help="a Kafka broker's host:port")
    parser.add_argument("--batch", type=int, default=100, help="events per transaction")
    parser.add_argument("--poll", type=float, default=0.02, help="seconds of pause when idle")
    args = parser.parse_args(argv)
    if not args.bootstrap:
        parser.error("--bootstrap (or TWINBOOK_KAFKA) is required")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        store = connect(args.store)
    except StoreError as exc:
        print(f"twinbook-relay: {exc}", file=sys.stderr)
        return 1
    try:
        migrate(store)
        publisher = KafkaPublisher(args.bootstrap)
        relay = Relay(
            store,
            publisher,
            RelayConfig(
                batch_size=args.batch,
                poll_interval=args.poll,
                on_error=lambda exc: print(f"twinbook-relay: {exc}", file=sys.stderr),
            ),
        )
        print("ready", flush=True)
        relay.run(stop)
        publisher.close()
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
