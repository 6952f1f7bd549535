"""One real Apache Kafka 4.4.0 node on loopback, for the tests and ``make kafka``.

:func:`apache_kafka` is a context manager: it writes a ``server.properties`` for one
combined broker and controller in KRaft mode (127.0.0.1, two free ports), formats the
storage with ``kafka.tools.StorageTool``, starts ``kafka.Kafka`` with ``-Xmx512m`` and its
log in the temporary folder (``server.log``), waits until the broker answers a metadata
request, yields it, and on exit stops it (SIGTERM, SIGKILL after a grace period) and
removes the folder. The JVM is also told to die with the process that started it
(Linux's parent-death signal), so no broker outlives its owner, however that ends.

A single node cannot replicate: every internal topic (consumer offsets, transaction
state, share-group state) gets replication factor 1 and min ISR 1, or the first consumer
group or transaction would wait forever for replicas that do not exist.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import dataclasses
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from twinbook.kafka import DEFAULT_PARTITIONS, client_config

from . import jars

VERSION = "4.4.0"

QUICK_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
"""For the short-lived StorageTool only (3.2 s -> 1.3 s here): the client compiler alone
and the simplest collector start faster; the broker keeps the JVM's defaults, which its
throughput (the benchmarks run on it) needs."""


class KafkaStartError(RuntimeError):
    """The real broker did not start; the message ends with its log's last lines."""


@dataclasses.dataclass(frozen=True)
class KafkaConfig:
    """How to run the real broker; the defaults are what the tests use."""

    partitions: int = DEFAULT_PARTITIONS
    """num.partitions, as the embedded broker's default (twinbook.kafka.DEFAULT_PARTITIONS)."""
    heap: str = "512m"
    start_timeout: float = 60.0
    """Seconds to wait for the first answer (3 to 5 s on an idle machine)."""
    stop_timeout: float = 15.0
    """Seconds a SIGTERM gets before SIGKILL (a controlled shutdown takes a second or two)."""
    java: str = "java"
    parent: Path | None = None
    """Where to make the temporary folder (None: the system's)."""


@dataclasses.dataclass(frozen=True)
class RealKafka:
    """A running broker."""

    addr: str
    """The bootstrap server, ``127.0.0.1:PORT``."""
    pid: int
    """The JVM's process id."""
    workdir: Path
    """Its temporary folder: ``server.properties``, ``server.log``, the data."""
    seconds: float
    """How long it took to answer, from the JVM's start."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cluster_id() -> str:
    """A cluster id as Kafka's ``Uuid.randomUuid().toString()`` writes it (base64url, no
    padding), made here so that formatting costs one JVM start, not two. Like Kafka's, never
    one that starts with "-" (1 in 64 would): StorageTool's parser takes it for an option
    and fails with "argument --cluster-id/-t: expected one argument"."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def server_properties(workdir: Path, port: int, controller_port: int, partitions: int) -> str:
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(workdir / "data"),
        "num.partitions": str(partitions),
        "auto.create.topics.enable": "true",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        # the internal topics: one replica each (see the module's docstring), and one
        # partition, since each is created on first use, while a test waits (Kafka's 50
        # take seconds on two cores)
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "share.coordinator.state.topic.num.partitions": "1",
        # a consumer group's first rebalance starts at once instead of after 3 s
        "group.initial.rebalance.delay.ms": "0",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def log4j2_properties(log: Path) -> str:
    return "\n".join(
        [
            "status = warn",
            "appender.file.type = File",
            "appender.file.name = FILE",
            f"appender.file.fileName = {log}",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = FILE",
            "",
        ]
    )


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL it when the thread that started it ends."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def answers(addr: str, timeout: float) -> bool:
    """Whether the broker at ``addr`` answers a metadata request naming itself."""
    host, port = addr.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=min(timeout, 1.0)).close()
    except OSError:
        return False  # not listening yet: no client, so no librdkafka log lines
    import confluent_kafka.admin

    admin = confluent_kafka.admin.AdminClient(client_config(addr, {"log_level": 2}))
    try:
        metadata = admin.list_topics(timeout=timeout)
    except confluent_kafka.KafkaException:
        return False
    return any(b.port == int(port) for b in metadata.brokers.values())


def _stop(process: subprocess.Popen[bytes], grace: float) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def apache_kafka(config: KafkaConfig | None = None) -> Iterator[RealKafka]:
    """Start one real Kafka node, yield it once it answers, stop it and remove its folder.

    Raises :class:`KafkaStartError` (with the log's last lines) when it does not answer
    within :attr:`KafkaConfig.start_timeout`, and :class:`jars.JarsMissing` before
    ``make setup`` resolved the jars.
    """
    config = config or KafkaConfig()
    cp = jars.classpath()
    if shutil.which(config.java) is None:
        raise KafkaStartError(f"{config.java} is not on PATH (make setup installs Java 17)")
    workdir = Path(tempfile.mkdtemp(prefix="twinbook-kafka-", dir=config.parent))
    try:
        port, controller_port = free_port(), free_port()
        props = workdir / "server.properties"
        props.write_text(server_properties(workdir, port, controller_port, config.partitions))
        log = workdir / "server.log"
        (workdir / "log4j2.properties").write_text(log4j2_properties(log))
        java = [
            config.java,
            f"-Xmx{config.heap}",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={workdir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={workdir}",
            "-cp",
            cp,
        ]
        output = workdir / "stdout.log"
        with output.open("wb") as out:
            formatted = subprocess.run(
                [*java[:1], *QUICK_JVM, *java[1:], "kafka.tools.StorageTool", "format"]
                + ["-t", cluster_id(), "-c", str(props)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=config.start_timeout,
                check=False,
            )
        if formatted.returncode != 0:
            raise KafkaStartError(f"StorageTool format failed:\n{_tail(output)}")
        started = time.monotonic()
        with output.open("ab") as out:
            process = subprocess.Popen(
                [*java, "kafka.Kafka", str(props)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        try:
            addr = f"127.0.0.1:{port}"
            deadline = started + config.start_timeout
            while not answers(addr, timeout=2.0):
                if process.poll() is not None:
                    raise KafkaStartError(
                        f"Kafka exited with code {process.returncode} before answering:\n"
                        f"{_tail(log)}\n{_tail(output)}"
                    )
                if time.monotonic() > deadline:
                    raise KafkaStartError(
                        f"Kafka did not answer on {addr} within {config.start_timeout}s:\n"
                        f"{_tail(log)}"
                    )
                time.sleep(0.1)
            yield RealKafka(addr, process.pid, workdir, round(time.monotonic() - started, 2))
        finally:
            _stop(process, config.stop_timeout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
