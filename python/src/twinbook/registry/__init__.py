"""Chapter 4: the project's schema registry, speaking Confluent's REST API over a log in a
compacted Kafka topic (the Go twin is package ``twinbook/registry``).

One concern per module (the Go files of the same names):

===========  =========================================================================
module       what it holds
===========  =========================================================================
errors       Confluent's error codes and :class:`RegistryError`
model        a subject's version (:class:`SchemaValue`), :class:`Reference`
records      the log's records, byte for byte as Confluent's KafkaStore writes them
store        the :class:`Store` protocol and :class:`MemoryStore`
kafkastore   :class:`KafkaStore`, the compacted ``_schemas`` topic
service      :class:`Service`: ids, versions, deduplication, compatibility, deletes
checker      what the service needs of Avro, and :class:`AvroChecker`
http         :func:`create_app`, the ASGI app of the REST API
wire         Confluent's wire format: magic byte 0, 4-byte big-endian id, Avro body
server       :func:`serve` and :func:`start`: a registry process for tests and notebooks
===========  =========================================================================
"""

from __future__ import annotations

from .checker import AvroChecker, Checker, Explainer, Parsed
from .errors import KafkaUnavailableError, RegistryError
from .http import CONTENT_TYPE, create_app
from .kafkastore import DEFAULT_TOPIC, KafkaStore
from .model import AVRO, DEFAULT_LEVEL, Reference, SchemaValue
from .records import Record, RecordKey
from .server import RegistryProcess, RegistryStartError, serve, start
from .service import SchemaRequest, Service
from .store import MemoryStore, Store
from .wire import WireFormatError

__all__ = [
    "AVRO",
    "CONTENT_TYPE",
    "DEFAULT_LEVEL",
    "DEFAULT_TOPIC",
    "AvroChecker",
    "Checker",
    "Explainer",
    "KafkaStore",
    "KafkaUnavailableError",
    "MemoryStore",
    "Parsed",
    "Record",
    "RecordKey",
    "RegistryError",
    "RegistryProcess",
    "RegistryStartError",
    "SchemaRequest",
    "SchemaValue",
    "Reference",
    "Service",
    "Store",
    "WireFormatError",
    "create_app",
    "serve",
    "start",
]
