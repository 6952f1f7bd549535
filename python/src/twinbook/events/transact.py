"""Consume-transform-produce in transactions, and a zombie fenced off.

The Go twin is ``go/events/transact.go`` (kgo's ``GroupTransactSession`` there; the
manual way here: ``send_offsets_to_transaction`` puts the consumed offsets in the
producer's transaction, so output and progress commit together or not at all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka import Message as KafkaMessage

from .client import Config, ping
from .group import GroupConfig, next_offsets
from .producer import Message, new_producer, send

__all__ = [
    "AbortedError",
    "FencedError",
    "Mode",
    "Pipeline",
    "PipelineConfig",
    "Transform",
    "end_transaction",
    "new_transactional_producer",
]


class FencedError(RuntimeError):
    """A newer producer with the same transactional id took over: this one is a
    zombie and must stop."""


class AbortedError(RuntimeError):
    """The step's transaction was rolled back: nothing it wrote is visible, and its
    input comes again."""


class Mode(StrEnum):
    """How a :class:`Pipeline` groups its work."""

    #: No transaction: produce, then commit the input offsets (at-least-once).
    PLAIN = "plain"
    #: Everything one poll returned in one transaction.
    BATCHED = "batched"
    #: One transaction per input record.
    PER_MESSAGE = "per-message"


Transform = Callable[[KafkaMessage], Sequence[Message]]
"""One input record to the messages to write for it; an exception aborts the step."""


@dataclass(frozen=True)
class PipelineConfig:
    """A consume-transform-produce pipeline's configuration. A new pipeline with the
    same ``transactional_id`` fences the old one off (``BATCHED``, ``PER_MESSAGE``)."""

    config: Config
    group: str
    input: str
    output: str
    transactional_id: str
    mode: Mode


#: The most records one step takes: the bigger, the fewer transactions per record (a
#: transaction's commit costs milliseconds on real Kafka whatever its size), the more
#: work one abort repeats. Go's twin is PipelineConfig.Batch, with a Linger for more.
BATCH = 20000

_FENCED = {
    KafkaError._FENCED,
    KafkaError.PRODUCER_FENCED,
    KafkaError.INVALID_PRODUCER_EPOCH,
}


def _fenced(err: KafkaException) -> bool:
    error = err.args[0] if err.args else None
    return isinstance(error, KafkaError) and error.code() in _FENCED


def new_transactional_producer(config: Config, transactional_id: str) -> Producer:
    """A producer with a transactional id, its transactions initialised. That
    initialisation fences off any older producer with the same id: the broker bumps
    the id's epoch and aborts the older one's open transaction."""
    producer = new_producer(config, {"transactional.id": transactional_id})
    producer.init_transactions(config.timeout)
    return producer


# docs:start events-end-transaction
def end_transaction(producer: Producer, commit: bool, timeout: float = 10.0) -> None:
    """Commit (or abort) ``producer``'s open transaction. A zombie's commit raises
    :class:`FencedError`: a newer producer owns the id, so nothing this one wrote
    since its transaction began will ever be visible to a read_committed consumer."""
    try:
        if commit:
            producer.commit_transaction(timeout)
        else:
            producer.abort_transaction(timeout)
    except KafkaException as err:
        if _fenced(err):
            raise FencedError(str(err)) from err
        raise


# docs:end events-end-transaction


class Pipeline:
    """Reads ``input`` as a member of ``group`` and writes ``output``."""

    def __init__(self, config: PipelineConfig) -> None:
        self.config = config
        member = GroupConfig(config.config, config.group, [config.input], read_committed=True)
        self.consumer = Consumer(member.librdkafka())
        try:
            ping(self.consumer, config.config)
            self.consumer.subscribe([config.input])
            self.transactional = config.mode is not Mode.PLAIN
            if self.transactional:
                self.producer = new_transactional_producer(config.config, config.transactional_id)
            else:
                self.producer = new_producer(config.config)
        except Exception:
            self.consumer.close()
            raise

    def _poll(self, timeout: float) -> list[KafkaMessage]:
        most = 1 if self.config.mode is Mode.PER_MESSAGE else BATCH
        out = []
        for msg in self.consumer.consume(num_messages=most, timeout=timeout):
            err = msg.error()
            if err is None:
                out.append(msg)
            elif err.code() != KafkaError._PARTITION_EOF:
                raise KafkaException(err)
        return out

    def _produce(self, messages: Sequence[KafkaMessage], transform: Transform) -> None:
        """Write each result as soon as it is made: a transform that fails half-way
        leaves output already written, which only a transaction's abort can hide."""
        failed: list[KafkaError] = []

        def report(err: KafkaError | None, _msg: KafkaMessage) -> None:
            if err is not None:
                failed.append(err)

        for msg in messages:
            for out in transform(msg):
                send(
                    self.producer,
                    self.config.output,
                    out.value,
                    out.key.encode(),
                    on_delivery=report,
                )
        if self.producer.flush(self.config.config.timeout) or failed:
            raise KafkaException(failed[0] if failed else KafkaError(KafkaError._TIMED_OUT))

    def _rewind(self, messages: Sequence[KafkaMessage]) -> None:
        """Seek back to the first record of the step on each partition: it comes again."""
        first: dict[tuple[str, int], int] = {}
        for m in messages:
            key = (m.topic() or "", m.partition() or 0)
            first[key] = min(first.get(key, m.offset() or 0), m.offset() or 0)
        for (topic, partition), offset in first.items():
            self.consumer.seek(TopicPartition(topic, partition, offset))

    def step(self, transform: Transform, timeout: float = 1.0) -> int:
        """Poll once (one record in ``PER_MESSAGE`` mode); transform and write what
        came; return how many input records are done."""
        messages = self._poll(timeout)
        if not messages:
            return 0
        if self.transactional:
            return self._step_transact(messages, transform)
        self._produce(messages, transform)
        self.consumer.commit(offsets=next_offsets(messages), asynchronous=False)
        return len(messages)

    # docs:start events-transact-step
    def _step_transact(self, messages: list[KafkaMessage], transform: Transform) -> int:
        """Exactly-once within Kafka: the output and the input offsets commit
        together or not at all. read_committed consumers never see the output of an
        aborted step; its input is polled again."""
        timeout = self.config.config.timeout
        self.producer.begin_transaction()
        try:
            self._produce(messages, transform)
            self.producer.send_offsets_to_transaction(
                next_offsets(messages), self.consumer.consumer_group_metadata(), timeout
            )
        except Exception as err:
            end_transaction(self.producer, commit=False, timeout=timeout)
            self._rewind(messages)
            raise AbortedError(f"step of {len(messages)} records: {err}") from err
        end_transaction(self.producer, commit=True, timeout=timeout)
        return len(messages)

    # docs:end events-transact-step

    def close(self) -> None:
        """Leave the group (an open transaction is aborted by the broker)."""
        self.producer.flush(self.config.config.timeout)
        self.consumer.close()
