"""Write ``articles-v1.parquet`` and ``rejects-v1.parquet``: small outputs of schema version 1, kept frozen.

The schema and rows are spelled out here (not imported from ``schemas``) so the
files stay what version 1 wrote after the current schema moves on.  Run once;
the files are committed and ``tests/test_schema_compat.py`` reads them with
the current code::

    python tests/data/make_v1.py
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
META = {b"presswash.schema_version": b"1", b"presswash.pipeline_version": b"0.1.0"}
CAPTION = pa.struct([pa.field("text", pa.string()), pa.field("credit", pa.string())])
REMOVED = pa.struct([pa.field("kind", pa.string()), pa.field("text", pa.string()), pa.field("line", pa.int32()),
                     pa.field("detail", pa.string())])
ARTICLES_V1 = pa.schema([
    pa.field("id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("url", pa.string()),
    pa.field("domain", pa.string()),
    pa.field("title", pa.string()),
    pa.field("subtitle", pa.string()),
    pa.field("authors", pa.list_(pa.string())),
    pa.field("contributors", pa.list_(pa.string())),
    pa.field("published", pa.timestamp("us", tz="UTC")),
    pa.field("captions", pa.list_(CAPTION)),
    pa.field("paragraphs", pa.list_(pa.string())),
    pa.field("body", pa.string()),
    pa.field("language", pa.string()),
    pa.field("language_score", pa.float32()),
    pa.field("word_count", pa.int32()),
    pa.field("removed", pa.list_(REMOVED)),
    pa.field("content_hash", pa.string()),
    pa.field("input_format", pa.string()),
    pa.field("pipeline_version", pa.string()),
    pa.field("metadata", pa.map_(pa.string(), pa.string())),
], metadata=META)
REJECTS_V1 = pa.schema([
    pa.field("id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("stage", pa.string(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("error", pa.string()),
    pa.field("raw", pa.binary()),
    pa.field("raw_size", pa.int64()),
    pa.field("pipeline_version", pa.string()),
], metadata=META)

ARTICLES = [
    {
        "id": "v1-article-1", "source": "data/news.jsonl:1", "url": "https://www.example.org/ferry",
        "domain": "example.org", "title": "Harbour ferry service resumes after storm", "subtitle": None,
        "authors": ["Jane Doe"], "contributors": ["AP"],
        "published": datetime(2026, 5, 25, 8, 30, tzinfo=timezone.utc),
        "captions": [{"text": "Passengers board the ferry.", "credit": "AP Photo/Jane Doe"}],
        "paragraphs": ["The harbour ferry resumed its crossings on Tuesday.", "Engineers found only minor damage."],
        "body": "The harbour ferry resumed its crossings on Tuesday.\n\nEngineers found only minor damage.",
        "language": "en", "language_score": 0.9999, "word_count": 13,
        "removed": [{"kind": "editorial_appeal", "text": "Support our journalism", "line": 4, "detail": "donation"}],
        "content_hash": "0" * 64, "input_format": "text", "pipeline_version": "0.1.0",
        "metadata": [("encoding", "utf-8"), ("sitename", "Example News")],
    },
    {
        "id": "v1-article-2", "source": "data/page.html", "url": None, "domain": None, "title": None,
        "subtitle": None, "authors": [], "contributors": [], "published": None, "captions": [],
        "paragraphs": ["東京都は二十五日、新しい計画を発表した。"], "body": "東京都は二十五日、新しい計画を発表した。",
        "language": "ja", "language_score": 0.99, "word_count": 19, "removed": [], "content_hash": "1" * 64,
        "input_format": "html", "pipeline_version": "0.1.0", "metadata": [],
    },
]
REJECTS = [
    {"id": "v1-reject-1", "source": "data/image.png", "stage": "decode", "reason": "binary_content",
     "error": "starts with the signature of a binary file format", "raw": b"\x89PNG\r\n\x1a\n", "raw_size": 8,
     "pipeline_version": "0.1.0"},
]


def main() -> None:
    pq.write_table(pa.Table.from_pylist(ARTICLES, schema=ARTICLES_V1), HERE / "articles-v1.parquet")
    pq.write_table(pa.Table.from_pylist(REJECTS, schema=REJECTS_V1), HERE / "rejects-v1.parquet")


if __name__ == "__main__":
    main()
