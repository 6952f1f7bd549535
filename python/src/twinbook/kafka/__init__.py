"""Chapter 4's broker: the Kafka the chapter's code talks to, embedded or real.

Every notebook and test of the chapter asks :func:`bootstrap` for a bootstrap server and
never cares which broker answers: the one ``TWINBOOK_KAFKA`` names (a real Apache Kafka,
as CI runs), or else an embedded one, franz-go's kfake behind the Go program
``go/cmd/twinbook-kafka``, which starts in tens of milliseconds and needs no Java. The Go
twin is ``go/kafka`` (``kafka.Bootstrap``, ``kafka.Start``, ``kafka.FromEnv``). One
concern per module:

==========  =============================================================================
module      what it holds
==========  =============================================================================
env         :data:`ENV_VAR` and :func:`from_env`: the real broker, when one is named
embedded    :func:`start` and :class:`Broker`: the embedded broker as a child process
entry       :func:`bootstrap`: the one entry point, a context manager
clients     :func:`client_config`: librdkafka settings every client of the project gets
==========  =============================================================================

    with bootstrap() as servers:
        producer = confluent_kafka.Producer(client_config(servers))
"""

from __future__ import annotations

from .clients import client_config
from .embedded import DEFAULT_PARTITIONS, Broker, Config, StartError, start
from .entry import bootstrap
from .env import ENV_VAR, from_env

__all__ = [
    "DEFAULT_PARTITIONS",
    "ENV_VAR",
    "Broker",
    "Config",
    "StartError",
    "bootstrap",
    "client_config",
    "from_env",
    "start",
]
