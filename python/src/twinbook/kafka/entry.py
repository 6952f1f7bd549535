"""The one entry point: a bootstrap server for the chapter's code, real or embedded."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .embedded import Config, start
from .env import from_env


@contextlib.contextmanager
def bootstrap(config: Config | None = None) -> Iterator[str]:
    """Yield a bootstrap server: ``TWINBOOK_KAFKA``'s when it is set (that broker is not
    ours: nothing is started or stopped), else an embedded broker's, started for the
    ``with`` block and stopped when it ends, however it ends. ``config`` says how to run
    the embedded one (it is ignored for a real broker, whose settings are its own).

    Raises :class:`~twinbook.kafka.StartError` when the embedded broker cannot start.
    """
    # docs:start bootstrap
    named = from_env()
    if named is not None:
        yield named  # a real broker, shared: not ours to stop
        return
    with start(config or Config()) as broker:
        yield broker.addr
    # docs:end bootstrap
