"""The outbox's backlog, lag and parked events and the inbox's counts as metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from opentelemetry.metrics import CallbackOptions, Meter, Observation

from twinbook import outbox
from twinbook.inbox import Inbox
from twinbook.store import Store

METRIC_OUTBOX_BACKLOG = "outbox.backlog"
METRIC_OUTBOX_LAG = "outbox.lag"
METRIC_OUTBOX_PARKED = "outbox.parked"
METRIC_INBOX_APPLIED = "inbox.applied"
METRIC_INBOX_DUPLICATES = "inbox.duplicates"


def observe_outbox(meter: Meter, store: Store, now_ms: Callable[[], int]) -> None:
    """Register gauges of ``store``'s outbox on ``meter``, read at each collection from
    :func:`twinbook.outbox.backlog`, :func:`~twinbook.outbox.lag` (at ``now_ms()``, in
    seconds) and :func:`~twinbook.outbox.parked`: nothing is counted twice, and a relay
    in another process is measured as well as one in this. Shut the meter provider down
    before closing the store."""

    def backlog(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(outbox.backlog(store))

    def lag(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(outbox.lag(store, now_ms()) / 1000)

    def parked(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(outbox.parked(store))

    meter.create_observable_gauge(
        METRIC_OUTBOX_BACKLOG, [backlog], unit="{event}", description="Events in the outbox."
    )
    meter.create_observable_gauge(
        METRIC_OUTBOX_LAG,
        [lag],
        unit="s",
        description="Age of the oldest event waiting in the outbox (0 when empty).",
    )
    meter.create_observable_gauge(
        METRIC_OUTBOX_PARKED,
        [parked],
        unit="{event}",
        description="Events parked as poison or corrupt, waiting for a person.",
    )


def observe_inbox(meter: Meter, inbox: Inbox) -> None:
    """Register counters of ``inbox`` on ``meter``, attributed to its consumer
    (``messaging.consumer.group.name``): messages applied and duplicates absorbed."""
    attributes = {"messaging.consumer.group.name": inbox.consumer}

    def applied(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(inbox.applied, attributes)

    def duplicates(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(inbox.duplicates, attributes)

    meter.create_observable_counter(
        METRIC_INBOX_APPLIED, [applied], unit="{message}", description="Messages applied."
    )
    meter.create_observable_counter(
        METRIC_INBOX_DUPLICATES,
        [duplicates],
        unit="{message}",
        description="Redelivered messages the inbox absorbed without applying them.",
    )
