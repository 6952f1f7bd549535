"""Go and Python keep their records in the same table, so replicas in both languages can
share one store: the ``CREATE TABLE`` of ``go/idempotency/sql.go`` and of
``twinbook.idempotency.store`` are the same statement, and the queries use the same
columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twinbook.idempotency import store as py
from twinbook.store import Dialect

GO = Path(__file__).resolve().parents[3] / "go" / "idempotency" / "sql.go"


def _words(sql: str) -> list[str]:
    return re.findall(r"[A-Za-z_]+|[(),']", sql)


def go_schema(dialect: Dialect) -> str:
    text = GO.read_text(encoding="utf-8")
    body = re.search(r"return `CREATE TABLE IF NOT EXISTS ` \+ Table \+ ` \((.*?)\)`", text, re.S)
    assert body, "the CREATE TABLE of sql.go was not found"
    blob = "BYTEA" if dialect is Dialect.POSTGRES else "BLOB"
    return f"CREATE TABLE IF NOT EXISTS {py.TABLE} (" + body[1].replace("` + blob + `", blob) + ")"


@pytest.mark.parametrize("dialect", list(Dialect))
def test_go_and_python_create_the_same_table(dialect: Dialect) -> None:
    assert _words(go_schema(dialect)) == _words(py.schema(dialect))


def test_the_go_table_is_named_like_pythons() -> None:
    assert f'const Table = "{py.TABLE}"' in GO.read_text(encoding="utf-8")
