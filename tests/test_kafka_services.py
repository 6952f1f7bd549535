"""Tests of tests/services/kafka: the real broker's jars, configuration and start errors
(its start and stop on a real JVM are tested through the plugin: test_kafka_plugin.py)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from tests.services.kafka import apache, jars
from twinbook.kafka import DEFAULT_PARTITIONS

ROOT = Path(__file__).resolve().parents[1]


def properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


def test_server_properties_one_node_on_loopback(tmp_path: Path) -> None:
    props = properties(apache.server_properties(tmp_path, 9101, 9102, partitions=3))
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9101,CONTROLLER://127.0.0.1:9102"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9101"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9102"
    assert props["log.dirs"] == str(tmp_path / "data")
    assert props["num.partitions"] == "3"


@pytest.mark.parametrize(
    "key",
    [
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
        "default.replication.factor",
        "min.insync.replicas",
    ],
)
def test_every_internal_topic_fits_one_node(tmp_path: Path, key: str) -> None:
    assert properties(apache.server_properties(tmp_path, 1, 2, partitions=3))[key] == "1"


def test_both_brokers_default_to_the_same_partitions() -> None:
    go = (ROOT / "go" / "kafka" / "kafka.go").read_text()
    assert f"const DefaultPartitions = {DEFAULT_PARTITIONS}\n" in go
    assert apache.KafkaConfig().partitions == DEFAULT_PARTITIONS


def test_cluster_id_is_kafkas_uuid_format() -> None:
    ids = {apache.cluster_id() for _ in range(20)}
    assert len(ids) == 20
    for cid in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cid)
        assert len(base64.urlsafe_b64decode(cid + "==")) == 16


def test_log4j_writes_to_the_file(tmp_path: Path) -> None:
    text = apache.log4j2_properties(tmp_path / "server.log")
    assert f"appender.file.fileName = {tmp_path / 'server.log'}" in text
    assert "Console" not in text


def test_jars_folder_follows_the_pom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    pom = tmp_path / "pom.xml"
    pom.write_text("<project>1</project>")
    first = jars.jars_dir(pom)
    pom.write_text("<project>2</project>")
    assert jars.jars_dir(pom) != first
    assert first.parent == tmp_path / "twinbook"


def test_jars_missing_is_a_named_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(jars.JarsMissing, match="make setup"), apache.apache_kafka():
        pass


def test_java_missing_is_a_named_error(tmp_path: Path) -> None:
    if not (jars.jars_dir() / jars.COMPLETE).is_file():
        pytest.fail("Apache Kafka's jars are not resolved: run make setup")
    config = apache.KafkaConfig(java="no-such-java", parent=tmp_path)
    with pytest.raises(apache.KafkaStartError, match="no-such-java is not on PATH"):
        with apache.apache_kafka(config):
            pass
    assert list(tmp_path.iterdir()) == []


def test_a_broker_that_exits_is_a_named_error_with_its_log(tmp_path: Path) -> None:
    """A JVM that cannot start (a heap it cannot have): the error quotes its output."""
    if not (jars.jars_dir() / jars.COMPLETE).is_file():
        pytest.fail("Apache Kafka's jars are not resolved: run make setup")
    config = apache.KafkaConfig(heap="1k", parent=tmp_path)
    with pytest.raises(apache.KafkaStartError, match="(?s)format failed.*heap"):
        with apache.apache_kafka(config):
            pass
    assert list(tmp_path.iterdir()) == [], "the temporary folder is left"
