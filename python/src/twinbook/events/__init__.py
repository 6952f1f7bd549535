"""Chapter 4: producers and consumers that teach what Kafka promises, and what it does not.

The Go twin is package ``twinbook/events`` (franz-go's kgo); here the clients are
confluent-kafka's (librdkafka). One concern per module:

==========  ==========================================================================
module      what it holds
==========  ==========================================================================
client      :class:`Config`; :class:`BrokerUnavailableError`; :func:`create_topic`
partition   :func:`partition`: the default partitioner's choice for a key (murmur2)
producer    :func:`new_producer` (idempotent, acks=all), :func:`produce_keyed`
group       :func:`join`: a :class:`Member` whose rebalances go to a :class:`RebalanceLog`
delivery    :func:`consume`, :class:`Semantics`: commit before or after processing
transact    :class:`Pipeline` (consume-transform-produce), :class:`FencedError`
dlq         :func:`dead_letter`, :func:`consume_with_dlq`: poison to ``<topic>.dlq``
concurrent  :func:`consume_concurrently` (aiokafka): keys overlap, a :class:`Watermark`
==========  ==========================================================================
"""

from __future__ import annotations

from .client import DEFAULT_TIMEOUT, BrokerUnavailableError, Config, create_topic
from .concurrent import AsyncHandler, Watermark, consume_concurrently, join_async
from .delivery import Handler, Semantics, consume
from .dlq import (
    HEADER_ERROR,
    HEADER_OFFSET,
    HEADER_PARTITION,
    HEADER_TOPIC,
    DeadLetter,
    consume_with_dlq,
    dead_letter,
    dlq_topic,
)
from .group import GroupConfig, Member, RebalanceEvent, RebalanceKind, RebalanceLog, join
from .partition import partition
from .producer import Delivered, Message, new_producer, produce_keyed
from .transact import (
    AbortedError,
    FencedError,
    Mode,
    Pipeline,
    PipelineConfig,
    Transform,
    end_transaction,
    new_transactional_producer,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "HEADER_ERROR",
    "HEADER_OFFSET",
    "HEADER_PARTITION",
    "HEADER_TOPIC",
    "AbortedError",
    "AsyncHandler",
    "BrokerUnavailableError",
    "Config",
    "DeadLetter",
    "Delivered",
    "FencedError",
    "GroupConfig",
    "Handler",
    "Member",
    "Message",
    "Mode",
    "Pipeline",
    "PipelineConfig",
    "RebalanceEvent",
    "RebalanceKind",
    "RebalanceLog",
    "Semantics",
    "Transform",
    "Watermark",
    "consume",
    "consume_concurrently",
    "consume_with_dlq",
    "create_topic",
    "dead_letter",
    "dlq_topic",
    "end_transaction",
    "join",
    "join_async",
    "new_producer",
    "new_transactional_producer",
    "partition",
    "produce_keyed",
]
