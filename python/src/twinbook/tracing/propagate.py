"""W3C traceparent in and out of header maps and Kafka message headers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

SCOPE_NAME = "twinbook/tracing"
"""The instrumentation scope of every span and metric the package makes."""

# The only propagator used: the outbox validates "traceparent" as W3C's, and the global
# propagator is whatever the program configured (or nothing).
W3C = TraceContextTextMapPropagator()
_FIELDS = ("traceparent", "tracestate")


def tracer(provider: trace.TracerProvider | None) -> trace.Tracer:
    """The package's tracer from ``provider``, or from the global one when None."""
    return trace.get_tracer(SCOPE_NAME, tracer_provider=provider)


def headers(context: Context | None = None) -> dict[str, str]:
    """The W3C headers (``traceparent``, and ``tracestate`` when there is one) of the
    current span, or of ``context``'s, for an outbox event's headers; empty when there
    is no valid span, so an untraced caller writes no header at all."""
    if not trace.get_current_span(context).get_span_context().is_valid:
        return {}
    out: dict[str, str] = {}
    W3C.inject(out, context=context)
    return out


def inject(context: Context, into: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``into`` with ``context``'s span context in place of any it had."""
    out = {k: v for k, v in into.items() if k not in _FIELDS}
    W3C.inject(out, context=context)
    return out


def extract(message_headers: Sequence[tuple[str, bytes | str | None]] | None) -> Context:
    """The context carrying the remote span of a Kafka message's ``traceparent`` (as
    confluent-kafka gives headers: a list of pairs, or None). A message without one, or
    with one that is not W3C's, gives an empty context: the consumer's span then starts
    a trace of its own rather than failing the message."""
    carrier: dict[str, str] = {}
    for key, value in message_headers or ():
        if key in _FIELDS and value is not None:
            carrier[key] = value.decode(errors="replace") if isinstance(value, bytes) else value
    return W3C.extract(carrier)
