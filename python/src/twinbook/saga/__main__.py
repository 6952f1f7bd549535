"""``python -m twinbook.saga --store URL [--sagas N]``: the saga crash demo (see
:mod:`twinbook.saga.demo`). Each start resumes what a killed run left unfinished, runs sagas
``s0`` to ``s(N-1)`` (a finished one returns at once) and prints one JSON line,
``{"completed": C, "compensated": K}``."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from twinbook.store import StoreError, connect

from .demo import orchestrator
from .progress import State


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twinbook.saga", description=__doc__)
    parser.add_argument("--store", required=True, help="sqlite:PATH or postgres://...")
    parser.add_argument("--sagas", type=int, default=40, help="how many sagas to run")
    args = parser.parse_args(argv)
    try:
        with connect(args.store) as store:
            o = orchestrator(store)
            o.resume()
            counts = Counter(o.run(f"s{i}") for i in range(args.sagas))
    except StoreError as exc:
        print(f"twinbook.saga: {exc}", file=sys.stderr)
        return 1
    done = {"compensated": counts[State.COMPENSATED], "completed": counts[State.COMPLETED]}
    print(json.dumps(done, separators=(",", ":")))  # byte for byte the Go twin's line
    return 0


if __name__ == "__main__":
    sys.exit(main())
