"""Output of schema version 1 (``tests/data/*-v1.parquet``, frozen) stays readable by the current code."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA, SCHEMA_VERSION
from schemas.compat import SchemaVersionError, read_articles, read_rejects, schema_version

DATA = Path(__file__).resolve().parent / "data"


def test_current_schemas_carry_their_version():
    assert schema_version(ARTICLE_SCHEMA) == schema_version(REJECT_SCHEMA) == int(SCHEMA_VERSION)


def test_v1_articles_read_with_current_code():
    table = read_articles(str(DATA / "articles-v1.parquet"))
    assert table.schema.names == ARTICLE_SCHEMA.names
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == ["v1-article-1", "v1-article-2"]
    first = rows[0]
    assert first["published"] == datetime(2026, 5, 25, 8, 30, tzinfo=timezone.utc)
    assert first["captions"] == [{"text": "Passengers board the ferry.", "credit": "AP Photo/Jane Doe"}]
    assert dict(first["metadata"]) == {"encoding": "utf-8", "sitename": "Example News"}
    assert rows[1]["body"] == "東京都は二十五日、新しい計画を発表した。"


def test_v1_rejects_read_with_current_code():
    [row] = read_rejects(str(DATA / "rejects-v1.parquet")).to_pylist()
    assert (row["stage"], row["reason"], row["raw"]) == ("decode", "binary_content", b"\x89PNG\r\n\x1a\n")


def test_v1_file_is_still_version_1():
    assert pq.read_schema(DATA / "articles-v1.parquet").metadata[b"presswash.schema_version"] == b"1"


def test_newer_or_foreign_files_are_refused(tmp_path):
    newer = ARTICLE_SCHEMA.with_metadata({b"presswash.schema_version": str(int(SCHEMA_VERSION) + 1).encode()})
    pq.write_table(pa.Table.from_pylist([], schema=newer), tmp_path / "newer.parquet")
    with pytest.raises(SchemaVersionError, match="newer"):
        read_articles(str(tmp_path / "newer.parquet"))
    pq.write_table(pa.table({"x": [1]}), tmp_path / "foreign.parquet")
    with pytest.raises(SchemaVersionError, match="not a presswash output"):
        read_articles(str(tmp_path / "foreign.parquet"))
