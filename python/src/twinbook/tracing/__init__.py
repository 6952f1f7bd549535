"""One OpenTelemetry trace per order across chapter 5's asynchronous flow.

The HTTP request that writes an order and its outbox row, the relay that publishes the
row to Kafka and the consumer that applies it through an inbox share one trace. W3C
Trace Context's ``traceparent`` crosses each gap: the request's span context goes into
the outbox row's headers (:func:`headers`), the relay's producer span replaces it in the
Kafka message's headers (:class:`Publisher`), and the consumer's span continues from
there (:class:`Consumer`). The Go twin is ``go/tracing``.

A package of its own beside :mod:`twinbook.outbox` and :mod:`twinbook.inbox` rather
than code inside them: those stay free of OpenTelemetry (the outbox only carries
headers, and its ``Publisher`` protocol is the hook a decorator needs).

Spans follow OpenTelemetry's messaging semantic conventions: the relay's is of kind
PRODUCER, named ``send <topic>``, a child of the request's span; the consumer's is of
kind CONSUMER, named ``process <topic>``, a child of the producer span (one message
processed at a time) that also links to it. Both carry ``messaging.system`` "kafka",
``messaging.destination.name``, ``messaging.operation.name``/``.type``,
``messaging.message.id`` (the outbox event id) and ``messaging.kafka.message.key``.

==========  =============================================================================
module      what it holds
==========  =============================================================================
propagate   :func:`headers`, :func:`extract`: traceparent in and out of headers
http        :class:`Middleware`: the request's server span (pure ASGI)
publisher   :class:`Publisher`: producer spans around any outbox publisher
consumer    :class:`Consumer`, :class:`Record`: the consumer span around an inbox
metrics     :func:`observe_outbox`, :func:`observe_inbox`: backlog, lag, duplicates
timeline    :func:`timeline`, :class:`Row`, :func:`write_csv`: spans as rows for a plot
==========  =============================================================================
"""

from __future__ import annotations

from .consumer import ATTR_DUPLICATE, Consumer, Record
from .http import Middleware
from .metrics import (
    METRIC_INBOX_APPLIED,
    METRIC_INBOX_DUPLICATES,
    METRIC_OUTBOX_BACKLOG,
    METRIC_OUTBOX_LAG,
    METRIC_OUTBOX_PARKED,
    observe_inbox,
    observe_outbox,
)
from .propagate import SCOPE_NAME, extract, headers
from .publisher import Publisher
from .timeline import Row, timeline, write_csv

__all__ = [
    "ATTR_DUPLICATE",
    "METRIC_INBOX_APPLIED",
    "METRIC_INBOX_DUPLICATES",
    "METRIC_OUTBOX_BACKLOG",
    "METRIC_OUTBOX_LAG",
    "METRIC_OUTBOX_PARKED",
    "SCOPE_NAME",
    "Consumer",
    "Middleware",
    "Publisher",
    "Record",
    "Row",
    "extract",
    "headers",
    "observe_inbox",
    "observe_outbox",
    "timeline",
    "write_csv",
]
