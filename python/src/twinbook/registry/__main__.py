"""``python -m twinbook.registry --kafka HOST:PORT [--port 0] [--topic _schemas]``: the
registry over a compacted Kafka topic (the Go twin is ``go/cmd/twinbook-registry``).

Once the topic is read to its end it prints one line, ``registry: http://127.0.0.1:PORT``,
and serves until SIGTERM or SIGINT or until its standard input, when that is a pipe,
closes (so that it ends with the program that started it, even one killed with SIGKILL). A broker that does not answer within ``--timeout``
ends it with status 1 and a message naming the broker."""

from __future__ import annotations

import argparse
import os
import socket
import stat
import sys
import threading

import uvicorn

from .checker import AvroChecker
from .errors import KafkaUnavailableError
from .http import create_app
from .kafkastore import DEFAULT_TOPIC, KafkaStore
from .service import Service


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twinbook.registry", description=__doc__)
    parser.add_argument("--kafka", default=os.environ.get("TWINBOOK_KAFKA", ""))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--topic", default=DEFAULT_TOPIC)
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for the broker"
    )
    args = parser.parse_args(argv)
    if not args.kafka:
        print("twinbook-registry: --kafka (or $TWINBOOK_KAFKA) is required", file=sys.stderr)
        return 2
    try:
        store = KafkaStore.open(args.kafka, args.topic, args.timeout)
        svc = Service.open(store, AvroChecker(), args.timeout)
    except (KafkaUnavailableError, TimeoutError, RuntimeError) as err:
        print(f"twinbook-registry: {err}", file=sys.stderr)
        return 1
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # No Nagle: uvicorn writes a response's headers and body separately, and with Nagle on,
    # the body waits for the client's delayed ACK of the headers (40 ms a request on a
    # keep-alive connection: 21 lookups/s instead of hundreds per client). Accepted
    # sockets inherit the option from the listening one.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((args.host, args.port))
    sock.listen(1024)
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        create_app(svc),
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
    )
    server = uvicorn.Server(config)

    def watch_stdin() -> None:
        # Standard input closing (the parent gone) stops the server too.
        while sys.stdin.buffer.read(4096):
            pass
        server.should_exit = True

    # Only a pipe is watched: a terminal or /dev/null on stdin is not a parent's lifeline
    # (/dev/null would end the server at once).
    if stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"registry: http://{host}:{port}", flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
