"""The publisher to chapter 4's broker: confluent-kafka, idempotent, key = aggregate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import confluent_kafka

from twinbook.kafka import client_config

from .event import HEADER_EVENT_ID, HEADER_EVENT_TYPE, Event
from .publisher import PoisonError

# The broker's (or librdkafka's) answers that no retry changes.
_POISON = frozenset(
    {
        confluent_kafka.KafkaError.MSG_SIZE_TOO_LARGE,
        confluent_kafka.KafkaError.TOPIC_AUTHORIZATION_FAILED,
        confluent_kafka.KafkaError.TOPIC_EXCEPTION,
        confluent_kafka.KafkaError.INVALID_RECORD,
        confluent_kafka.KafkaError.RECORD_LIST_TOO_LARGE,
        confluent_kafka.KafkaError._INVALID_ARG,
    }
)


class KafkaPublisher:
    """Publishes to the broker at ``bootstrap`` with an idempotent producer and acks from
    every in-sync replica: a retried produce request is written once, and a partition's
    records keep their order. ``settings`` are more librdkafka settings (they win)."""

    def __init__(self, bootstrap: str, settings: Mapping[str, Any] | None = None):
        base = {"enable.idempotence": True, "acks": "all", "linger.ms": 1}
        self._producer = confluent_kafka.Producer(
            client_config(bootstrap, {**base, **(settings or {})})
        )

    def publish(self, events: Sequence[Event], timeout: float) -> list[Exception | None]:
        results: list[Exception | None] = [TimeoutError("no acknowledgement")] * len(events)

        def on_delivery(index: int) -> Any:
            def done(err: confluent_kafka.KafkaError | None, _msg: Any) -> None:
                results[index] = None if err is None else _classify(events[index], err)

            return done

        for i, event in enumerate(events):
            headers: list[tuple[str, str | bytes | None]] = [
                (HEADER_EVENT_ID, event.id.encode()),
                (HEADER_EVENT_TYPE, event.type.encode()),
            ]
            headers.extend((k, v.encode()) for k, v in event.headers.items())
            try:
                self._producer.produce(
                    event.topic,
                    key=event.aggregate.encode(),
                    value=event.payload,
                    headers=headers,
                    on_delivery=on_delivery(i),
                )
            except confluent_kafka.KafkaException as exc:
                results[i] = _classify(event, exc.args[0])
            except BufferError as exc:
                results[i] = exc
        # flush serves the delivery callbacks; what is not answered by the timeout stays
        # a failure. Messages still queued are purged, so that a broker that is down
        # does not collect one more copy of the batch per attempt; those already in
        # flight may still be written (a duplicate, never a loss).
        if self._producer.flush(timeout) > 0:
            self._producer.purge(in_queue=True, in_flight=False, blocking=False)
            self._producer.poll(0)
        return list(results)  # a late callback cannot change what the relay was told

    def close(self) -> None:
        """Give queued messages a moment, then let the producer go."""
        self._producer.flush(1.0)


def _classify(event: Event, err: confluent_kafka.KafkaError) -> Exception:
    message = f"produce {event.id}: {err.name()}: {err.str()}"
    if err.code() in _POISON:
        return PoisonError(message)
    return confluent_kafka.KafkaException(err)
